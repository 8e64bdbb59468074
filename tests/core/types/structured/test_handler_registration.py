"""Dataframe handlers load lazily: pandas/pyarrow only when used, third-party handlers through a plugin factory.

Each test runs a fresh interpreter, since what matters is what gets imported and registered from nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd


def _run(code: str, cwd: Path | None = None, pythonpath: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE_")}
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, cwd=cwd
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_tasks_without_dataframes_never_import_pandas_or_pyarrow() -> None:
    out = _run(
        """
        import sys
        from flyte_core import task, workflow
        from flyte_core.types.file import FlyteFile
        from flyte_core.types.structured import StructuredDataset

        @task
        def add(a: int, b: int) -> int:
            return a + b

        @task
        def path_of(f: FlyteFile) -> str:
            return f.path

        @workflow
        def wf(a: int) -> int:
            return add(a=a, b=1)

        assert wf(a=1) == 2 and path_of(f=FlyteFile("s3://b/k")) .endswith("k")
        print(sorted(m for m in ("pandas", "pyarrow", "numpy") if m in sys.modules))
        """
    )
    assert out == "[]"


def test_opening_a_dataset_as_pandas_registers_the_pandas_handlers_on_first_use(tmp_path: Path) -> None:
    pd.DataFrame({"a": [1, 2]}).to_parquet(tmp_path / "00000")
    out = _run(
        f"""
        from flyte_core.types.structured import StructuredDataset
        from flyte_core.types.structured.structured_dataset import StructuredDatasetTransformerEngine as E
        import pandas as pd
        assert pd.DataFrame not in E.DECODERS  # nothing was registered by importing pandas
        sd = StructuredDataset(uri={str(tmp_path)!r}, file_format="parquet")
        print(sd.open(pd.DataFrame).all()["a"].tolist())
        """
    )
    assert out == "[1, 2]"


PLUGIN = '''
"""A third-party plugin for a dataframe library ("frames"), registered as flyte-plugin authors should."""
from flyte_core.plugins import FlyteTypeTransformer, hookimpl

class Plugin:
    @hookimpl
    def flyte_type_transformers(self):
        yield FlyteTypeTransformer(python_type="frames.Frame", transformer="frames_sd:transformer")
'''

FRAMES = """
class Frame:
    def __init__(self, rows):
        self.rows = rows
"""

FRAMES_SD = """
import json, os
from flyte_core.types.structured.structured_dataset import (
    StructuredDatasetDecoder, StructuredDatasetEncoder, StructuredDatasetTransformerEngine, StructuredDatasetMetadata,
)
from flyteidl.core import literals_pb2
import frames

class Encoder(StructuredDatasetEncoder):
    def __init__(self):
        super().__init__(frames.Frame, None, "jsonrows")

    def encode(self, ctx, sd, sdt):
        uri = sd.uri or ctx.file_access.get_random_local_directory()
        with open(os.path.join(uri, "rows.json"), "w") as f:
            json.dump(sd.dataframe.rows, f)
        return literals_pb2.StructuredDataset(uri=uri, metadata=StructuredDatasetMetadata(structured_dataset_type=sdt))

class Decoder(StructuredDatasetDecoder):
    def __init__(self):
        super().__init__(frames.Frame, None, "jsonrows")

    def decode(self, ctx, value, metadata):
        with open(os.path.join(value.uri, "rows.json")) as f:
            return frames.Frame(json.load(f))

def transformer():
    StructuredDatasetTransformerEngine.register(Encoder(), default_format_for_type=True)
    StructuredDatasetTransformerEngine.register(Decoder(), default_format_for_type=True)
    return StructuredDatasetTransformerEngine()
"""


def test_a_plugin_registers_its_dataframe_handlers_through_a_transformer_factory(tmp_path: Path) -> None:
    (tmp_path / "frames_plugin.py").write_text(PLUGIN)
    (tmp_path / "frames.py").write_text(FRAMES)
    (tmp_path / "frames_sd.py").write_text(FRAMES_SD)
    out = _run(
        """
        import sys
        from flyte_core.plugins.manager import get_plugin_manager
        import frames_plugin
        get_plugin_manager().register(frames_plugin.Plugin(), "frames")

        from flyte_core import task, workflow
        from flyte_core.types.structured import StructuredDataset

        @task
        def nothing(a: int) -> int:
            return a

        nothing(a=1)
        assert "frames_sd" not in sys.modules and "frames" not in sys.modules

        import frames

        @task
        def make() -> frames.Frame:
            return frames.Frame([1, 2, 3])

        @task
        def total(f: frames.Frame) -> int:
            return sum(f.rows)

        @task
        def wrapped() -> StructuredDataset:
            return StructuredDataset(dataframe=frames.Frame([4]))

        @workflow
        def wf() -> int:
            return total(f=make())

        print(wf(), wrapped().open(frames.Frame).all().rows)
        """,
        cwd=tmp_path,
        pythonpath=tmp_path,
    )
    assert out == "6 [4]"


def test_the_builtin_pandas_handlers_still_load_after_a_user_registers_one_of_their_own(tmp_path: Path) -> None:
    out = _run(
        """
        import pandas as pd
        from flyte_core import task
        from flyte_core.types.structured.structured_dataset import (
            StructuredDatasetEncoder, StructuredDatasetTransformerEngine,
        )

        class ToWarehouse(StructuredDatasetEncoder):
            def __init__(self):
                super().__init__(pd.DataFrame, "warehouse", "table")

            def encode(self, ctx, sd, sdt):
                raise NotImplementedError

        StructuredDatasetTransformerEngine.register(ToWarehouse())

        @task
        def make() -> pd.DataFrame:
            return pd.DataFrame({"a": [1]})

        @task
        def count(df: pd.DataFrame) -> int:
            return len(df)

        print(count(df=make()))
        """
    )
    assert out == "1"

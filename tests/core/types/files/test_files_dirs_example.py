"""The shared ``files_dirs`` compat example, ported by renaming ``flytekit`` to ``flyte_core``, runs locally."""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from flyte_core.data import FileAccessUnavailableError
from flyte_core.types.file import FlyteFile

EXAMPLE = Path(__file__).parents[4].parent / "shared" / "compat" / "examples" / "files_dirs.py"
PACKAGE = "files_dirs_example_port"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    if not EXAMPLE.is_file():
        pytest.skip(f"the shared compat example is not available at {EXAMPLE}")
    root = tmp_path_factory.mktemp("port")
    package = root / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "files_dirs.py").write_text(re.sub(r"\bflytekit\b", "flyte_core", EXAMPLE.read_text()))
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(f"{PACKAGE}.files_dirs")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_the_example_imports_without_touching_its_s3_default(example: ModuleType) -> None:
    default = example.files_wf.python_interface.default_inputs_as_kwargs["remote"]
    assert isinstance(default, FlyteFile) and default.remote_source == "s3://my-bucket/data/input.txt"
    assert not default.downloaded


def test_the_example_workflow_runs_with_a_local_input(example: ModuleType, tmp_path: Path) -> None:
    source = tmp_path / "input.txt"
    source.write_text("remote-content")
    assert tuple(example.files_wf(remote=FlyteFile(str(source)))) == ("hello", 3, "remote-content")
    assert tuple(example.files_wf(content="hi", n=2, remote=str(source))) == ("hi", 2, "remote-content")


def test_reading_the_s3_default_without_the_plugin_says_what_to_install(
    example: ModuleType, flyte_plugin_manager: object
) -> None:
    with pytest.raises(FileAccessUnavailableError, match=r"s3://my-bucket/data/input.txt.*pip install flyte-plugin-s3"):
        example.files_wf()


def test_the_typed_csv_output_is_a_csv_blob(example: ModuleType) -> None:
    out = example.write_csv(rows=3)
    assert type(out).extension() == "csv" and Path(out).read_text() == "0,0\n1,1\n2,4"

"""Serializing the ported compat examples as flytekit's goldens were made, and comparing with the goldens.

Shared by the core comparison (tests/compat) and the plugin distributions' own (tests/plugins/<name>).
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap
from collections.abc import Sequence

from tests.compat.conftest import EXAMPLES

COMPAT = EXAMPLES.parent
GOLDEN = COMPAT / "golden"
BIN = pathlib.Path(sys.executable).parent


def compare_golden(golden: pathlib.Path, candidate: pathlib.Path, *flags: str) -> subprocess.CompletedProcess[str]:
    """``compare_golden.py GOLDEN CANDIDATE --sdk-neutral [flags]``: exit status 0 when nothing differs."""
    return subprocess.run(
        [sys.executable, str(COMPAT / "compare_golden.py"), str(golden), str(candidate), "--sdk-neutral", *flags],
        capture_output=True,
        text=True,
    )


def pyflyte_serialize(module: str, source_root: pathlib.Path, out: pathlib.Path) -> subprocess.CompletedProcess[str]:
    """``pyflyte --pkgs examples.<module> serialize ... workflows -f OUT`` as the goldens' were made."""
    command = [str(BIN / "pyflyte"), "--pkgs", f"examples.{module}", "serialize", "--local-source-root", "."]
    command += ["--in-container-virtualenv-root", "/opt/venv", "--image", "ghcr.io/example/img:v1"]
    return subprocess.run(
        [*command, "workflows", "-f", str(out)],
        cwd=source_root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )


_API_SCRIPT = textwrap.dedent(
    """
    import os, sys
    from flyte_core.config.images import ImageConfig
    from flyte_core.config.serialization import FastSerializationSettings, SerializationSettings
    from flyte_core.packaging.entities import serialize_packages, write_entities
    from flyte_core.sdk.context import FlyteEntities

    out = sys.argv[1]
    for module in sys.argv[2:]:
        FlyteEntities.entities.clear()  # one module's entities at a time, as a fresh process would have
        settings = SerializationSettings(
            image_config=ImageConfig.auto(img_name="ghcr.io/example/img:v1"),
            project="flytesnacks",
            domain="development",
            version="v1",
            fast_serialization_settings=FastSerializationSettings(enabled=False),
        )
        folder = os.path.join(out, module)
        os.makedirs(folder)
        write_entities(serialize_packages([f"examples.{module}"], settings, "."), folder)
    """
)


def api_serialize(
    modules: Sequence[str], source_root: pathlib.Path, out: pathlib.Path
) -> subprocess.CompletedProcess[str]:
    """The modules serialized through the Python API with the goldens' fixed settings, into ``out/<module>``."""
    return subprocess.run(
        [sys.executable, "-c", _API_SCRIPT, str(out), *modules], cwd=source_root, capture_output=True, text=True
    )

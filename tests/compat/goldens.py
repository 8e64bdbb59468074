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
    from flyte_core.context import FlyteEntities

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


def ported_project(tmp_path: pathlib.Path) -> pathlib.Path:
    """The shared examples ported to flyte-core under ``tmp_path`` (skips when the goldens are not there)."""
    import pytest

    from tests.compat.conftest import port_examples

    if not GOLDEN.is_dir():
        pytest.skip(f"the shared compat goldens are not available at {GOLDEN}")
    return port_examples(tmp_path)


def assert_pyflyte_serialize_matches(module: str, source_root: pathlib.Path, tmp_path: pathlib.Path) -> None:
    """The real ``pyflyte serialize`` of ``examples.<module>`` writes what flytekit wrote (its CLI golden)."""
    out = tmp_path / "out"
    out.mkdir()
    result = pyflyte_serialize(module, source_root, out)
    assert result.returncode == 0, result.stderr
    comparison = compare_golden(GOLDEN / module / "pyflyte_serialize", out)
    assert comparison.returncode == 0, comparison.stdout


def assert_api_serialize_matches(modules: Sequence[str], source_root: pathlib.Path, tmp_path: pathlib.Path) -> None:
    """The Python API with the goldens' fixed settings writes what flytekit wrote, module by module."""
    result = api_serialize(list(modules), source_root, tmp_path)
    assert result.returncode == 0, result.stderr
    for module in modules:
        comparison = compare_golden(GOLDEN / module, tmp_path / module, "--skip-cli")
        assert comparison.returncode == 0, f"{module}:\n{comparison.stdout}"

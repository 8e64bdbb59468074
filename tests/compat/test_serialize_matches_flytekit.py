"""What we serialize for the shared compat examples is what flytekit 1.16.31 serialized (the goldens).

``pyflyte --pkgs examples.<m> serialize ... workflows -f OUT`` runs as a user would run it, and
``compare_golden.py golden/<m>/pyflyte_serialize OUT --sdk-neutral`` must report no difference; the same
for the fixed-settings goldens (project flytesnacks, domain development, version v1) through the Python API.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

from tests.compat.conftest import EXAMPLES, port_examples

COMPAT = EXAMPLES.parent
GOLDEN = COMPAT / "golden"
PLUGIN_MODULES = {"pod_plugin", "ray_task", "spark_task"}  # serialized by the plugin distributions' tests
MODULES = sorted(p.stem for p in EXAMPLES.glob("*.py") if p.stem != "__init__" and p.stem not in PLUGIN_MODULES)
BIN = pathlib.Path(sys.executable).parent


@pytest.fixture(scope="module")
def source_root(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A project holding the examples package, ported to flyte-core (module names replaced)."""
    if not GOLDEN.is_dir():
        pytest.skip(f"the shared compat goldens are not available at {GOLDEN}")
    return port_examples(tmp_path_factory.mktemp("serialize"))


def _compare(golden: pathlib.Path, candidate: pathlib.Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(COMPAT / "compare_golden.py"), str(golden), str(candidate), "--sdk-neutral", *flags],
        capture_output=True,
        text=True,
    )


def test_every_non_plugin_example_is_compared() -> None:
    assert len(MODULES) == 12, MODULES


@pytest.mark.parametrize("module", MODULES)
def test_pyflyte_serialize_writes_what_flytekit_wrote(module: str, source_root: pathlib.Path, tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run(
        [
            str(BIN / "pyflyte"),
            "--pkgs",
            f"examples.{module}",
            "serialize",
            "--local-source-root",
            ".",
            "--in-container-virtualenv-root",
            "/opt/venv",
            "--image",
            "ghcr.io/example/img:v1",
            "workflows",
            "-f",
            str(out),
        ],
        cwd=source_root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    assert result.returncode == 0, result.stderr
    comparison = _compare(GOLDEN / module / "pyflyte_serialize", out)
    assert comparison.returncode == 0, comparison.stdout


_API_SCRIPT = textwrap.dedent(
    """
    import importlib, os, sys
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


def test_the_api_with_fixed_settings_writes_what_flytekit_wrote(source_root: pathlib.Path, tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _API_SCRIPT, str(tmp_path), *MODULES],
        cwd=source_root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    for module in MODULES:
        comparison = _compare(GOLDEN / module, tmp_path / module, "--skip-cli")
        assert comparison.returncode == 0, f"{module}:\n{comparison.stdout}"

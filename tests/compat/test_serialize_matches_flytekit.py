"""What we serialize for the shared compat examples is what flytekit 1.16.31 serialized (the goldens).

``pyflyte --pkgs examples.<m> serialize ... workflows -f OUT`` runs as a user would run it, and
``compare_golden.py golden/<m>/pyflyte_serialize OUT --sdk-neutral`` must report no difference; the same
for the fixed-settings goldens (project flytesnacks, domain development, version v1) through the Python API.
"""

from __future__ import annotations

import pathlib

import pytest

from tests.compat.conftest import EXAMPLES, port_examples
from tests.compat.goldens import GOLDEN, api_serialize, compare_golden, pyflyte_serialize

PLUGIN_MODULES = {"pod_plugin", "ray_task", "spark_task"}  # serialized by the plugin distributions' tests
MODULES = sorted(p.stem for p in EXAMPLES.glob("*.py") if p.stem != "__init__" and p.stem not in PLUGIN_MODULES)


@pytest.fixture(scope="module")
def source_root(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A project holding the examples package, ported to flyte-core (module names replaced)."""
    if not GOLDEN.is_dir():
        pytest.skip(f"the shared compat goldens are not available at {GOLDEN}")
    return port_examples(tmp_path_factory.mktemp("serialize"))


def test_every_non_plugin_example_is_compared() -> None:
    assert len(MODULES) == 12, MODULES


@pytest.mark.parametrize("module", MODULES)
def test_pyflyte_serialize_writes_what_flytekit_wrote(module: str, source_root: pathlib.Path, tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = pyflyte_serialize(module, source_root, out)
    assert result.returncode == 0, result.stderr
    comparison = compare_golden(GOLDEN / module / "pyflyte_serialize", out)
    assert comparison.returncode == 0, comparison.stdout


def test_the_api_with_fixed_settings_writes_what_flytekit_wrote(source_root: pathlib.Path, tmp_path) -> None:
    result = api_serialize(MODULES, source_root, tmp_path)
    assert result.returncode == 0, result.stderr
    for module in MODULES:
        comparison = compare_golden(GOLDEN / module, tmp_path / module, "--skip-cli")
        assert comparison.returncode == 0, f"{module}:\n{comparison.stdout}"

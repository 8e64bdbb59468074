"""What we serialize for the shared compat examples is what flytekit 1.16.31 serialized (the goldens).

``pyflyte --pkgs examples.<m> serialize ... workflows -f OUT`` runs as a user would run it, and
``compare_golden.py golden/<m>/pyflyte_serialize OUT --sdk-neutral`` must report no difference; the same
for the fixed-settings goldens (project flytesnacks, domain development, version v1) through the Python API.
"""

from __future__ import annotations

import pathlib

import pytest

from tests.compat.conftest import EXAMPLES
from tests.compat.goldens import assert_api_serialize_matches, assert_pyflyte_serialize_matches, ported_project

PLUGIN_MODULES = {"pod_plugin", "ray_task", "spark_task"}  # serialized by the plugin distributions' tests
MODULES = sorted(p.stem for p in EXAMPLES.glob("*.py") if p.stem != "__init__" and p.stem not in PLUGIN_MODULES)


@pytest.fixture(scope="module")
def source_root(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A project holding the examples package, ported to flyte-core (module names replaced)."""
    return ported_project(tmp_path_factory.mktemp("serialize"))


def test_every_non_plugin_example_is_compared() -> None:
    assert len(MODULES) == 12, MODULES


@pytest.mark.parametrize("module", MODULES)
def test_pyflyte_serialize_writes_what_flytekit_wrote(module: str, source_root: pathlib.Path, tmp_path) -> None:
    assert_pyflyte_serialize_matches(module, source_root, tmp_path)


def test_the_api_with_fixed_settings_writes_what_flytekit_wrote(source_root: pathlib.Path, tmp_path) -> None:
    assert_api_serialize_matches(MODULES, source_root, tmp_path)

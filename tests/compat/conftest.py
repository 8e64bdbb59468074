"""The shared compat examples, copied with flytekit's module names replaced by flyte-core's."""

from __future__ import annotations

import importlib
import pathlib
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest

EXAMPLES = pathlib.Path(__file__).parents[2].parent / "shared" / "compat" / "examples"


def rename_imports(source: str) -> str:
    """flytekit -> flyte_core and flytekitplugins.<x> -> flyte_plugin_<x>, as a user would port their code."""
    source = re.sub(r"\bflytekitplugins\.pod\b", "flyte_plugin_k8s_pod", source)  # flyte-plugin-k8s-pod
    source = re.sub(r"\bflytekitplugins\.(\w+)", r"flyte_plugin_\1", source)
    return re.sub(r"\bflytekit\b", "flyte_core", source)


def port_examples(root: pathlib.Path) -> pathlib.Path:
    """Copy the shared examples to ``root/examples`` with flyte-core's module names; return ``root``."""
    shutil.copytree(EXAMPLES, root / "examples")
    for path in (root / "examples").glob("*.py"):
        path.write_text(rename_imports(path.read_text()))
    return root


@pytest.fixture(scope="session")
def examples_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], ModuleType]]:
    """Import ``examples.<name>`` from a renamed copy of the shared examples."""
    if not EXAMPLES.is_dir():
        pytest.skip(f"the shared compat examples are not available at {EXAMPLES}")
    root = port_examples(tmp_path_factory.mktemp("compat"))
    sys.path.insert(0, str(root))
    for name in [m for m in sys.modules if m == "examples" or m.startswith("examples.")]:
        del sys.modules[name]
    yield lambda name: importlib.import_module(f"examples.{name}")
    sys.path.remove(str(root))
    for name in [m for m in sys.modules if m == "examples" or m.startswith("examples.")]:
        del sys.modules[name]

"""Import cost is a feature: ``import flyte_core`` and ``pyflyte --help`` stay free of heavy modules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAVY = (
    "grpc",
    "google.protobuf",
    "yaml",
    "rich",
    "pandas",
    "pyarrow",
    "ray",
    "pyspark",
    "kubernetes",
    "numpy",
    "fsspec",
    "aiohttp",
    "flyteidl",
)
PYFLYTE = str(Path(sys.executable).parent / "pyflyte")


def _imported_modules(*args: str) -> set[str]:
    """Modules imported by a fresh interpreter running ``args``, read from ``-X importtime``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE_")}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *args], capture_output=True, text=True, env=env, check=True
    )
    return {
        line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")
    } - {"package"}


def _loaded_modules(statement: str) -> set[str]:
    """``sys.modules`` of a fresh interpreter after ``statement``, minus what interpreter start-up loads."""
    code = "import sys; before = set(sys.modules); {}; print(*sorted(set(sys.modules) - before))"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE_")}
    result = subprocess.run(
        [sys.executable, "-c", code.format(statement)], capture_output=True, text=True, env=env, check=True
    )
    return set(result.stdout.split())


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_import_flyte_core_imports_no_heavy_module_nor_the_plugin_machinery() -> None:
    modules = _loaded_modules("import flyte_core")
    assert "flyte_core" in modules
    assert _heavy(modules) == []
    assert {"click", "pluggy", "importlib.metadata", "flyte_core.plugins.manager"} & modules == set()


def test_pyflyte_help_imports_no_heavy_module_and_no_command_module() -> None:
    modules = _imported_modules(PYFLYTE, "--help")
    assert "flyte_core.plugins.manager" in modules, "the help lists plugin commands"
    assert _heavy(modules) == []
    command_modules = sorted(m for m in modules if m.startswith("flyte_core.builtin.commands.") and m.endswith(".cli"))
    assert command_modules == [], "summaries come from registrations; commands are imported only when invoked"


def test_plugin_kernel_imports_only_pluggy_and_the_standard_library() -> None:
    modules = _loaded_modules("import flyte_core.plugins, flyte_core.plugins.manager")
    assert "pluggy" in modules
    stdlib = set(sys.stdlib_module_names)
    foreign = sorted(
        m for m in modules if m.split(".")[0] not in stdlib and m.split(".")[0] not in ("pluggy", "flyte_core")
    )
    assert foreign == []

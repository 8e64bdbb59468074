"""Data access is loaded when data is accessed: neither ``import flyte_core`` nor ``pyflyte --help`` imports it."""

from __future__ import annotations

from tests.core.test_import_cost import PYFLYTE, _imported_modules, _loaded_modules

_DATA_MODULES = ("fsspec", "aiohttp", "flyte_core.data")


def _data_modules(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == d or m.startswith(d + ".") for d in _DATA_MODULES))


def test_import_flyte_core_does_not_import_fsspec() -> None:
    assert _data_modules(_loaded_modules("import flyte_core")) == []


def test_pyflyte_help_registers_file_access_plugins_without_importing_fsspec() -> None:
    modules = _imported_modules(PYFLYTE, "--help")
    assert "flyte_core.builtin.file_access.local" in modules, "built-in plugins are registered for --help"
    assert _data_modules(modules) == []

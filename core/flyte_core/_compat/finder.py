"""The import hook serving flytekit's ``flytekit.core.*`` paths as ``flyte_core.core.*`` (see ``aliases.py``).

Each alias module is made on first import and looks a name up, on first access, in the flyte-core modules the
table lists for it; nothing is imported before a name is used.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

from flyte_core._compat.aliases import CORE_MODULES

__all__ = ["install"]


class _AliasModule(types.ModuleType):
    """A module whose attributes are found in other modules on first access."""

    def __init__(self, name: str, sources: tuple[str, ...]) -> None:
        super().__init__(name, f"flytekit-compatible alias of {', '.join(sources)}")
        self.__sources = sources

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        for source in self.__sources:
            try:
                module = importlib.import_module(source)
            except ModuleNotFoundError as exc:
                if exc.name == source:
                    continue
                raise
            if hasattr(module, attr):
                value = getattr(module, attr)
                setattr(self, attr, value)
                return value
        raise AttributeError(
            f"module '{self.__name__}' has no attribute '{attr}' (looked in {', '.join(self.__sources)})"
        )


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``<package>.<leaf>`` for every leaf of the table."""

    def __init__(self, package: str) -> None:
        self.package = package

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        prefix, _, leaf = fullname.rpartition(".")
        if prefix != self.package or leaf not in CORE_MODULES:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return _AliasModule(spec.name, CORE_MODULES[spec.name.rpartition(".")[2]])

    def exec_module(self, module: types.ModuleType) -> None:
        return None


def install(package: str) -> None:
    """Serve ``<package>.<leaf>`` for every ``flyte_core.core`` leaf of the table (once per process)."""
    if not any(isinstance(finder, _AliasFinder) and finder.package == package for finder in sys.meta_path):
        sys.meta_path.append(_AliasFinder(package))

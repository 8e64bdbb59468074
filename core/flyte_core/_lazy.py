"""Module attributes resolved on first access (PEP 562), so importing a facade module costs nothing."""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing's own import would be most of what ``import flyte_core`` costs
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def lazy_attributes(module_globals: dict[str, Any], sources: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``sources[name]`` and caches the attribute in the module."""
    module_name = module_globals["__name__"]

    def __getattr__(name: str) -> Any:
        source = sources.get(name)
        if source is None:
            raise AttributeError(f"module '{module_name}' has no attribute '{name}'")
        value = getattr(importlib.import_module(source), name)
        module_globals[name] = value
        return value

    return __getattr__

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


def lazy_module(fullname: str) -> Any:
    """The module ``fullname``, executed when one of its attributes is first used (flytekit's ``lazy_module``).

    A module already imported is returned as it is. A module that is not installed gives a stand-in whose
    first use raises ``ImportError`` naming it, so optional libraries can be named at import time.
    """
    import sys

    found = sys.modules.get(fullname)
    if found is not None:
        return found
    import importlib.util

    try:
        spec = importlib.util.find_spec(fullname)
    except ModuleNotFoundError:  # a parent package is missing
        spec = None
    if spec is None or spec.loader is None:
        return _NotInstalled(fullname)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[fullname] = module
    spec.loader.exec_module(module)
    return module


def is_imported(module_name: str) -> bool:
    """Whether ``module_name`` is really imported: a :func:`lazy_module` not used yet does not count."""
    import sys

    module = sys.modules.get(module_name)
    return module is not None and object.__getattribute__(module, "__class__").__name__ != "_LazyModule"


class _NotInstalled:
    """Stands for a module that is not installed: using it raises ImportError naming it."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attr: str) -> Any:
        name = object.__getattribute__(self, "_name")
        raise ImportError(f"module '{name}' is not installed (needed for {name}.{attr}): pip install it")

    def __repr__(self) -> str:
        return f"<module '{object.__getattribute__(self, '_name')}' (not installed)>"

"""Where a task function is defined, and whether a container can find it there (flytekit's ``core.tracker``).

The default task resolver finds a task in its container by module and name, so a function defined inside
another function cannot be a task unless something else resolves it (a test module, a workflow's resolver...).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["is_functools_wrapped_module_level", "isnested", "istestfunction"]


def isnested(func: Callable[..., Any]) -> bool:
    """Whether ``func`` was defined inside another function (not reachable as a module attribute)."""
    code = getattr(func, "__code__", None)
    return code is not None and bool(code.co_flags & inspect.CO_NESTED)


def is_functools_wrapped_module_level(func: Callable[..., Any]) -> bool:
    """Whether ``func`` is a ``functools.wraps`` wrapper standing, under the wrapped name, at module level."""
    return hasattr(func, "__wrapped__") and func.__name__ == func.__qualname__


def istestfunction(func: Callable[..., Any]) -> bool:
    """Whether ``func`` is defined in a test module (``test_*`` or ``*_test``), where nested tasks are allowed."""
    module = inspect.getmodule(func)
    if module is None:
        return False
    leaf = module.__name__.rpartition(".")[2]
    return leaf.startswith("test_") or leaf.endswith("_test")

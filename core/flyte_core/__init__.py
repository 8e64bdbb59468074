"""flyte-core: write Flyte tasks and workflows, run them locally, on the sandbox or on a Flyte cluster.

The public API is resolved lazily (PEP 562): ``import flyte_core`` imports almost nothing, and each
name is imported the first time it is used.
"""

from __future__ import annotations

import importlib

from flyte_core._version import __version__

# name -> module that defines it; grows as the SDK does.
_LAZY: dict[str, str] = {}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'flyte_core' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

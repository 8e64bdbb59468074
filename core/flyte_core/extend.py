"""The API for plugin authors (``flytekit.extend`` -> ``flyte_core.extend``), resolved lazily from
:mod:`flyte_core._compat.aliases`."""

from __future__ import annotations

from flyte_core._compat.aliases import EXTEND_NAMES
from flyte_core._lazy import lazy_attributes

__all__ = list(EXTEND_NAMES)


__getattr__ = lazy_attributes(globals(), EXTEND_NAMES)


def __dir__() -> list[str]:
    return sorted(__all__)

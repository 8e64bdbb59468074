"""flytekit's ``flytekit.lazy_import.lazy_module`` path: these live in :mod:`flyte_core._lazy`."""

from flyte_core._lazy import is_imported, lazy_module

__all__ = ["is_imported", "lazy_module"]

"""flytekit's ``flytekit.models.core.types`` path: these classes live in :mod:`flyte_core.values.types`."""

from flyte_core.values.types import BlobType, EnumType

__all__ = ["BlobType", "EnumType"]

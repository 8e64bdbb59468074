"""flytekit's ``flytekit.models.annotation`` path: ``TypeAnnotation`` lives in :mod:`flyte_core.values.types`."""

from flyte_core.values.types import TypeAnnotation

__all__ = ["TypeAnnotation"]

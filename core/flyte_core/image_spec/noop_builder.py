"""flytekit's ``flytekit.image_spec.noop_builder`` path: the builder lives in :mod:`flyte_core.sdk.image_spec`."""

from flyte_core.sdk.image_spec import NoOpBuilder

__all__ = ["NoOpBuilder"]

"""flytekit's ``flytekit.image_spec`` module path."""

from flyte_core.sdk.image_spec import (
    DefaultImageBuilder,
    ImageBuildEngine,
    ImageSpec,
    ImageSpecBuilder,
    NoOpBuilder,
)

__all__ = ["DefaultImageBuilder", "ImageBuildEngine", "ImageSpec", "ImageSpecBuilder", "NoOpBuilder"]

"""flytekit's ``flytekit.image_spec.image_spec`` path: ImageSpec lives in :mod:`flyte_core.sdk.image_spec`."""

from flyte_core.sdk.image_spec import (
    DOCKER_HUB,
    FLYTE_FORCE_PUSH_IMAGE_SPEC,
    FLYTE_IMG_FAST_FAIL,
    ImageBuildEngine,
    ImageSpec,
    ImageSpecBuilder,
    validate_container_registry_name,
)

__all__ = [
    "DOCKER_HUB",
    "FLYTE_FORCE_PUSH_IMAGE_SPEC",
    "FLYTE_IMG_FAST_FAIL",
    "ImageBuildEngine",
    "ImageSpec",
    "ImageSpecBuilder",
    "validate_container_registry_name",
]

"""flytekit's ``flytekit.configuration`` under flyte-core's name: code importing from it only changes the
module name. Everything is defined in ``flyte_core.config``, except what flytekit re-exports here from its
image and resource modules (``ImageSpec``, ``ImageBuildEngine``, ``ResourceSpec``: loaded when first used)."""

from __future__ import annotations

from flyte_core._lazy import lazy_attributes
from flyte_core.config import *  # noqa: F403 - this module is the same API under flytekit's path
from flyte_core.config import __all__ as _config_names

_FROM_THE_SDK = {
    "ImageBuildEngine": "flyte_core.sdk.image_spec",
    "ImageSpec": "flyte_core.sdk.image_spec",
    "ResourceSpec": "flyte_core.sdk.resources",
}

__all__ = [*_config_names, *_FROM_THE_SDK]

__getattr__ = lazy_attributes(globals(), _FROM_THE_SDK)

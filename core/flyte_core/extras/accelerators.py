"""flytekit's ``flytekit.extras.accelerators`` path: the accelerators live in :mod:`flyte_core.sdk.accelerators`."""

from flyte_core.sdk.accelerators import *  # noqa: F403 - the same API under flytekit's path
from flyte_core.sdk.accelerators import __all__ as __all__

"""flytekit's ``flytekit.models.core.execution`` path: these classes live in :mod:`flyte_core.values.execution`."""

from flyte_core.values.execution import *  # noqa: F403 - the same API under flytekit's path
from flyte_core.values.execution import __all__ as __all__

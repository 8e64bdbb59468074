"""flytekit's ``flytekit.models.schedule`` path: these classes live in :mod:`flyte_core.values.schedule`."""

from flyte_core.values.schedule import *  # noqa: F403 - the same API under flytekit's path
from flyte_core.values.schedule import __all__ as __all__

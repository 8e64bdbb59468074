"""flytekit's ``flytekit.models.concurrency`` path: these classes live in :mod:`flyte_core.values.concurrency`."""

from flyte_core.values.concurrency import *  # noqa: F403 - the same API under flytekit's path
from flyte_core.values.concurrency import __all__ as __all__

"""flytekit's ``flytekit.models.common`` path: these classes live in :mod:`flyte_core.values.common`."""

from flyte_core.values.common import *  # noqa: F403 - the same API under flytekit's path
from flyte_core.values.common import __all__ as __all__

"""flytekit's ``flytekit.models.core.identifier`` path: these classes live in :mod:`flyte_core.values.identifier`."""

from flyte_core.values.identifier import *  # noqa: F403 - the same API under flytekit's path
from flyte_core.values.identifier import __all__ as __all__

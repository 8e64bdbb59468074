"""flytekit's ``flytekit.models.literals`` path: these classes live in :mod:`flyte_core.values.literals`."""

from flyte_core.values.literals import *  # noqa: F403 - the same API under flytekit's path
from flyte_core.values.literals import __all__ as __all__

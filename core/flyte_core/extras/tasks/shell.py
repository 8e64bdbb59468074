"""flytekit's ``flytekit.extras.tasks.shell`` path: ``ShellTask`` lives in :mod:`flyte_core.sdk.shell_task`."""

from flyte_core.sdk.shell_task import *  # noqa: F403 - the same API under flytekit's path
from flyte_core.sdk.shell_task import __all__ as __all__

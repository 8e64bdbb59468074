"""flytekit's ``flytekit.configuration`` under flyte-core's name: code importing from it only changes the
module name. Everything is defined in ``flyte_core.config``."""

from __future__ import annotations

from flyte_core.config import *  # noqa: F403 - this module is the same API under flytekit's path
from flyte_core.config import __all__ as __all__

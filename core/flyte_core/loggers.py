"""flyte-core's loggers (``flytekit.loggers`` -> ``flyte_core.loggers``).

The level comes from ``FLYTE_SDK_LOGGING_LEVEL`` (a name such as ``INFO`` or a number), default WARNING.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger("flyte_core")
developer_logger = logging.getLogger("flyte_core.developer")
user_space_logger = logging.getLogger("flyte_core.user_space")


def _level_from_environment() -> int:
    raw = os.environ.get("FLYTE_SDK_LOGGING_LEVEL", "").strip()
    if not raw:
        return logging.WARNING
    if raw.isdigit():
        return int(raw)
    level = logging.getLevelName(raw.upper())
    return level if isinstance(level, int) else logging.WARNING


logger.setLevel(_level_from_environment())

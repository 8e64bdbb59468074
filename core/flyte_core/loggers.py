"""flyte-core's loggers (``flytekit.loggers`` -> ``flyte_core.loggers``), configured as flytekit configures its own.

* ``FLYTE_SDK_LOGGING_LEVEL``: the level of the ``flyte_core`` logger (a name such as ``INFO`` or a number),
  default WARNING. When it is set, flyte-core prints its own log lines to stderr (as flytekit does), instead of
  leaving them to the application's logging configuration.
* ``FLYTE_SDK_DEV_LOGGING_LEVEL``: the level of the developer logger (default INFO).
* ``FLYTE_SDK_LOGGING_FORMAT``: ``json`` for one JSON object per line (time, logger, level, message).
* ``FLYTE_SDK_RICH_TRACEBACKS=0``: no rich formatting when rich handlers are asked for.
"""

from __future__ import annotations

import json
import logging
import os
import sys

__all__ = [
    "LOGGING_DEV_ENV_VAR",
    "LOGGING_ENV_VAR",
    "LOGGING_FMT_ENV_VAR",
    "LOGGING_RICH_FMT_ENV_VAR",
    "developer_logger",
    "get_level_from_cli_verbosity",
    "initialize_global_loggers",
    "is_display_progress_enabled",
    "is_rich_logging_enabled",
    "logger",
    "set_developer_properties",
    "set_flytekit_log_properties",
    "set_user_logger_properties",
    "upgrade_to_rich_logging",
    "user_space_logger",
]

LOGGING_ENV_VAR = "FLYTE_SDK_LOGGING_LEVEL"
LOGGING_DEV_ENV_VAR = "FLYTE_SDK_DEV_LOGGING_LEVEL"
LOGGING_FMT_ENV_VAR = "FLYTE_SDK_LOGGING_FORMAT"
LOGGING_RICH_FMT_ENV_VAR = "FLYTE_SDK_RICH_TRACEBACKS"

logger = logging.getLogger("flyte_core")
developer_logger = logging.getLogger("flyte_core.developer")
user_space_logger = logging.getLogger("flyte_core.user_space")


def _level(variable: str, default: int) -> int:
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    if raw.lstrip("-").isdigit():
        return int(raw)
    level = logging.getLevelName(raw.upper())
    return level if isinstance(level, int) else default


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        document = {
            "asctime": self.formatTime(record),
            "name": record.name,
            "levelname": record.levelname,
            "message": record.getMessage(),
        }
        if record.exc_info:
            document["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(document)


def _stderr_handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.DEBUG)
    if os.environ.get(LOGGING_FMT_ENV_VAR, "").strip().lower() == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(fmt="[%(name)s] %(levelname)s %(message)s"))
    return handler


def set_flytekit_log_properties(
    handler: logging.Handler | None = None, filter: logging.Filter | None = None, level: int | None = None
) -> None:
    """Give the ``flyte_core`` logger this handler (replacing its own), filter and level; None leaves one as it is."""
    if handler is not None:
        logger.handlers.clear()
        logger.addHandler(handler)
        logger.propagate = False  # its lines are printed once, by its own handler
    if filter is not None:
        logger.addFilter(filter)
    if level is not None:
        logger.setLevel(level)


def set_user_logger_properties(
    handler: logging.Handler | None = None, filter: logging.Filter | None = None, level: int | None = None
) -> None:
    """Tune the logger of user code running in tasks (``current_context().logging``)."""
    _tune(user_space_logger, handler, filter, level)


def set_developer_properties(
    handler: logging.Handler | None = None, filter: logging.Filter | None = None, level: int | None = None
) -> None:
    """Tune the developer logger (flyte-core's debugging detail)."""
    _tune(developer_logger, handler, filter, level)


def _tune(
    target: logging.Logger, handler: logging.Handler | None, filter: logging.Filter | None, level: int | None
) -> None:
    if handler is not None:
        target.addHandler(handler)
    if filter is not None:
        target.addFilter(filter)
    if level is not None:
        target.setLevel(level)


def initialize_global_loggers() -> None:
    """Configure the loggers from the environment (done when this module is imported).

    Without ``FLYTE_SDK_LOGGING_LEVEL`` the loggers only get their levels and leave output to the application's
    logging configuration (warnings reach stderr through Python's default); with it, flyte-core prints its own
    lines at that level, as flytekit does.
    """
    logger.setLevel(_level(LOGGING_ENV_VAR, logging.WARNING))
    developer_logger.setLevel(_level(LOGGING_DEV_ENV_VAR, logging.INFO))
    if os.environ.get(LOGGING_ENV_VAR, "").strip():
        set_flytekit_log_properties(handler=_stderr_handler())


def is_rich_logging_enabled() -> bool:
    """Whether rich formatting may be used (``FLYTE_SDK_RICH_TRACEBACKS`` is not ``0``)."""
    return os.environ.get(LOGGING_RICH_FMT_ENV_VAR) != "0"


def upgrade_to_rich_logging(log_level: int | None = logging.WARNING) -> None:
    """Print flyte-core's log lines with rich (colours, rich tracebacks) at ``log_level`` or the environment's."""
    from rich.logging import RichHandler

    handler = RichHandler(rich_tracebacks=True, show_path=False, omit_repeated_times=False)
    handler.setFormatter(logging.Formatter(fmt="%(filename)s:%(lineno)d - %(message)s"))
    set_flytekit_log_properties(handler, None, _level(LOGGING_ENV_VAR, log_level or logging.WARNING))


def get_level_from_cli_verbosity(verbosity: int) -> int:
    """The logging level for ``-v`` counted ``verbosity`` times (0: the environment's, else CRITICAL)."""
    if verbosity == 0:
        return _level(LOGGING_ENV_VAR, logging.CRITICAL)
    return {1: logging.WARNING, 2: logging.INFO}.get(verbosity, logging.DEBUG)


def is_display_progress_enabled() -> bool:
    """Whether progress bars were asked for (``FLYTE_SDK_RICH_TRACEBACKS`` set)."""
    return bool(os.environ.get(LOGGING_RICH_FMT_ENV_VAR, ""))


initialize_global_loggers()

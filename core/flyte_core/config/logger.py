"""Logging settings: the SDK's own (``FLYTE_SDK_LOGGING_LEVEL``...) and flytectl's ``logger:`` section."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flyte_core.config import entries
from flyte_core.config.files import ConfigFileLike, get_config_file

__all__ = ["LoggingConfig"]

_FIELDS = {
    "level": entries.SDK_LOGGING_LEVEL,
    "dev_level": entries.SDK_DEV_LOGGING_LEVEL,
    "format": entries.SDK_LOGGING_FORMAT,
    "rich_tracebacks": entries.SDK_RICH_TRACEBACKS,
    "show_source": entries.LOGGER_SHOW_SOURCE,
    "flytectl_level": entries.LOGGER_LEVEL,
}


@dataclass(frozen=True)
class LoggingConfig:
    """How the SDK logs.

    ``level`` is the Python level of the SDK's logger (``FLYTE_SDK_LOGGING_LEVEL``, a number as in flytekit
    or a name such as ``DEBUG``; default WARNING); ``dev_level``, ``format`` (``json`` or plain) and
    ``rich_tracebacks`` are flytekit's ``FLYTE_SDK_DEV_LOGGING_LEVEL``, ``FLYTE_SDK_LOGGING_FORMAT`` and
    ``FLYTE_SDK_RICH_TRACEBACKS``. ``show_source`` and ``flytectl_level`` are the flytectl YAML
    ``logger.show-source`` and ``logger.level`` (flytectl's own scale, 0=panic ... 5=debug). Like
    flytekit, flyte-core does not let ``logger.level`` change Python logging: flytectl's sandbox config
    sets it to 0, which would otherwise silence every warning.
    """

    level: int = logging.WARNING
    dev_level: int = logging.INFO
    format: str = "json"
    rich_tracebacks: bool = True
    show_source: bool = False
    flytectl_level: int | None = None

    @classmethod
    def auto(cls, config_file: ConfigFileLike = None) -> LoggingConfig:
        """Read from the environment, ``[sdk]`` / ``[logger]``, or the YAML ``logger`` section."""
        return cls(**entries.read_fields(get_config_file(config_file), _FIELDS))

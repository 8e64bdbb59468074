"""Settings a running task reads: where its secrets are and where to send statsd metrics."""

from __future__ import annotations

import os
from dataclasses import dataclass

from flyte_core.config import entries
from flyte_core.config.files import ConfigFileLike, get_config_file

__all__ = ["SecretsConfig", "StatsConfig"]

_SECRETS_FIELDS = {
    "env_prefix": entries.SECRETS_ENV_PREFIX,
    "default_dir": entries.SECRETS_DEFAULT_DIR,
    "file_prefix": entries.SECRETS_FILE_PREFIX,
}
_STATS_FIELDS = {
    "host": entries.STATSD_HOST,
    "port": entries.STATSD_PORT,
    "disabled": entries.STATSD_DISABLED,
    "disabled_tags": entries.STATSD_DISABLE_TAGS,
}


@dataclass(frozen=True)
class SecretsConfig:
    """Where a task finds its secrets: variables ``<env_prefix><GROUP>_<KEY>`` or files under ``default_dir``."""

    env_prefix: str = "_FSEC_"
    default_dir: str = os.path.join(os.sep, "etc", "secrets")
    file_prefix: str = ""

    @classmethod
    def auto(cls, config_file: ConfigFileLike = None) -> SecretsConfig:
        """Read from ``FLYTE_SECRETS_*`` / ``[secrets]``."""
        return cls(**entries.read_fields(get_config_file(config_file), _SECRETS_FIELDS))


@dataclass(frozen=True)
class StatsConfig:
    """Where statsd metrics go; read from ``FLYTE_SECRETS_HOST``... (flytekit files statsd under ``[secrets]``)."""

    host: str = "localhost"
    port: int = 8125
    disabled: bool = False
    disabled_tags: bool = False

    @classmethod
    def auto(cls, config_file: ConfigFileLike = None) -> StatsConfig:
        """Read from ``FLYTE_SECRETS_HOST/PORT/DISABLED/DISABLE_TAGS`` / ``[secrets]``."""
        return cls(**entries.read_fields(get_config_file(config_file), _STATS_FIELDS))

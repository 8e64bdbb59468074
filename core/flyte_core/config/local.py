"""Settings for local runs and the CLI: the local cache, and the default project/domain/org."""

from __future__ import annotations

from dataclasses import dataclass

from flyte_core.config import entries
from flyte_core.config.files import ConfigFileLike, get_config_file

__all__ = ["LocalConfig", "TaskConfig"]

_LOCAL_FIELDS = {
    "cache_enabled": entries.LOCAL_CACHE_ENABLED,
    "cache_overwrite": entries.LOCAL_CACHE_OVERWRITE,
    "cache_dir": entries.LOCAL_CACHE_DIR,
}
_TASK_FIELDS = {"project": entries.LOCAL_PROJECT, "domain": entries.LOCAL_DOMAIN, "org": entries.LOCAL_ORG}


@dataclass(frozen=True)
class LocalConfig:
    """Whether local runs use the local cache, and whether they overwrite what it holds."""

    cache_enabled: bool = True
    cache_overwrite: bool = False
    cache_dir: str | None = None

    @classmethod
    def auto(cls, config_file: ConfigFileLike = None) -> LocalConfig:
        """Read from ``FLYTE_LOCAL_CACHE_ENABLED`` / ``_OVERWRITE`` / ``_DIR`` or the ``[local]`` section."""
        return cls(**entries.read_fields(get_config_file(config_file), _LOCAL_FIELDS))


@dataclass(frozen=True)
class TaskConfig:
    """The project, domain and org the CLI uses when ``-p``/``-d`` are not given."""

    project: str | None = "flytesnacks"
    domain: str | None = "development"
    org: str | None = None

    @classmethod
    def auto(cls, config_file: ConfigFileLike = None) -> TaskConfig:
        """Read from ``FLYTE_LOCAL_PROJECT/DOMAIN/ORG``, ``[local]`` or YAML ``task.project/domain/org``."""
        return cls(**entries.read_fields(get_config_file(config_file), _TASK_FIELDS))

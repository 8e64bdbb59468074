"""``Config``: everything needed to talk to a Flyte backend and run tasks, read in one go."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field

from flyte_core.config import entries
from flyte_core.config.data import DataConfig, S3Config
from flyte_core.config.files import ConfigFileLike, get_config_file
from flyte_core.config.platform import AuthType, PlatformConfig
from flyte_core.config.runtime import SecretsConfig, StatsConfig

__all__ = ["Config"]


@functools.cache
def _process_sandbox_path() -> str:
    """One scratch directory per process for local runs, created the first time a default ``Config`` needs it."""
    import tempfile

    return tempfile.mkdtemp(prefix="flyte")


@dataclass(frozen=True)
class Config:
    """The platform, secrets, statsd and storage settings, and the local scratch directory.

    ``Config.auto()`` reads them all from the environment and one config file (see ``find_config_file``
    for where it is looked for); environment variables ``FLYTE_<SECTION>_<OPTION>`` win over the file.
    """

    platform: PlatformConfig = field(default_factory=PlatformConfig)
    secrets: SecretsConfig = field(default_factory=SecretsConfig)
    stats: StatsConfig = field(default_factory=StatsConfig)
    data_config: DataConfig = field(default_factory=DataConfig)
    local_sandbox_path: str = field(default_factory=_process_sandbox_path)

    def with_params(
        self,
        platform: PlatformConfig | None = None,
        secrets: SecretsConfig | None = None,
        stats: StatsConfig | None = None,
        data_config: DataConfig | None = None,
        local_sandbox_path: str | None = None,
    ) -> Config:
        """A copy with the given parts replaced."""
        return Config(
            platform=platform or self.platform,
            secrets=secrets or self.secrets,
            stats=stats or self.stats,
            data_config=data_config or self.data_config,
            local_sandbox_path=local_sandbox_path or self.local_sandbox_path,
        )

    @classmethod
    def auto(cls, config_file: ConfigFileLike = None) -> Config:
        """Every setting from the environment, else ``config_file`` (or the file found), else the defaults."""
        cfg = get_config_file(config_file)
        sandbox = entries.read_fields(cfg, {"local_sandbox_path": entries.SDK_LOCAL_SANDBOX})
        return cls(
            platform=PlatformConfig.auto(cfg),
            secrets=SecretsConfig.auto(cfg),
            stats=StatsConfig.auto(cfg),
            data_config=DataConfig.auto(cfg),
            **sandbox,
        )

    @classmethod
    def for_sandbox(cls) -> Config:
        """The local sandbox: admin on ``localhost:30080`` (insecure, PKCE), minio on ``localhost:30002``.

        The console is ``pyflyte sandbox start``'s HTTP port, ``localhost:30081``.
        """
        return cls(
            platform=PlatformConfig(
                endpoint="localhost:30080",
                auth_mode=AuthType.PKCE,
                insecure=True,
                console_endpoint="http://localhost:30081",
            ),
            data_config=DataConfig(
                s3=S3Config(endpoint="http://localhost:30002", access_key_id="minio", secret_access_key="miniostorage")
            ),
        )

    @classmethod
    def for_endpoint(
        cls,
        endpoint: str,
        insecure: bool = False,
        data_config: DataConfig | None = None,
        config_file: ConfigFileLike = None,
    ) -> Config:
        """``Config.auto(config_file)`` pointed at ``endpoint``.

        As in flytekit, the other platform settings (auth...) are kept only when ``config_file`` is given;
        otherwise the platform is ``PlatformConfig.for_endpoint(endpoint, insecure)``. ``data_config``, when
        given, replaces the storage settings.
        """
        auto = cls.auto(config_file)
        if config_file:
            platform = dataclasses.replace(auto.platform, endpoint=endpoint, insecure=insecure)
        else:
            platform = PlatformConfig.for_endpoint(endpoint, insecure)
        return auto.with_params(platform=platform, data_config=data_config)

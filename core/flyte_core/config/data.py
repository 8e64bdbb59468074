"""Blob-storage settings handed to the file-access providers: S3, GCS, Azure, and provider-agnostic ones."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from flyte_core.config import entries
from flyte_core.config.files import ConfigFileLike, get_config_file

__all__ = ["AzureBlobStorageConfig", "DataConfig", "GCSConfig", "GenericPersistenceConfig", "S3Config"]

_S3_FIELDS = {
    "enable_debug": entries.AWS_ENABLE_DEBUG,
    "endpoint": entries.AWS_ENDPOINT,
    "retries": entries.AWS_RETRIES,
    "backoff": entries.AWS_BACKOFF_SECONDS,
    "access_key_id": entries.AWS_ACCESS_KEY_ID,
    "secret_access_key": entries.AWS_SECRET_ACCESS_KEY,
    "addressing_style": entries.AWS_ADDRESSING_STYLE,
    "region": entries.AWS_REGION,
    "disable_ssl": entries.AWS_DISABLE_SSL,
    "auth_type": entries.AWS_AUTH_TYPE,
}
_DEFAULT_BACKOFF = datetime.timedelta(seconds=5)


@dataclass(frozen=True, init=False)
class S3Config:
    """S3 (or S3-compatible, e.g. minio) access: endpoint, keys, retries.

    flytekit spells ``addressing_style`` ``adressing_style``; that keyword and attribute are accepted too.
    ``region``, ``disable_ssl`` and ``auth_type`` (``iam``: the AWS credential chain only, ignoring the
    keys; ``accesskey``: the keys are required) are flytectl's, which flytekit does not read.
    """

    enable_debug: bool = False
    endpoint: str | None = None
    retries: int = 3
    backoff: datetime.timedelta = _DEFAULT_BACKOFF
    access_key_id: str | None = None
    secret_access_key: str | None = None
    addressing_style: str | None = None
    region: str | None = None
    disable_ssl: bool = False
    auth_type: str | None = None

    def __init__(
        self,
        enable_debug: bool = False,
        endpoint: str | None = None,
        retries: int = 3,
        backoff: datetime.timedelta = _DEFAULT_BACKOFF,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        addressing_style: str | None = None,
        region: str | None = None,
        disable_ssl: bool = False,
        auth_type: str | None = None,
        *,
        adressing_style: str | None = None,
    ) -> None:
        if addressing_style is not None and adressing_style is not None and addressing_style != adressing_style:
            raise ValueError(
                f"S3Config: addressing_style={addressing_style!r} and adressing_style={adressing_style!r} disagree; "
                "give only addressing_style"
            )
        values = {
            "enable_debug": enable_debug,
            "endpoint": endpoint,
            "retries": retries,
            "backoff": backoff,
            "access_key_id": access_key_id,
            "secret_access_key": secret_access_key,
            "addressing_style": addressing_style if addressing_style is not None else adressing_style,
            "region": region,
            "disable_ssl": disable_ssl,
            "auth_type": auth_type,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def adressing_style(self) -> str | None:
        """flytekit's spelling of ``addressing_style``."""
        return self.addressing_style

    @classmethod
    def auto(cls, config_file: ConfigFileLike = None) -> S3Config:
        """Read from ``FLYTE_AWS_*``, then ``[aws]`` / ``storage.connection.*``, then these defaults."""
        return cls(**entries.read_fields(get_config_file(config_file), _S3_FIELDS))


@dataclass(frozen=True)
class GCSConfig:
    """Google Cloud Storage settings."""

    gsutil_parallelism: bool = False

    @classmethod
    def auto(cls, config_file: ConfigFileLike = None) -> GCSConfig:
        """Read from ``FLYTE_GCP_GSUTIL_PARALLELISM`` / ``[gcp]``."""
        return cls(
            **entries.read_fields(get_config_file(config_file), {"gsutil_parallelism": entries.GCP_GSUTIL_PARALLELISM})
        )


_AZURE_FIELDS = {
    "account_name": entries.AZURE_STORAGE_ACCOUNT_NAME,
    "account_key": entries.AZURE_STORAGE_ACCOUNT_KEY,
    "tenant_id": entries.AZURE_TENANT_ID,
    "client_id": entries.AZURE_CLIENT_ID,
    "client_secret": entries.AZURE_CLIENT_SECRET,
}


@dataclass(frozen=True)
class AzureBlobStorageConfig:
    """Azure Blob Storage account and service-principal credentials."""

    account_name: str | None = None
    account_key: str | None = None
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = None

    @classmethod
    def auto(cls, config_file: ConfigFileLike = None) -> AzureBlobStorageConfig:
        """Read from ``FLYTE_AZURE_*`` / ``[azure]``."""
        return cls(**entries.read_fields(get_config_file(config_file), _AZURE_FIELDS))


@dataclass(frozen=True)
class GenericPersistenceConfig:
    """Storage settings that apply whatever the provider."""

    attach_execution_metadata: bool = True

    @classmethod
    def auto(cls, config_file: ConfigFileLike = None) -> GenericPersistenceConfig:
        """Read from ``FLYTE_PERSISTENCE_ATTACH_EXECUTION_METADATA`` / ``[persistence]``."""
        fields = {"attach_execution_metadata": entries.PERSISTENCE_ATTACH_EXECUTION_METADATA}
        return cls(**entries.read_fields(get_config_file(config_file), fields))


@dataclass(frozen=True)
class DataConfig:
    """Every storage provider's settings; a file-access provider picks the part it needs."""

    s3: S3Config = field(default_factory=S3Config)
    gcs: GCSConfig = field(default_factory=GCSConfig)
    azure: AzureBlobStorageConfig = field(default_factory=AzureBlobStorageConfig)
    generic: GenericPersistenceConfig = field(default_factory=GenericPersistenceConfig)

    @classmethod
    def auto(cls, config_file: ConfigFileLike = None) -> DataConfig:
        """Each provider's settings read from the environment and the config file."""
        cfg = get_config_file(config_file)
        return cls(
            s3=S3Config.auto(cfg),
            gcs=GCSConfig.auto(cfg),
            azure=AzureBlobStorageConfig.auto(cfg),
            generic=GenericPersistenceConfig.auto(cfg),
        )

"""Configuration as flytekit reads it, so existing config files and environment variables work unchanged.

Settings come from environment variables ``FLYTE_<SECTION>_<OPTION>``, else one config file (the flytectl
YAML ``~/.flyte/config.yaml`` or the legacy INI ``flytekit.config``), else defaults. ``entries`` is the
table of every key; ``files`` finds and parses the file. ``flyte_core.configuration`` re-exports this
package under flytekit's module path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flyte_core._lazy import lazy_attributes

# name -> the module defining it: each is imported on first use (PEP 562), so importing one module of this
# package (``flyte_core.config.data`` for file access) does not import them all.
_LAZY: dict[str, str] = {
    "Config": "flyte_core.config.config",
    "AzureBlobStorageConfig": "flyte_core.config.data",
    "DataConfig": "flyte_core.config.data",
    "GCSConfig": "flyte_core.config.data",
    "GenericPersistenceConfig": "flyte_core.config.data",
    "S3Config": "flyte_core.config.data",
    "ENTRIES": "flyte_core.config.entries",
    "ConfigEntry": "flyte_core.config.entries",
    "ConfigError": "flyte_core.config.errors",
    "ConfigFileNotFoundError": "flyte_core.config.errors",
    "FLYTECTL_CONFIG_ENV_VAR": "flyte_core.config.files",
    "FLYTECTL_CONFIG_ENV_VAR_OVERRIDE": "flyte_core.config.files",
    "ConfigFile": "flyte_core.config.files",
    "find_config_file": "flyte_core.config.files",
    "get_config_file": "flyte_core.config.files",
    "use_config_file": "flyte_core.config.files",
    "read_file_if_exists": "flyte_core.config.files",
    "set_if_exists": "flyte_core.config.files",
    "DEFAULT_IMAGE_NAME": "flyte_core.config.images",
    "FLYTE_INTERNAL_IMAGE_ENV_VAR": "flyte_core.config.images",
    "DefaultImages": "flyte_core.config.images",
    "Image": "flyte_core.config.images",
    "ImageConfig": "flyte_core.config.images",
    "PythonVersion": "flyte_core.config.images",
    "LocalConfig": "flyte_core.config.local",
    "TaskConfig": "flyte_core.config.local",
    "LoggingConfig": "flyte_core.config.logger",
    "AuthType": "flyte_core.config.platform",
    "PlatformConfig": "flyte_core.config.platform",
    "SecretsConfig": "flyte_core.config.runtime",
    "StatsConfig": "flyte_core.config.runtime",
    "DEFAULT_FLYTEKIT_ENTRYPOINT_FILELOC": "flyte_core.config.serialization",
    "DEFAULT_IN_CONTAINER_SRC_PATH": "flyte_core.config.serialization",
    "DEFAULT_RUNTIME_PYTHON_INTERPRETER": "flyte_core.config.serialization",
    "DOMAIN_PLACEHOLDER": "flyte_core.config.serialization",
    "PROJECT_PLACEHOLDER": "flyte_core.config.serialization",
    "SERIALIZED_CONTEXT_ENV_VAR": "flyte_core.config.serialization",
    "VERSION_PLACEHOLDER": "flyte_core.config.serialization",
    "EntrypointSettings": "flyte_core.config.serialization",
    "FastSerializationSettings": "flyte_core.config.serialization",
    "SerializationSettings": "flyte_core.config.serialization",
}

if TYPE_CHECKING:
    from flyte_core.config.config import Config
    from flyte_core.config.data import AzureBlobStorageConfig, DataConfig, GCSConfig, GenericPersistenceConfig, S3Config
    from flyte_core.config.entries import ENTRIES, ConfigEntry
    from flyte_core.config.errors import ConfigError, ConfigFileNotFoundError
    from flyte_core.config.files import (
        FLYTECTL_CONFIG_ENV_VAR,
        FLYTECTL_CONFIG_ENV_VAR_OVERRIDE,
        ConfigFile,
        find_config_file,
        get_config_file,
        read_file_if_exists,
        set_if_exists,
        use_config_file,
    )
    from flyte_core.config.images import (
        DEFAULT_IMAGE_NAME,
        FLYTE_INTERNAL_IMAGE_ENV_VAR,
        DefaultImages,
        Image,
        ImageConfig,
        PythonVersion,
    )
    from flyte_core.config.local import LocalConfig, TaskConfig
    from flyte_core.config.logger import LoggingConfig
    from flyte_core.config.platform import AuthType, PlatformConfig
    from flyte_core.config.runtime import SecretsConfig, StatsConfig
    from flyte_core.config.serialization import (
        DEFAULT_FLYTEKIT_ENTRYPOINT_FILELOC,
        DEFAULT_IN_CONTAINER_SRC_PATH,
        DEFAULT_RUNTIME_PYTHON_INTERPRETER,
        DOMAIN_PLACEHOLDER,
        PROJECT_PLACEHOLDER,
        SERIALIZED_CONTEXT_ENV_VAR,
        VERSION_PLACEHOLDER,
        EntrypointSettings,
        FastSerializationSettings,
        SerializationSettings,
    )

__all__ = [
    "DEFAULT_FLYTEKIT_ENTRYPOINT_FILELOC",
    "DEFAULT_IMAGE_NAME",
    "DEFAULT_IN_CONTAINER_SRC_PATH",
    "DEFAULT_RUNTIME_PYTHON_INTERPRETER",
    "DOMAIN_PLACEHOLDER",
    "ENTRIES",
    "FLYTECTL_CONFIG_ENV_VAR",
    "FLYTECTL_CONFIG_ENV_VAR_OVERRIDE",
    "FLYTE_INTERNAL_IMAGE_ENV_VAR",
    "PROJECT_PLACEHOLDER",
    "SERIALIZED_CONTEXT_ENV_VAR",
    "VERSION_PLACEHOLDER",
    "AuthType",
    "AzureBlobStorageConfig",
    "Config",
    "ConfigEntry",
    "ConfigError",
    "ConfigFile",
    "ConfigFileNotFoundError",
    "DataConfig",
    "DefaultImages",
    "EntrypointSettings",
    "FastSerializationSettings",
    "GCSConfig",
    "GenericPersistenceConfig",
    "Image",
    "ImageConfig",
    "LocalConfig",
    "LoggingConfig",
    "PlatformConfig",
    "PythonVersion",
    "S3Config",
    "SecretsConfig",
    "SerializationSettings",
    "StatsConfig",
    "TaskConfig",
    "find_config_file",
    "get_config_file",
    "read_file_if_exists",
    "set_if_exists",
    "use_config_file",
]


__getattr__ = lazy_attributes(globals(), _LAZY)


def __dir__() -> list[str]:
    return sorted(__all__)

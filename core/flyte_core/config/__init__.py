"""Configuration as flytekit reads it, so existing config files and environment variables work unchanged.

Settings come from environment variables ``FLYTE_<SECTION>_<OPTION>``, else one config file (the flytectl
YAML ``~/.flyte/config.yaml`` or the legacy INI ``flytekit.config``), else defaults. ``entries`` is the
table of every key; ``files`` finds and parses the file. ``flyte_core.configuration`` re-exports this
package under flytekit's module path.
"""

from __future__ import annotations

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
    "use_config_file",
]

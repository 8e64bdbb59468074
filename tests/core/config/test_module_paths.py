"""Where the configuration API is importable from: ``flyte_core.configuration`` (flytekit's path), the lazy
top-level ``flyte_core.Config``, and that importing it stays cheap."""

from __future__ import annotations

import subprocess
import sys

import flyte_core
import flyte_core.config
import flyte_core.configuration

FLYTEKIT_NAMES = [
    "Config",
    "PlatformConfig",
    "DataConfig",
    "S3Config",
    "GCSConfig",
    "AzureBlobStorageConfig",
    "GenericPersistenceConfig",
    "SecretsConfig",
    "StatsConfig",
    "LocalConfig",
    "TaskConfig",
    "Image",
    "ImageConfig",
    "SerializationSettings",
    "FastSerializationSettings",
    "EntrypointSettings",
    "AuthType",
    "DefaultImages",
    "ConfigFile",
    "get_config_file",
    "DEFAULT_IMAGE_NAME",
    "DEFAULT_RUNTIME_PYTHON_INTERPRETER",
    "SERIALIZED_CONTEXT_ENV_VAR",
    "PROJECT_PLACEHOLDER",
]


def test_flytekit_configuration_names_are_importable_from_flyte_core_configuration() -> None:
    missing = [name for name in FLYTEKIT_NAMES if not hasattr(flyte_core.configuration, name)]
    assert missing == []


def test_flyte_core_configuration_re_exports_the_config_package_objects() -> None:
    for name in flyte_core.configuration.__all__:
        assert getattr(flyte_core.configuration, name) is getattr(flyte_core.config, name)


def test_config_is_part_of_the_lazy_top_level_api() -> None:
    assert "Config" in dir(flyte_core)
    assert flyte_core.Config is flyte_core.config.Config


def test_importing_the_config_package_does_not_import_yaml() -> None:
    code = "import sys, flyte_core.configuration; print('yaml' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"

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
    for name in flyte_core.config.__all__:
        assert getattr(flyte_core.configuration, name) is getattr(flyte_core.config, name)


def test_config_is_part_of_the_lazy_top_level_api() -> None:
    assert "Config" in dir(flyte_core)
    assert flyte_core.Config is flyte_core.config.Config


def test_importing_the_config_package_does_not_import_yaml() -> None:
    code = "import sys, flyte_core.configuration; print('yaml' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_flytekits_image_and_resource_names_load_from_the_configuration_path_only_when_used() -> None:
    code = (
        "import sys, flyte_core.configuration as c\n"
        "assert 'flyte_core.sdk.image_spec' not in sys.modules\n"
        "from flyte_core.configuration import ImageSpec, ImageBuildEngine, ResourceSpec\n"
        "import flyte_core.sdk.image_spec as i, flyte_core.sdk.resources as r\n"
        "assert (ImageSpec, ImageBuildEngine, ResourceSpec) == (i.ImageSpec, i.ImageBuildEngine, r.ResourceSpec)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_set_if_exists_sets_only_values_that_are_set_as_flytekit_does() -> None:
    from flyte_core.configuration import set_if_exists

    d: dict[str, object] = {}
    assert set_if_exists(d, "flag", False) is d and d == {"flag": False}  # a bool is always a value
    for unset in (None, "", 0, []):
        assert set_if_exists({}, "k", unset) == {}
    assert set_if_exists({}, "k", "v") == {"k": "v"}


def test_read_file_if_exists_reads_a_named_file_and_none_without_a_name(tmp_path) -> None:
    from flyte_core.configuration import read_file_if_exists

    secret = tmp_path / "client-secret"
    secret.write_text("s3cr3t\n", encoding="utf-8")
    assert read_file_if_exists(str(secret)) == "s3cr3t\n"
    assert read_file_if_exists(None) is None and read_file_if_exists("") is None
    try:
        read_file_if_exists(str(tmp_path / "missing"))
    except FileNotFoundError:
        pass
    else:
        raise AssertionError("a named file that does not exist is an error, as in flytekit")

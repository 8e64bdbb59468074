"""``Config`` and the smaller config classes it does not hold: auto, sandbox and endpoint constructors."""

from __future__ import annotations

import datetime
import os

import pytest

from flyte_core.config import (
    AuthType,
    Config,
    DataConfig,
    LocalConfig,
    LoggingConfig,
    PlatformConfig,
    S3Config,
    SecretsConfig,
    StatsConfig,
    TaskConfig,
)

from .conftest import WriteFile

FULL_INI = """\
[platform]
url = admin.example.com:443
insecure = False
[credentials]
client_id = cid
auth_mode = ClientSecret
[aws]
endpoint = http://minio:9000
access_key_id = AK
secret_access_key = SK
retries = 5
backoff_seconds = 1
[secrets]
env_prefix = _SEC_
port = 9999
[sdk]
local_sandbox = /tmp/flyte-sandbox
"""


def test_auto_reads_every_part_from_one_ini_file(write_file: WriteFile) -> None:
    config = Config.auto(write_file("flytekit.config", FULL_INI))
    assert config.platform.endpoint == "admin.example.com:443"
    assert (config.platform.client_id, config.platform.auth_mode) == ("cid", AuthType.CLIENTSECRET)
    assert config.data_config.s3 == S3Config(
        endpoint="http://minio:9000",
        access_key_id="AK",
        secret_access_key="SK",
        retries=5,
        backoff=datetime.timedelta(seconds=1),
    )
    assert config.secrets == SecretsConfig(env_prefix="_SEC_")
    assert config.stats == StatsConfig(port=9999)
    assert config.local_sandbox_path == "/tmp/flyte-sandbox"


def test_auto_without_any_file_or_variable_equals_the_defaults() -> None:
    assert Config.auto() == Config()


def test_default_local_sandbox_is_one_existing_directory_per_process() -> None:
    first, second = Config(), Config.auto()
    assert first.local_sandbox_path == second.local_sandbox_path
    assert os.path.isdir(first.local_sandbox_path)
    assert os.path.basename(first.local_sandbox_path).startswith("flyte")


def test_for_sandbox_points_at_the_local_sandbox_and_its_minio() -> None:
    config = Config.for_sandbox()
    assert config.platform == PlatformConfig(
        endpoint="localhost:30080",
        insecure=True,
        auth_mode=AuthType.PKCE,
        console_endpoint="http://localhost:30081",  # pyflyte sandbox start's pages
    )
    assert config.data_config.s3 == S3Config(
        endpoint="http://localhost:30002", access_key_id="minio", secret_access_key="miniostorage"
    )


def test_for_endpoint_without_a_file_resets_the_other_platform_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_CREDENTIALS_CLIENT_ID", "from-env")
    monkeypatch.setenv("FLYTE_AWS_ENDPOINT", "http://env-minio")
    config = Config.for_endpoint("flyte.example.com", insecure=True)
    assert config.platform == PlatformConfig(endpoint="flyte.example.com", insecure=True)
    assert config.data_config.s3.endpoint == "http://env-minio"


def test_for_endpoint_with_a_file_keeps_its_other_platform_settings(write_file: WriteFile) -> None:
    path = write_file("config.yaml", "admin:\n  endpoint: old:1\n  clientId: cid\n  insecure: true\n")
    config = Config.for_endpoint("new:2", config_file=str(path))
    assert (config.platform.endpoint, config.platform.insecure, config.platform.client_id) == ("new:2", False, "cid")


def test_for_endpoint_replaces_the_data_config_when_given() -> None:
    data = DataConfig(s3=S3Config(endpoint="http://mine"))
    assert Config.for_endpoint("x:1", data_config=data).data_config is data


def test_with_params_replaces_only_what_is_given() -> None:
    base = Config.for_sandbox()
    changed = base.with_params(platform=PlatformConfig(endpoint="other:1"), local_sandbox_path="/tmp/x")
    assert changed.platform.endpoint == "other:1"
    assert changed.local_sandbox_path == "/tmp/x"
    assert changed.data_config == base.data_config
    assert changed.secrets == base.secrets


def test_yaml_storage_connection_is_the_s3_config(write_file: WriteFile) -> None:
    path = write_file(
        "config.yaml",
        "storage:\n  type: minio\n  connection:\n    endpoint: http://localhost:30002\n"
        "    access-key: minio\n    secret-key: miniostorage\n    addressing-style: path\n    region: us-east-1\n",
    )
    assert DataConfig.auto(path).s3 == S3Config(
        endpoint="http://localhost:30002",
        access_key_id="minio",
        secret_access_key="miniostorage",
        addressing_style="path",
        region="us-east-1",
    )


def test_s3_config_accepts_flytekits_adressing_style_spelling() -> None:
    s3 = S3Config(adressing_style="virtual")
    assert s3 == S3Config(addressing_style="virtual")
    assert s3.adressing_style == "virtual"


def test_s3_config_refuses_two_different_addressing_styles() -> None:
    with pytest.raises(ValueError, match="disagree"):
        S3Config(addressing_style="path", adressing_style="virtual")


def test_task_config_defaults_to_flytesnacks_development() -> None:
    assert TaskConfig.auto() == TaskConfig(project="flytesnacks", domain="development", org=None)


def test_task_config_reads_the_yaml_task_section(write_file: WriteFile) -> None:
    path = write_file("config.yaml", "task:\n  project: ml\n  domain: staging\n  org: acme\n")
    assert TaskConfig.auto(path) == TaskConfig(project="ml", domain="staging", org="acme")


def test_task_config_reads_the_ini_local_section(write_file: WriteFile) -> None:
    path = write_file("flytekit.config", "[local]\nproject = ml\n")
    assert TaskConfig.auto(path) == TaskConfig(project="ml")


def test_local_config_defaults_to_cache_on_and_no_overwrite() -> None:
    assert LocalConfig.auto() == LocalConfig(cache_enabled=True, cache_overwrite=False)


def test_local_config_reads_the_ini_local_section(write_file: WriteFile) -> None:
    path = write_file("flytekit.config", "[local]\ncache_enabled = false\ncache_overwrite = true\n")
    assert LocalConfig.auto(path) == LocalConfig(cache_enabled=False, cache_overwrite=True)


def test_logging_config_reads_flytectls_logger_section_without_applying_its_level(write_file: WriteFile) -> None:
    path = write_file("config.yaml", "logger:\n  show-source: true\n  level: 0\n")
    assert LoggingConfig.auto(path) == LoggingConfig(show_source=True, flytectl_level=0)
    assert LoggingConfig.auto(path).level == 30


def test_logging_level_from_the_ini_sdk_section(write_file: WriteFile) -> None:
    path = write_file("flytekit.config", "[sdk]\nlogging_level = 10\n")
    assert LoggingConfig.auto(path).level == 10


def test_auto_reads_every_part_from_the_file_it_finds(write_file: WriteFile) -> None:
    write_file("home/.flyte/config.yaml", "admin:\n  endpoint: home:1\nstorage:\n  connection:\n    endpoint: s\n")
    config = Config.auto()
    assert (config.platform.endpoint, config.data_config.s3.endpoint) == ("home:1", "s")

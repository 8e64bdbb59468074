"""From flyte configuration (env, INI, flytectl YAML) to s3fs options, and where each setting came from."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from flyte_plugin_s3.filesystem import FlyteS3FileSystem, s3_filesystem
from flyte_plugin_s3.settings import (
    S3SettingsError,
    describe_settings,
    mask,
    storage_options,
    write_chunk_size,
)

from flyte_core.config.data import DataConfig, S3Config
from flyte_core.config.errors import ConfigError
from flyte_core.config.files import ConfigFile

FLYTECTL_YAML = """\
storage:
  type: minio
  connection:
    endpoint: minio.local:9000
    access-key: minio
    secret-key: miniostorage
    region: eu-west-3
    disable-ssl: true
    auth-type: accesskey
    addressing-style: path
"""


@pytest.fixture(autouse=True)
def _no_flyte_aws_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "FLYTE_AWS_ENDPOINT",
        "FLYTE_AWS_ACCESS_KEY_ID",
        "FLYTE_AWS_SECRET_ACCESS_KEY",
        "FLYTE_AWS_REGION",
        "FLYTE_AWS_DISABLE_SSL",
        "FLYTE_AWS_AUTH_TYPE",
        "FLYTE_AWS_RETRIES",
        "_F_P_WRITE_CHUNK_SIZE",
    ):
        monkeypatch.delenv(name, raising=False)


def test_flytectl_yaml_storage_connection_gives_every_s3_setting(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(FLYTECTL_YAML)
    s3 = S3Config.auto(str(path))
    assert (s3.endpoint, s3.access_key_id, s3.secret_access_key) == ("minio.local:9000", "minio", "miniostorage")
    assert (s3.region, s3.disable_ssl, s3.auth_type, s3.addressing_style) == ("eu-west-3", True, "accesskey", "path")


def test_environment_variables_win_over_the_yaml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(FLYTECTL_YAML)
    monkeypatch.setenv("FLYTE_AWS_ENDPOINT", "http://other:9000")
    monkeypatch.setenv("FLYTE_AWS_REGION", "us-west-2")
    monkeypatch.setenv("FLYTE_AWS_DISABLE_SSL", "false")
    s3 = S3Config.auto(str(path))
    assert (s3.endpoint, s3.region, s3.disable_ssl, s3.access_key_id) == (
        "http://other:9000",
        "us-west-2",
        False,
        "minio",
    )


def test_an_unknown_auth_type_is_an_error_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("storage:\n  connection:\n    auth-type: token\n")
    with pytest.raises(
        ConfigError, match=r"storage\.connection\.auth-type: expected an S3 auth type \(iam or accesskey\)"
    ):
        S3Config.auto(str(path))


def test_yaml_settings_become_s3fs_options(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(FLYTECTL_YAML)
    assert storage_options(S3Config.auto(str(path))) == {
        "endpoint_url": "http://minio.local:9000",  # no scheme + disable-ssl: plain http
        "use_ssl": False,
        "client_kwargs": {"region_name": "eu-west-3"},
        "key": "minio",
        "secret": "miniostorage",
        "config_kwargs": {"retries": {"max_attempts": 3, "mode": "standard"}, "s3": {"addressing_style": "path"}},
    }


def test_without_endpoint_or_keys_the_aws_chain_and_region_lookup_apply() -> None:
    options = storage_options(S3Config())
    assert options == {"cache_regions": True, "config_kwargs": {"retries": {"max_attempts": 3, "mode": "standard"}}}


def test_anonymous_access_sends_no_keys() -> None:
    options = storage_options(S3Config(access_key_id="AK", secret_access_key="SK"), anonymous=True)
    assert options["anon"] is True
    assert "key" not in options and "secret" not in options


def test_auth_type_iam_ignores_configured_keys() -> None:
    options = storage_options(S3Config(access_key_id="AK", secret_access_key="SK", auth_type="iam"))
    assert "key" not in options and "secret" not in options


def test_auth_type_accesskey_without_keys_says_what_to_set() -> None:
    with pytest.raises(S3SettingsError, match="storage.connection.access-key"):
        storage_options(S3Config(auth_type="accesskey", access_key_id="AK"))


def test_retries_become_botocore_retries() -> None:
    assert storage_options(S3Config(retries=7))["config_kwargs"]["retries"] == {"max_attempts": 7, "mode": "standard"}


def test_the_factory_builds_an_s3fs_filesystem_from_the_data_config() -> None:
    data = DataConfig(s3=S3Config(endpoint="http://127.0.0.1:1", access_key_id="AK", secret_access_key="SK"))
    fs = s3_filesystem(protocol="s3", data_config=data, anonymous=False)
    assert isinstance(fs, FlyteS3FileSystem)
    assert (fs.endpoint_url, fs.key, fs.secret) == ("http://127.0.0.1:1", "AK", "SK")
    assert s3_filesystem(protocol="s3a", data_config=data, anonymous=True).anon is True


def test_upload_parts_are_flytekits_25_mib_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert write_chunk_size() == 25 * 2**20
    monkeypatch.setenv("_F_P_WRITE_CHUNK_SIZE", str(8 * 2**20))
    assert write_chunk_size() == 8 * 2**20
    monkeypatch.setenv("_F_P_WRITE_CHUNK_SIZE", "1024")
    with pytest.raises(S3SettingsError, match="at least 5 MiB"):
        write_chunk_size()


def test_settings_name_their_source_and_mask_the_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(FLYTECTL_YAML)
    monkeypatch.setenv("FLYTE_AWS_ENDPOINT", "http://env:9000")
    cfg = ConfigFile(path)
    shown = {s.name: s for s in describe_settings(S3Config.auto(cfg), cfg)}
    assert (shown["endpoint"].value, shown["endpoint"].source) == ("http://env:9000", "env FLYTE_AWS_ENDPOINT")
    assert shown["access_key_id"].value == "minio"
    assert shown["access_key_id"].source == f"config file {path}: storage.connection.access-key"
    assert shown["secret_access_key"].value == mask("miniostorage") == "**********ge"
    assert "miniostorage" not in repr(shown)
    assert (shown["retries"].value, shown["retries"].source) == ("3", "default")
    assert shown["backoff"].value == f"{S3Config().backoff.total_seconds():g}s"
    assert S3Config().backoff == datetime.timedelta(seconds=5)

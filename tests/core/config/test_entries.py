"""The option table: each key's three spellings, precedence (environment over file) and strict conversion."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

import pytest

from flyte_core.config import (
    ENTRIES,
    AuthType,
    AzureBlobStorageConfig,
    Config,
    ConfigEntry,
    ConfigError,
    ConfigFile,
    GCSConfig,
    GenericPersistenceConfig,
    LocalConfig,
    LoggingConfig,
    PlatformConfig,
    S3Config,
    SecretsConfig,
    StatsConfig,
    TaskConfig,
    entries,
)

from .conftest import WriteFile

# A sample raw value per kind of entry, and what it reads as.
SAMPLES: dict[str, tuple[str, Any]] = {
    entries.STR.expected: ("some-value", "some-value"),
    entries.BOOL.expected: ("yes", True),
    entries.INT.expected: ("7", 7),
    entries.LIST.expected: ("a, b", ["a", "b"]),
    entries.SECONDS.expected: ("9", datetime.timedelta(seconds=9)),
    entries.LOG_LEVEL.expected: ("DEBUG", logging.DEBUG),
    entries.AUTH_TYPE.expected: ("pkce", AuthType.PKCE),
    entries.S3_AUTH_TYPE.expected: ("AccessKey", "accesskey"),
}


def test_no_two_entries_share_an_environment_variable() -> None:
    names = [entry.env_var for entry in ENTRIES]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.env_var)
def test_every_entry_reads_its_environment_variable(entry: ConfigEntry, monkeypatch: pytest.MonkeyPatch) -> None:
    raw, expected = SAMPLES[entry.kind.expected]
    monkeypatch.setenv(entry.env_var, raw)
    assert entry.read(None) == expected


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.ini_key)
def test_every_entry_reads_its_ini_section_and_option(entry: ConfigEntry, write_file: WriteFile) -> None:
    raw, expected = SAMPLES[entry.kind.expected]
    cfg = ConfigFile(write_file("flytekit.config", f"[{entry.section}]\n{entry.option} = {raw}\n"))
    assert entry.read(cfg) == expected


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.yaml_path], ids=lambda e: e.yaml_path)
def test_every_yaml_entry_reads_its_dotted_path(entry: ConfigEntry, write_file: WriteFile) -> None:
    raw, expected = SAMPLES[entry.kind.expected]
    *parents, leaf = (entry.yaml_path or "").split(".")
    text = "".join(f"{'  ' * depth}{key}:\n" for depth, key in enumerate(parents))
    text += f"{'  ' * len(parents)}{leaf}: {raw}\n"
    assert entry.read(ConfigFile(write_file("config.yaml", text))) == expected


def test_entries_without_a_yaml_path_are_not_read_from_yaml(write_file: WriteFile) -> None:
    cfg = ConfigFile(write_file("config.yaml", "aws:\n  retries: 9\nsdk:\n  workflow_packages: a\n"))
    assert entries.AWS_RETRIES.read(cfg) is None
    assert entries.SDK_WORKFLOW_PACKAGES.read(cfg) is None


def test_environment_variable_wins_over_the_yaml_file(write_file: WriteFile, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_file("config.yaml", "admin:\n  endpoint: from-file:80\n  insecure: false\n")
    monkeypatch.setenv("FLYTE_PLATFORM_URL", "from-env:81")
    monkeypatch.setenv("FLYTE_PLATFORM_INSECURE", "True")
    platform = PlatformConfig.auto(path)
    assert (platform.endpoint, platform.insecure) == ("from-env:81", True)


def test_environment_variable_wins_over_the_ini_file(write_file: WriteFile, monkeypatch: pytest.MonkeyPatch) -> None:
    write_file("work/flytekit.config", "[aws]\nendpoint = http://file:9000\nretries = 2\n")
    monkeypatch.setenv("FLYTE_AWS_ENDPOINT", "http://env:9000")
    s3 = S3Config.auto()
    assert (s3.endpoint, s3.retries) == ("http://env:9000", 2)


def test_an_empty_environment_variable_counts_as_not_set(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_file("config.yaml", "admin:\n  endpoint: from-file:80\n")
    monkeypatch.setenv("FLYTE_PLATFORM_URL", "")
    assert PlatformConfig.auto(path).endpoint == "from-file:80"


def test_an_empty_file_value_counts_as_not_set(write_file: WriteFile) -> None:
    path = write_file("flytekit.config", "[platform]\nurl =\ninsecure =\n")
    assert PlatformConfig.auto(path) == PlatformConfig()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("True", True), ("1", True), ("yes", True), ("ON", True), ("false", False), ("0", False), ("No", False)],
)
def test_booleans_accept_the_usual_spellings(raw: str, expected: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_ENABLED", raw)
    assert LocalConfig.auto().cache_enabled is expected


def test_a_bad_boolean_in_the_environment_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_PLATFORM_INSECURE", "maybe")
    with pytest.raises(ConfigError) as raised:
        Config.auto()
    assert str(raised.value) == (
        "environment variable FLYTE_PLATFORM_INSECURE: expected a boolean (true/false, yes/no, on/off or 1/0), "
        "found the string 'maybe'"
    )
    assert (raised.value.key, raised.value.file) == ("FLYTE_PLATFORM_INSECURE", None)


def test_a_bad_boolean_in_yaml_names_the_file_and_the_yaml_key(write_file: WriteFile) -> None:
    path = write_file("config.yaml", "admin:\n  insecure: maybe\n")
    with pytest.raises(ConfigError) as raised:
        Config.auto(path)
    assert str(raised.value) == (
        f"config file {path}: admin.insecure: expected a boolean (true/false, yes/no, on/off or 1/0), "
        "found the string 'maybe'"
    )
    assert (raised.value.key, raised.value.file) == ("admin.insecure", str(path))


def test_a_bad_integer_in_ini_names_the_file_and_the_section_option(write_file: WriteFile) -> None:
    path = write_file("flytekit.config", "[aws]\nretries = abc\n")
    with pytest.raises(ConfigError) as raised:
        Config.auto(path)
    assert str(raised.value) == f"config file {path}: [aws] retries: expected an integer, found the string 'abc'"
    assert raised.value.key == "[aws] retries"


def test_a_bad_rpc_retries_variable_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_PLATFORM_RPC_RETRIES", "abc")
    with pytest.raises(ConfigError, match="environment variable FLYTE_PLATFORM_RPC_RETRIES: expected an integer"):
        PlatformConfig.auto()


def test_a_yaml_list_where_a_string_is_expected_is_an_error(write_file: WriteFile) -> None:
    path = write_file("config.yaml", "admin:\n  clientId: [a, b]\n")
    with pytest.raises(ConfigError, match=r"admin\.clientId: expected a string, found a list"):
        PlatformConfig.auto(path)


def test_a_yaml_number_where_a_string_is_expected_is_read_as_its_text(write_file: WriteFile) -> None:
    path = write_file("config.yaml", "storage:\n  connection:\n    secret-key: 12345678\n")
    assert S3Config.auto(path).secret_access_key == "12345678"


def test_an_unknown_auth_type_lists_the_known_ones(write_file: WriteFile) -> None:
    path = write_file("config.yaml", "admin:\n  authType: Magic\n")
    with pytest.raises(ConfigError, match=r"admin\.authType: expected an auth type \(Pkce, ClientSecret, .*'Magic'"):
        PlatformConfig.auto(path)


def test_lists_are_comma_separated_and_stripped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_CREDENTIALS_SCOPES", "all, offline ,")
    assert PlatformConfig.auto().scopes == ["all", "offline"]


def test_logging_level_accepts_a_number_or_a_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_SDK_LOGGING_LEVEL", "10")
    assert LoggingConfig.auto().level == logging.DEBUG
    monkeypatch.setenv("FLYTE_SDK_LOGGING_LEVEL", "error")
    assert LoggingConfig.auto().level == logging.ERROR


# Each section's variables, as flytekit documents them, land in the right field.
SECTION_VARIABLES: list[tuple[str, str, Callable[[], Any], Any]] = [
    ("FLYTE_PLATFORM_URL", "dns:///admin:81", lambda: PlatformConfig.auto().endpoint, "admin:81"),
    ("FLYTE_PLATFORM_INSECURE", "true", lambda: PlatformConfig.auto().insecure, True),
    ("FLYTE_PLATFORM_INSECURE_SKIP_VERIFY", "1", lambda: PlatformConfig.auto().insecure_skip_verify, True),
    ("FLYTE_PLATFORM_CONSOLE_ENDPOINT", "http://ui", lambda: PlatformConfig.auto().console_endpoint, "http://ui"),
    ("FLYTE_PLATFORM_CA_CERT_FILE_PATH", "/ca.pem", lambda: PlatformConfig.auto().ca_cert_file_path, "/ca.pem"),
    ("FLYTE_PLATFORM_HTTP_PROXY_URL", "http://p:3128", lambda: PlatformConfig.auto().http_proxy_url, "http://p:3128"),
    ("FLYTE_CREDENTIALS_CLIENT_ID", "cid", lambda: PlatformConfig.auto().client_id, "cid"),
    ("FLYTE_CREDENTIALS_CLIENT_SECRET", "s3cr3t", lambda: PlatformConfig.auto().client_credentials_secret, "s3cr3t"),
    ("FLYTE_CREDENTIALS_AUTH_MODE", "DeviceFlow", lambda: PlatformConfig.auto().auth_mode, AuthType.DEVICEFLOW),
    ("FLYTE_CREDENTIALS_AUDIENCE", "aud", lambda: PlatformConfig.auto().audience, "aud"),
    ("FLYTE_CREDENTIALS_COMMAND", "tok,--json", lambda: PlatformConfig.auto().command, ["tok", "--json"]),
    ("FLYTE_CREDENTIALS_PROXY_COMMAND", "p", lambda: PlatformConfig.auto().proxy_command, ["p"]),
    ("FLYTE_AWS_ENDPOINT", "http://minio", lambda: S3Config.auto().endpoint, "http://minio"),
    ("FLYTE_AWS_ACCESS_KEY_ID", "AK", lambda: S3Config.auto().access_key_id, "AK"),
    ("FLYTE_AWS_SECRET_ACCESS_KEY", "SK", lambda: S3Config.auto().secret_access_key, "SK"),
    ("FLYTE_AWS_ENABLE_DEBUG", "yes", lambda: S3Config.auto().enable_debug, True),
    ("FLYTE_AWS_RETRIES", "0", lambda: S3Config.auto().retries, 0),
    ("FLYTE_AWS_BACKOFF_SECONDS", "2", lambda: S3Config.auto().backoff, datetime.timedelta(seconds=2)),
    ("FLYTE_AWS_ADDRESSING_STYLE", "path", lambda: S3Config.auto().addressing_style, "path"),
    ("FLYTE_AWS_REGION", "eu-west-1", lambda: S3Config.auto().region, "eu-west-1"),
    ("FLYTE_AWS_DISABLE_SSL", "true", lambda: S3Config.auto().disable_ssl, True),
    ("FLYTE_AWS_AUTH_TYPE", "iam", lambda: S3Config.auto().auth_type, "iam"),
    ("FLYTE_GCP_GSUTIL_PARALLELISM", "true", lambda: GCSConfig.auto().gsutil_parallelism, True),
    ("FLYTE_AZURE_STORAGE_ACCOUNT_NAME", "acct", lambda: AzureBlobStorageConfig.auto().account_name, "acct"),
    ("FLYTE_AZURE_STORAGE_ACCOUNT_KEY", "key", lambda: AzureBlobStorageConfig.auto().account_key, "key"),
    ("FLYTE_AZURE_TENANT_ID", "t", lambda: AzureBlobStorageConfig.auto().tenant_id, "t"),
    ("FLYTE_AZURE_CLIENT_ID", "c", lambda: AzureBlobStorageConfig.auto().client_id, "c"),
    ("FLYTE_AZURE_CLIENT_SECRET", "s", lambda: AzureBlobStorageConfig.auto().client_secret, "s"),
    (
        "FLYTE_PERSISTENCE_ATTACH_EXECUTION_METADATA",
        "false",
        lambda: GenericPersistenceConfig.auto().attach_execution_metadata,
        False,
    ),
    ("FLYTE_LOCAL_CACHE_ENABLED", "false", lambda: LocalConfig.auto().cache_enabled, False),
    ("FLYTE_LOCAL_CACHE_OVERWRITE", "true", lambda: LocalConfig.auto().cache_overwrite, True),
    ("FLYTE_LOCAL_PROJECT", "proj", lambda: TaskConfig.auto().project, "proj"),
    ("FLYTE_LOCAL_DOMAIN", "prod", lambda: TaskConfig.auto().domain, "prod"),
    ("FLYTE_LOCAL_ORG", "org", lambda: TaskConfig.auto().org, "org"),
    ("FLYTE_SDK_LOCAL_SANDBOX", "/tmp/sbx", lambda: Config.auto().local_sandbox_path, "/tmp/sbx"),
    ("FLYTE_SDK_LOGGING_LEVEL", "20", lambda: LoggingConfig.auto().level, logging.INFO),
    ("FLYTE_SDK_DEV_LOGGING_LEVEL", "40", lambda: LoggingConfig.auto().dev_level, logging.ERROR),
    ("FLYTE_SDK_LOGGING_FORMAT", "plain", lambda: LoggingConfig.auto().format, "plain"),
    ("FLYTE_SDK_RICH_TRACEBACKS", "0", lambda: LoggingConfig.auto().rich_tracebacks, False),
    ("FLYTE_SECRETS_ENV_PREFIX", "_S_", lambda: SecretsConfig.auto().env_prefix, "_S_"),
    ("FLYTE_SECRETS_DEFAULT_DIR", "/run/s", lambda: SecretsConfig.auto().default_dir, "/run/s"),
    ("FLYTE_SECRETS_FILE_PREFIX", "f_", lambda: SecretsConfig.auto().file_prefix, "f_"),
    ("FLYTE_SECRETS_HOST", "statsd", lambda: StatsConfig.auto().host, "statsd"),
    ("FLYTE_SECRETS_PORT", "9125", lambda: StatsConfig.auto().port, 9125),
    ("FLYTE_SECRETS_DISABLED", "true", lambda: StatsConfig.auto().disabled, True),
    ("FLYTE_SECRETS_DISABLE_TAGS", "true", lambda: StatsConfig.auto().disabled_tags, True),
]


@pytest.mark.parametrize(
    ("variable", "raw", "read", "expected"), SECTION_VARIABLES, ids=[v[0] for v in SECTION_VARIABLES]
)
def test_each_section_variable_sets_its_field(
    variable: str, raw: str, read: Callable[[], Any], expected: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, raw)
    assert read() == expected

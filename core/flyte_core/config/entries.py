"""The option table: every configuration key flyte-core reads, in its three spellings.

Each ``ConfigEntry`` is one setting, known as an INI ``[section] option`` (legacy ``flytekit.config``),
as the environment variable ``FLYTE_<SECTION>_<OPTION>``, and, for the settings flytectl shares, as a
dotted path in the flytectl YAML file (``admin.endpoint``). The names are flytekit's, so existing files
and environment variables keep working. ``ConfigEntry.read`` applies flytekit's precedence: the
environment variable, else the file, else None (the caller's default).

Values are converted strictly: ``insecure: maybe`` or ``retries: abc`` is an error naming the file and
the key (or the variable), what was expected and what was found, where flytekit would guess or ignore.
An empty value counts as not set.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flyte_core.config.errors import ConfigError, describe_value

if TYPE_CHECKING:
    from flyte_core.config.files import ConfigFile

__all__ = ["ENTRIES", "ConfigEntry", "ValueKind", "read_fields"]


@dataclass(frozen=True)
class ValueKind:
    """A type of configuration value: how it is described to the user and how raw text becomes it.

    ``parse`` receives a string (environment, INI) or what YAML produced, and raises ValueError or
    TypeError when the value is not of this kind.
    """

    expected: str
    parse: Callable[[Any], Any]


def _parse_str(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise TypeError(value)
    return str(value)


_BOOLEANS = {"1": True, "yes": True, "true": True, "on": True, "0": False, "no": False, "false": False, "off": False}


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _BOOLEANS:
        return _BOOLEANS[value.strip().lower()]
    raise ValueError(value)


def _parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value.strip(), 10)
    raise TypeError(value)


def _parse_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [_parse_str(item) for item in value]
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    raise TypeError(value)


def _parse_seconds(value: Any) -> datetime.timedelta:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise TypeError(value)
    return datetime.timedelta(seconds=float(value))


_LOG_LEVELS = {"CRITICAL": 50, "FATAL": 50, "ERROR": 40, "WARNING": 30, "WARN": 30, "INFO": 20, "DEBUG": 10}


def _parse_log_level(value: Any) -> int:
    if isinstance(value, str) and value.strip().upper() in _LOG_LEVELS:
        return _LOG_LEVELS[value.strip().upper()]
    return _parse_int(value)


def _parse_auth_type(value: Any) -> Any:
    from flyte_core.config.platform import AuthType

    return AuthType.parse(_parse_str(value))


def _parse_s3_auth_type(value: Any) -> str:
    text = _parse_str(value).strip().lower()
    if text not in ("iam", "accesskey"):
        raise ValueError(value)
    return text


STR = ValueKind("a string", _parse_str)
BOOL = ValueKind("a boolean (true/false, yes/no, on/off or 1/0)", _parse_bool)
INT = ValueKind("an integer", _parse_int)
LIST = ValueKind("a list (comma-separated, or a YAML list)", _parse_list)
SECONDS = ValueKind("a number of seconds", _parse_seconds)
LOG_LEVEL = ValueKind(
    "a logging level (a number such as 10, or DEBUG, INFO, WARNING, ERROR, CRITICAL)", _parse_log_level
)
S3_AUTH_TYPE = ValueKind("an S3 auth type (iam or accesskey)", _parse_s3_auth_type)
AUTH_TYPE = ValueKind(
    "an auth type (Pkce, ClientSecret, ExternalCommand, DeviceFlow, standard, basic, client_credentials "
    "or external_process)",
    _parse_auth_type,
)


@dataclass(frozen=True)
class ConfigEntry:
    """One setting: its INI section/option (hence its environment variable), its kind and its YAML path."""

    section: str
    option: str
    kind: ValueKind = STR
    yaml_path: str | None = None

    @property
    def env_var(self) -> str:
        """``FLYTE_<SECTION>_<OPTION>``, upper-cased."""
        return f"FLYTE_{self.section.upper()}_{self.option.upper()}"

    @property
    def ini_key(self) -> str:
        """``[section] option``, as written in ``flytekit.config``."""
        return f"[{self.section}] {self.option}"

    def read(self, cfg: ConfigFile | None = None) -> Any:
        """The converted value from the environment, else from ``cfg``; None when neither sets it."""
        from_env = os.environ.get(self.env_var)
        if from_env is not None and from_env.strip():
            return self._convert(from_env, f"environment variable {self.env_var}", key=self.env_var, file=None)
        if cfg is None:
            return None
        found = cfg.lookup(self.section, self.option, self.yaml_path)
        if found is None:
            return None
        raw, key = found
        if isinstance(raw, str) and not raw.strip():
            return None
        return self._convert(raw, f"config file {cfg.location}: {key}", key=key, file=cfg.location)

    def _convert(self, raw: Any, where: str, *, key: str, file: str | None) -> Any:
        try:
            return self.kind.parse(raw)
        except (ValueError, TypeError, OverflowError):
            raise ConfigError(
                f"{where}: expected {self.kind.expected}, found {describe_value(raw)}", file=file, key=key
            ) from None


def read_fields(cfg: ConfigFile | None, fields: Mapping[str, ConfigEntry]) -> dict[str, Any]:
    """The settings among ``fields`` (field name -> entry) that are set, as keyword arguments for a config class."""
    values = {name: entry.read(cfg) for name, entry in fields.items()}
    return {name: value for name, value in values.items() if value is not None}


# --- [platform]: where the Flyte backend is ---------------------------------------------------------------
PLATFORM_URL = ConfigEntry("platform", "url", yaml_path="admin.endpoint")
PLATFORM_INSECURE = ConfigEntry("platform", "insecure", BOOL, "admin.insecure")
PLATFORM_INSECURE_SKIP_VERIFY = ConfigEntry("platform", "insecure_skip_verify", BOOL, "admin.insecureSkipVerify")
PLATFORM_CONSOLE_ENDPOINT = ConfigEntry("platform", "console_endpoint", yaml_path="console.endpoint")
PLATFORM_CA_CERT_FILE_PATH = ConfigEntry("platform", "ca_cert_file_path", yaml_path="admin.caCertFilePath")
PLATFORM_HTTP_PROXY_URL = ConfigEntry("platform", "http_proxy_url", yaml_path="admin.httpProxyURL")
PLATFORM_RPC_RETRIES = ConfigEntry("platform", "rpc_retries", INT)  # flyte-core only: flytekit has no key for it

# --- [credentials]: how to authenticate to it ------------------------------------------------------------
CREDENTIALS_COMMAND = ConfigEntry("credentials", "command", LIST, "admin.command")
CREDENTIALS_PROXY_COMMAND = ConfigEntry("credentials", "proxy_command", LIST, "admin.proxyCommand")
CREDENTIALS_CLIENT_ID = ConfigEntry("credentials", "client_id", yaml_path="admin.clientId")
CREDENTIALS_CLIENT_SECRET = ConfigEntry("credentials", "client_secret")
CREDENTIALS_CLIENT_SECRET_LOCATION = ConfigEntry(
    "credentials", "client_secret_location", yaml_path="admin.clientSecretLocation"
)
CREDENTIALS_CLIENT_SECRET_ENV_VAR = ConfigEntry(
    "credentials", "client_secret_env_var", yaml_path="admin.clientSecretEnvVar"
)
CREDENTIALS_SCOPES = ConfigEntry("credentials", "scopes", LIST, "admin.scopes")
CREDENTIALS_AUTH_MODE = ConfigEntry("credentials", "auth_mode", AUTH_TYPE, "admin.authType")
CREDENTIALS_AUDIENCE = ConfigEntry("credentials", "audience", yaml_path="admin.audience")

# --- [aws], [gcp], [azure], [persistence]: blob storage ---------------------------------------------------
AWS_ENDPOINT = ConfigEntry("aws", "endpoint", yaml_path="storage.connection.endpoint")
AWS_ACCESS_KEY_ID = ConfigEntry("aws", "access_key_id", yaml_path="storage.connection.access-key")
AWS_SECRET_ACCESS_KEY = ConfigEntry("aws", "secret_access_key", yaml_path="storage.connection.secret-key")
AWS_ENABLE_DEBUG = ConfigEntry("aws", "enable_debug", BOOL)
AWS_RETRIES = ConfigEntry("aws", "retries", INT)
AWS_BACKOFF_SECONDS = ConfigEntry("aws", "backoff_seconds", SECONDS)
AWS_ADDRESSING_STYLE = ConfigEntry("aws", "addressing_style", yaml_path="storage.connection.addressing-style")
# flyte-core only (flytectl's storage.connection keys; flytekit reads neither): used by flyte-plugin-s3
AWS_REGION = ConfigEntry("aws", "region", yaml_path="storage.connection.region")
AWS_DISABLE_SSL = ConfigEntry("aws", "disable_ssl", BOOL, "storage.connection.disable-ssl")
AWS_AUTH_TYPE = ConfigEntry("aws", "auth_type", S3_AUTH_TYPE, "storage.connection.auth-type")
GCP_GSUTIL_PARALLELISM = ConfigEntry("gcp", "gsutil_parallelism", BOOL)
AZURE_STORAGE_ACCOUNT_NAME = ConfigEntry("azure", "storage_account_name")
AZURE_STORAGE_ACCOUNT_KEY = ConfigEntry("azure", "storage_account_key")
AZURE_TENANT_ID = ConfigEntry("azure", "tenant_id")
AZURE_CLIENT_ID = ConfigEntry("azure", "client_id")
AZURE_CLIENT_SECRET = ConfigEntry("azure", "client_secret")
PERSISTENCE_ATTACH_EXECUTION_METADATA = ConfigEntry("persistence", "attach_execution_metadata", BOOL)

# --- [local]: local runs and the CLI's project/domain defaults -------------------------------------------
LOCAL_CACHE_ENABLED = ConfigEntry("local", "cache_enabled", BOOL)
LOCAL_CACHE_OVERWRITE = ConfigEntry("local", "cache_overwrite", BOOL)
LOCAL_CACHE_DIR = ConfigEntry("local", "cache_dir")
LOCAL_PROJECT = ConfigEntry("local", "project", yaml_path="task.project")
LOCAL_DOMAIN = ConfigEntry("local", "domain", yaml_path="task.domain")
LOCAL_ORG = ConfigEntry("local", "org", yaml_path="task.org")

# --- [sdk]: the SDK itself ------------------------------------------------------------------------------
SDK_WORKFLOW_PACKAGES = ConfigEntry("sdk", "workflow_packages", LIST)
SDK_LOCAL_SANDBOX = ConfigEntry("sdk", "local_sandbox")
SDK_LOGGING_LEVEL = ConfigEntry("sdk", "logging_level", LOG_LEVEL)
SDK_DEV_LOGGING_LEVEL = ConfigEntry("sdk", "dev_logging_level", LOG_LEVEL)
SDK_LOGGING_FORMAT = ConfigEntry("sdk", "logging_format")
SDK_RICH_TRACEBACKS = ConfigEntry("sdk", "rich_tracebacks", BOOL)

# --- [logger]: flytectl's logger section, read so tools can show it; it does not drive Python logging ------
LOGGER_SHOW_SOURCE = ConfigEntry("logger", "show_source", BOOL, "logger.show-source")
LOGGER_LEVEL = ConfigEntry("logger", "level", INT, "logger.level")

# --- [secrets]: where a running task finds its secrets ----------------------------------------------------
SECRETS_ENV_PREFIX = ConfigEntry("secrets", "env_prefix")
SECRETS_DEFAULT_DIR = ConfigEntry("secrets", "default_dir")
SECRETS_FILE_PREFIX = ConfigEntry("secrets", "file_prefix")

# --- statsd: flytekit files these under [secrets] (FLYTE_SECRETS_HOST...); kept so its variables still work --
STATSD_HOST = ConfigEntry("secrets", "host")
STATSD_PORT = ConfigEntry("secrets", "port", INT)
STATSD_DISABLED = ConfigEntry("secrets", "disabled", BOOL)
STATSD_DISABLE_TAGS = ConfigEntry("secrets", "disable_tags", BOOL)

ENTRIES: tuple[ConfigEntry, ...] = tuple(value for value in tuple(globals().values()) if isinstance(value, ConfigEntry))
"""Every entry above, in table order (for listings such as a future ``pyflyte config`` command)."""

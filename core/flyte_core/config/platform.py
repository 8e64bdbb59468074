"""How to reach and authenticate to a Flyte backend: ``PlatformConfig`` and ``AuthType``."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from pathlib import Path

from flyte_core.config import entries
from flyte_core.config.errors import ConfigError
from flyte_core.config.files import ConfigFile, ConfigFileLike, get_config_file

__all__ = ["AuthType", "PlatformConfig"]


class AuthType(enum.Enum):
    """How the client obtains credentials; flytekit's values and flyteidl's admin-client spellings."""

    STANDARD = "standard"
    BASIC = "basic"
    CLIENT_CREDENTIALS = "client_credentials"
    EXTERNAL_PROCESS = "external_process"
    CLIENTSECRET = "ClientSecret"
    PKCE = "Pkce"
    EXTERNALCOMMAND = "ExternalCommand"
    DEVICEFLOW = "DeviceFlow"

    @classmethod
    def parse(cls, value: str | AuthType) -> AuthType:
        """The member for a name or value in any case (``Pkce``, ``pkce``, ``clientSecret``...)."""
        if isinstance(value, AuthType):
            return value
        name = value.strip().upper() if isinstance(value, str) else None
        if name in cls.__members__:
            return cls[name]
        raise ValueError(f"unknown auth type {value!r}; expected one of {', '.join(m.value for m in cls)}")


_FIELDS = {
    "endpoint": entries.PLATFORM_URL,
    "insecure": entries.PLATFORM_INSECURE,
    "insecure_skip_verify": entries.PLATFORM_INSECURE_SKIP_VERIFY,
    "ca_cert_file_path": entries.PLATFORM_CA_CERT_FILE_PATH,
    "console_endpoint": entries.PLATFORM_CONSOLE_ENDPOINT,
    "command": entries.CREDENTIALS_COMMAND,
    "proxy_command": entries.CREDENTIALS_PROXY_COMMAND,
    "client_id": entries.CREDENTIALS_CLIENT_ID,
    "client_credentials_secret": entries.CREDENTIALS_CLIENT_SECRET,
    "scopes": entries.CREDENTIALS_SCOPES,
    "auth_mode": entries.CREDENTIALS_AUTH_MODE,
    "audience": entries.CREDENTIALS_AUDIENCE,
    "rpc_retries": entries.PLATFORM_RPC_RETRIES,
    "http_proxy_url": entries.PLATFORM_HTTP_PROXY_URL,
}


@dataclass(frozen=True)
class PlatformConfig:
    """Where the Flyte admin service is and how to authenticate to it.

    ``auth_mode`` accepts an ``AuthType`` or its name as a string (``"Pkce"``) and is stored as an
    ``AuthType``.
    """

    endpoint: str = "localhost:30080"
    insecure: bool = False
    insecure_skip_verify: bool = False
    ca_cert_file_path: str | None = None
    console_endpoint: str | None = None
    command: list[str] | None = None
    proxy_command: list[str] | None = None
    client_id: str | None = None
    client_credentials_secret: str | None = None
    scopes: list[str] = field(default_factory=list)
    auth_mode: AuthType = AuthType.STANDARD
    audience: str | None = None
    rpc_retries: int = 3
    http_proxy_url: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "auth_mode", AuthType.parse(self.auth_mode))

    @classmethod
    def auto(cls, config_file: ConfigFileLike = None) -> PlatformConfig:
        """Read from the environment, then the config file, then these defaults.

        ``dns:///`` is stripped from the endpoint. A client secret read through ``client_secret_location``
        (a file) or ``client_secret_env_var`` (the name of a variable holding it) switches ``auth_mode``
        to ``ClientSecret``, as flytekit does.
        """
        cfg = get_config_file(config_file)
        kwargs = entries.read_fields(cfg, _FIELDS)
        if "endpoint" in kwargs:
            kwargs["endpoint"] = kwargs["endpoint"].replace("dns:///", "")
        secret = _client_secret(cfg)
        if secret is not None:
            kwargs["client_credentials_secret"] = secret
            kwargs["auth_mode"] = AuthType.CLIENTSECRET
        return cls(**kwargs)

    @classmethod
    def for_endpoint(cls, endpoint: str, insecure: bool = False) -> PlatformConfig:
        """A config for ``endpoint`` with every other setting at its default."""
        return cls(endpoint=endpoint, insecure=insecure)


def _client_secret(cfg: ConfigFile | None) -> str | None:
    """The secret in the variable named by ``client_secret_env_var``, else in the ``client_secret_location`` file."""
    secret = None
    location = entries.CREDENTIALS_CLIENT_SECRET_LOCATION.read(cfg)
    if location:
        try:
            content = Path(location).read_text()
        except OSError as exc:
            raise ConfigError(
                f"the client secret file {location!r} (set by credentials.client_secret_location / "
                f"admin.clientSecretLocation) cannot be read: {exc.strerror or exc}",
                file=location,
                key=entries.CREDENTIALS_CLIENT_SECRET_LOCATION.ini_key,
            ) from exc
        secret = (content.strip() if content.endswith("\n") else content) or None
    variable = entries.CREDENTIALS_CLIENT_SECRET_ENV_VAR.read(cfg)
    if variable and os.environ.get(variable):
        secret = os.environ[variable]
    return secret

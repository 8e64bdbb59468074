"""The S3 settings in effect: s3fs storage options from ``S3Config``, and where each setting came from.

The options follow flytekit's ``s3_setup_args``: the endpoint, key and secret given by flyte configuration
(``FLYTE_AWS_*``, ``[aws]``, ``storage.connection.*``), otherwise botocore's own credential chain
(``AWS_ACCESS_KEY_ID``, profiles, instance roles); ``anon=True`` for anonymous access. Unlike flytekit,
the configured addressing style is passed as given (flytekit always passes ``virtual``), and flytectl's
``region``, ``disable-ssl`` and ``auth-type`` are honoured. Nothing here imports s3fs or botocore.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from flyte_core.config import entries
from flyte_core.config.data import S3Config
from flyte_core.config.entries import ConfigEntry
from flyte_core.config.files import ConfigFile

__all__ = [
    "S3SettingsError",
    "Setting",
    "describe_credential_chain",
    "describe_settings",
    "mask",
    "storage_options",
    "write_chunk_size",
]

WRITE_CHUNK_SIZE_ENV_VAR = "_F_P_WRITE_CHUNK_SIZE"
"""flytekit's variable for the part size of multipart uploads (bytes)."""
_DEFAULT_WRITE_CHUNK_SIZE = 25 * 2**20  # flytekit's default: 25 MiB parts

# The S3Config fields shown by `pyflyte s3 check`, with the entry each is read from.
_SHOWN: tuple[tuple[str, ConfigEntry], ...] = (
    ("endpoint", entries.AWS_ENDPOINT),
    ("region", entries.AWS_REGION),
    ("auth_type", entries.AWS_AUTH_TYPE),
    ("access_key_id", entries.AWS_ACCESS_KEY_ID),
    ("secret_access_key", entries.AWS_SECRET_ACCESS_KEY),
    ("addressing_style", entries.AWS_ADDRESSING_STYLE),
    ("disable_ssl", entries.AWS_DISABLE_SSL),
    ("retries", entries.AWS_RETRIES),
    ("backoff", entries.AWS_BACKOFF_SECONDS),
)
_SECRETS = {"secret_access_key"}


class S3SettingsError(ValueError):
    """The S3 settings contradict each other (``auth-type: accesskey`` without keys...)."""


@dataclass(frozen=True)
class Setting:
    """One effective S3 setting, for display: its value (a secret masked) and where it came from."""

    name: str
    value: str
    source: str


def write_chunk_size() -> int:
    """The part size of multipart uploads: ``_F_P_WRITE_CHUNK_SIZE`` bytes, else flytekit's 25 MiB."""
    raw = os.environ.get(WRITE_CHUNK_SIZE_ENV_VAR, "").strip()
    if not raw:
        return _DEFAULT_WRITE_CHUNK_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise S3SettingsError(f"{WRITE_CHUNK_SIZE_ENV_VAR}={raw!r}: expected a number of bytes") from None
    if size < 5 * 2**20:
        raise S3SettingsError(f"{WRITE_CHUNK_SIZE_ENV_VAR}={size}: S3 parts must be at least 5 MiB (5242880 bytes)")
    return size


def storage_options(s3: S3Config, anonymous: bool = False) -> dict[str, Any]:
    """The ``s3fs.S3FileSystem`` keyword arguments for ``s3`` (flytekit's ``s3_setup_args``, extended).

    Raises:
        S3SettingsError: ``auth_type`` is ``accesskey`` but the key id or the secret is missing.
    """
    options: dict[str, Any] = {}
    client_kwargs: dict[str, Any] = {}
    if s3.endpoint:
        options["endpoint_url"] = _endpoint_url(s3.endpoint, s3.disable_ssl)
    else:
        options["cache_regions"] = True  # AWS itself: find each bucket's region (as flytekit does)
    if s3.disable_ssl:
        options["use_ssl"] = False
    if s3.region:
        client_kwargs["region_name"] = s3.region
    if s3.auth_type == "accesskey" and not (s3.access_key_id and s3.secret_access_key):
        raise S3SettingsError(
            "S3 auth type 'accesskey' needs an access key id and a secret: set storage.connection.access-key and "
            "storage.connection.secret-key (or FLYTE_AWS_ACCESS_KEY_ID and FLYTE_AWS_SECRET_ACCESS_KEY)"
        )
    if anonymous:
        options["anon"] = True
    elif s3.auth_type != "iam":  # iam: the environment's role / credential chain, whatever keys are configured
        if s3.access_key_id:
            options["key"] = s3.access_key_id
        if s3.secret_access_key:
            options["secret"] = s3.secret_access_key
    config_kwargs: dict[str, Any] = {"retries": {"max_attempts": s3.retries, "mode": "standard"}}
    if s3.addressing_style:
        config_kwargs["s3"] = {"addressing_style": s3.addressing_style}
    options["config_kwargs"] = config_kwargs
    if client_kwargs:
        options["client_kwargs"] = client_kwargs
    return options


def _endpoint_url(endpoint: str, disable_ssl: bool) -> str:
    """The endpoint as a URL: flytectl accepts ``host:port``, botocore needs a scheme."""
    if "://" in endpoint:
        return endpoint
    return f"{'http' if disable_ssl else 'https'}://{endpoint}"


def describe_settings(s3: S3Config, cfg: ConfigFile | None) -> list[Setting]:
    """Each S3 setting in effect and its source: an environment variable, a config file key, or the default.

    The secret is masked. Credentials flyte configuration does not give come from botocore's chain, which
    ``describe_credential_chain`` resolves; this function does not import botocore.
    """
    shown: list[Setting] = []
    for name, entry in _SHOWN:
        value = getattr(s3, name)
        source = _source(entry, cfg)
        if name in _SECRETS and value:
            text = mask(str(value))
        elif name == "backoff":
            text = f"{value.total_seconds():g}s"
        else:
            text = "(not set)" if value is None else str(value)
        if s3.auth_type == "iam" and name in ("access_key_id", "secret_access_key") and value:
            source += "; ignored (auth type iam)"
        shown.append(Setting(name, text, source))
    return shown


def _source(entry: ConfigEntry, cfg: ConfigFile | None) -> str:
    """Where ``entry``'s value comes from, by ``ConfigEntry.read``'s precedence."""
    if os.environ.get(entry.env_var, "").strip():
        return f"env {entry.env_var}"
    found = cfg.lookup(entry.section, entry.option, entry.yaml_path) if cfg is not None else None
    if found is not None and not (isinstance(found[0], str) and not found[0].strip()):
        return f"config file {cfg.location if cfg else ''}: {found[1]}"
    return "default"


def mask(secret: str) -> str:
    """A secret shown only by its length and last two characters: ``********ab``."""
    return "*" * max(len(secret) - 2, 4) + secret[-2:] if len(secret) > 6 else "*" * 8


def describe_credential_chain(s3: S3Config) -> Setting | None:
    """Where botocore finds credentials when flyte configuration gives none (None when it gives them)."""
    if s3.auth_type != "iam" and s3.access_key_id and s3.secret_access_key:
        return None
    import botocore.session

    credentials = botocore.session.Session().get_credentials()
    if credentials is None:
        return Setting("credentials", "none found", "AWS credential chain (AWS_* env, profiles, instance role)")
    return Setting(
        "credentials",
        f"access key id {credentials.access_key}",
        f"AWS credential chain: {credentials.method}",
    )

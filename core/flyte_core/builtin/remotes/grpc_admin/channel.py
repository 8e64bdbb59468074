"""The gRPC channel to a Flyte admin: where it is (``admin.endpoint``), TLS or plaintext, and the channel options.

As flytekit: plaintext when ``admin.insecure``; otherwise TLS with the system roots, the CA in
``admin.caCertFilePath``, or (``admin.insecureSkipVerify``) whatever certificate the server presents.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flyte_core.config.errors import ConfigError

if TYPE_CHECKING:
    import grpc  # type: ignore[import-untyped, unused-ignore]

    from flyte_core.config import PlatformConfig

__all__ = ["MAX_MESSAGE_BYTES", "AdminTarget", "ChannelOptions", "channel_options", "open_channel", "parse_endpoint"]

MAX_MESSAGE_BYTES = 20 * 1024 * 1024
"""Largest message sent or received (flytekit's limit; gRPC's default receive limit is 4 MiB)."""

ChannelOptions = Sequence[tuple[str, Any]] | Mapping[str, Any]
"""gRPC channel options as a list of ``(key, value)`` pairs (gRPC's form) or a mapping."""

_DEFAULT_TLS_PORT = 443


@dataclass(frozen=True)
class AdminTarget:
    """An admin endpoint resolved from ``admin.endpoint``.

    Attributes:
        endpoint: ``host:port`` (or ``host``) without any scheme, as used in messages and console URLs.
        target: the gRPC target string the channel dials.
        secure: whether the channel uses TLS.
    """

    endpoint: str
    target: str
    secure: bool

    @property
    def host_and_port(self) -> tuple[str, int]:
        """``(host, port)``, the port defaulting to 443 as gRPC's own resolver does."""
        host, sep, port = self.endpoint.rpartition(":")
        if sep and port.isdigit() and (not host.startswith("[") or host.endswith("]")):
            return host.strip("[]"), int(port)
        return self.endpoint.strip("[]"), _DEFAULT_TLS_PORT


def parse_endpoint(endpoint: str, insecure: bool) -> AdminTarget:
    """Resolve ``dns:///h:p``, ``h:p`` (TLS unless ``insecure``), ``grpc://h:p`` (plaintext) or ``grpcs://h:p`` (TLS).

    Raises:
        ConfigError: the endpoint is empty or has a scheme this transport does not speak.
    """
    text = endpoint.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    scheme = scheme.lower()
    if scheme == "dns":
        # dns:///host:port, or dns://resolver/host:port: gRPC dials it as written.
        address = rest.rsplit("/", 1)[-1]
        target, secure = text, not insecure
    elif scheme in ("grpc", "grpcs"):
        address = rest.strip("/")
        target, secure = address, scheme == "grpcs"
    elif scheme == "":
        address = rest.strip("/")
        target, secure = address, not insecure
    else:
        raise ConfigError(
            f"admin endpoint {endpoint!r}: the gRPC admin transport speaks host:port, dns:///host:port, "
            f"grpc://host:port (plaintext) or grpcs://host:port (TLS), not {scheme}://",
            key="admin.endpoint",
        )
    if not address:
        raise ConfigError(
            f"admin endpoint {endpoint!r} names no host: set admin.endpoint (FLYTE_PLATFORM_URL) to host:port",
            key="admin.endpoint",
        )
    return AdminTarget(endpoint=address, target=target, secure=secure)


def channel_options(platform: PlatformConfig, extra: ChannelOptions | None = None) -> list[tuple[str, Any]]:
    """The channel options: 20 MiB messages, the HTTP proxy from ``admin.httpProxyURL``, then ``extra`` (winning)."""
    from flyte_core._version import __version__

    merged: dict[str, Any] = {
        "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
        "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
        "grpc.primary_user_agent": f"flyte-core/{__version__}",
    }
    if platform.http_proxy_url:
        merged["grpc.http_proxy"] = platform.http_proxy_url
    if extra:
        merged.update(extra.items() if isinstance(extra, Mapping) else extra)
    return list(merged.items())


def open_channel(
    platform: PlatformConfig,
    target: AdminTarget,
    *,
    options: ChannelOptions | None = None,
    compression: Any = None,
    credentials: grpc.ChannelCredentials | None = None,
    root_certificates: bytes | None = None,
    private_key: bytes | None = None,
    certificate_chain: bytes | None = None,
) -> grpc.Channel:
    """A plaintext or TLS channel to ``target``; ``credentials`` (or the PEM keyword arguments) replace the TLS setup.

    Raises:
        ConfigError: the CA file in ``admin.caCertFilePath`` cannot be read.
        OSError: ``admin.insecureSkipVerify`` is set and the server's certificate cannot be fetched.
    """
    import grpc

    opts = channel_options(platform, options)
    if not target.secure:
        return grpc.insecure_channel(target.target, options=opts, compression=compression)
    if credentials is None:
        if root_certificates is None and private_key is None and certificate_chain is None:
            root_certificates = _trusted_roots(platform, target)
        credentials = grpc.ssl_channel_credentials(
            root_certificates=root_certificates, private_key=private_key, certificate_chain=certificate_chain
        )
    return grpc.secure_channel(target.target, credentials, options=opts, compression=compression)


def _trusted_roots(platform: PlatformConfig, target: AdminTarget) -> bytes | None:
    """The PEM roots to trust: the server's own certificate, the configured CA file, or None (the system roots)."""
    if platform.insecure_skip_verify:
        return ssl.get_server_certificate(target.host_and_port, timeout=10).encode()
    if platform.ca_cert_file_path:
        path = platform.ca_cert_file_path
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except OSError as exc:
            raise ConfigError(
                f"the CA certificate file {path!r} (admin.caCertFilePath / FLYTE_PLATFORM_CA_CERT_FILE_PATH) for "
                f"{target.endpoint} cannot be read: {exc.strerror or exc}",
                file=path,
                key="admin.caCertFilePath",
            ) from exc
    return None

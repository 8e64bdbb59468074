"""``GrpcAdminBackend``: FlyteRemote's transport to a Flyte admin over gRPC (the ``RemoteBackend`` protocol).

Per call: send the request (with the current token, if the server ever asked for one); on UNAVAILABLE retry
with exponential back-off up to ``admin.rpc_retries`` times; on UNAUTHENTICATED renew the credentials once
and send it again; map any other failure to a flyte_core exception (``errors``). Nothing else is retried:
ALREADY_EXISTS is an answer, sent once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flyte_core.builtin.remotes.grpc_admin.auth import (
    AuthContext,
    Authenticator,
    AuthError,
    AuthMetadata,
    OAuthHttp,
    build_authenticator,
    discover,
    run_token_command,
)
from flyte_core.builtin.remotes.grpc_admin.channel import ChannelOptions, open_channel, parse_endpoint
from flyte_core.builtin.remotes.grpc_admin.errors import (
    auth_failed,
    is_auth_challenge,
    is_retryable,
    rpc_exception,
    tagged,
    unreachable,
)
from flyte_core.exceptions.user import FlyteAuthenticationException

if TYPE_CHECKING:
    import grpc  # type: ignore[import-untyped, unused-ignore]
    from google.protobuf.message import Message

    from flyte_core.config import Config

__all__ = ["GrpcAdminBackend"]

_STUBS: dict[str, tuple[str, str]] = {
    "AdminService": ("flyteidl.service.admin_pb2_grpc", "AdminServiceStub"),
    "DataProxyService": ("flyteidl.service.dataproxy_pb2_grpc", "DataProxyServiceStub"),
    "SignalService": ("flyteidl.service.signal_pb2_grpc", "SignalServiceStub"),
    "AuthMetadataService": ("flyteidl.service.auth_pb2_grpc", "AuthMetadataServiceStub"),
    "IdentityService": ("flyteidl.service.identity_pb2_grpc", "IdentityServiceStub"),
}
_BACKOFF_FIRST = 0.2
_BACKOFF_MAX = 5.0
_DISCOVERY_TIMEOUT = 30.0
_MAX_RENEWALS = 3
_DEFAULT_METADATA = (("accept", "application/grpc"),)


class GrpcAdminBackend:
    """A connection to one Flyte admin over gRPC; the channel opens on the first ``call``.

    Args:
        config: ``config.platform`` gives the endpoint, TLS, retries and auth settings.
        options: extra gRPC channel options (``[("grpc.keepalive_time_ms", 10000)]`` or a dict), winning
            over the defaults.
        compression: the channel's ``grpc.Compression``.
        credentials: ``grpc.ChannelCredentials`` replacing the TLS setup from the config.
        root_certificates, private_key, certificate_chain: PEM bytes for the TLS channel (mutual TLS).
        open_browser: opens the login URL for the PKCE flow (``webbrowser.open`` by default).
        login_timeout: seconds an interactive login (browser, device code) may take.

    Attributes:
        endpoint: the admin's ``host:port`` without scheme.
        secure: whether the channel uses TLS (so the console is at ``https://``).
    """

    def __init__(
        self,
        config: Config,
        *,
        options: ChannelOptions | None = None,
        compression: Any = None,
        credentials: grpc.ChannelCredentials | None = None,
        root_certificates: bytes | None = None,
        private_key: bytes | None = None,
        certificate_chain: bytes | None = None,
        open_browser: Callable[[str], object] | None = None,
        login_timeout: float = 300.0,
    ) -> None:
        self.config = config
        self.platform = config.platform
        self._target = parse_endpoint(self.platform.endpoint, self.platform.insecure)
        self.endpoint = self._target.endpoint
        self.secure = self._target.secure
        self._channel_kwargs: dict[str, Any] = {
            "options": options,
            "compression": compression,
            "credentials": credentials,
            "root_certificates": root_certificates,
            "private_key": private_key,
            "certificate_chain": certificate_chain,
        }
        self._open_browser = open_browser
        self._login_timeout = login_timeout
        self._lock = threading.Lock()
        self._channel: grpc.Channel | None = None
        self._stubs: dict[str, Any] = {}
        self._closed = False
        self._authenticator: Authenticator | None = None
        self._auth_metadata: AuthMetadata | None = None
        self._discovery_lock = threading.Lock()
        self._proxy_header: tuple[str, str] | None = None

    def __repr__(self) -> str:
        return f"GrpcAdminBackend({self.endpoint!r}, secure={self.secure})"

    @property
    def base_url(self) -> str:
        """``https://endpoint`` (or ``http://`` for a plaintext channel): the default console address."""
        return f"{'https' if self.secure else 'http'}://{self.endpoint}"

    # ------------------------------------------------------------------------------------------
    # RemoteBackend
    # ------------------------------------------------------------------------------------------

    def call(self, service: str, method: str, request: Message, timeout: float | None = None) -> Any:
        """Send ``request`` to ``service``'s ``method``; return the response message.

        Raises:
            FlyteException: the mapped failure, ``rpc`` and ``code`` set (see ``errors``).
            ValueError: ``service`` or ``method`` is not a flyteidl RPC.
        """
        return self._call(service, method, request, timeout, authenticate=True)

    def close(self) -> None:
        """Close the channel; calls made afterwards raise ``RuntimeError``."""
        with self._lock:
            self._closed = True
            channel, self._channel = self._channel, None
            self._stubs.clear()
        if channel is not None:
            channel.close()

    def __enter__(self) -> GrpcAdminBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------------------
    # Calling
    # ------------------------------------------------------------------------------------------

    def _call(self, service: str, method: str, request: Message, timeout: float | None, *, authenticate: bool) -> Any:
        import grpc

        invoke = self._rpc(service, method)
        attempt = renewals = 0
        logged_in = False
        while True:
            generation, metadata = self._metadata(method, authenticate)
            try:
                return invoke(request, timeout=timeout, metadata=metadata)
            except grpc.RpcError as err:
                code, details = _status(err)
            if is_retryable(code, details) and attempt < self.platform.rpc_retries:
                time.sleep(min(_BACKOFF_FIRST * 2**attempt, _BACKOFF_MAX))
                attempt += 1
                continue
            if authenticate and is_auth_challenge(code, details):
                authenticator = self._get_authenticator()
                if logged_in or renewals >= _MAX_RENEWALS:
                    raise self._auth_failed(method, f"the server rejected the new credentials ({details or code})")
                try:
                    logged_in = not authenticator.renew(generation)
                except AuthError as exc:
                    raise self._auth_failed(method, str(exc)) from None
                renewals += 1
                continue
            raise rpc_exception(
                method,
                code,
                details,
                self.endpoint,
                request=request,
                attempts=attempt + 1,
                secure=self.secure,
                timeout=timeout,
            )

    def _metadata(self, method: str, authenticate: bool) -> tuple[int, list[tuple[str, str]]]:
        """The generation of the token sent, and the call's metadata (token, proxy token)."""
        metadata = list(_DEFAULT_METADATA)
        if self.platform.proxy_command:
            metadata.append(self._proxy_authorization(method))
        generation = 0
        if authenticate and self._authenticator is not None:
            try:
                generation, token = self._authenticator.metadata()
            except AuthError as exc:
                raise self._auth_failed(method, str(exc)) from None
            metadata.extend(token)
        return generation, metadata

    def _proxy_authorization(self, method: str) -> tuple[str, str]:
        """The ``proxy-authorization`` header from ``admin.proxyCommand``, run once per backend."""
        with self._lock:
            if self._proxy_header is None:
                try:
                    token = run_token_command(self.platform.proxy_command or [], "admin.proxyCommand")
                except AuthError as exc:
                    raise tagged(
                        FlyteAuthenticationException(
                            f"{method}: no token for the proxy in front of {self.endpoint}: {exc}. Check "
                            "admin.proxyCommand (credentials.proxy_command)"
                        ),
                        method,
                        "UNAUTHENTICATED",
                    ) from None
                self._proxy_header = ("proxy-authorization", f"Bearer {token}")
            return self._proxy_header

    def _rpc(self, service: str, method: str) -> Any:
        """The stub's callable for ``service``/``method``, opening the channel on first use."""
        if service not in _STUBS:
            raise ValueError(f"unknown service {service!r}; the gRPC admin serves {', '.join(_STUBS)}")
        with self._lock:
            if self._closed:
                raise RuntimeError(f"the backend for {self.endpoint} is closed")
            stub = self._stubs.get(service)
            if stub is None:
                import importlib

                module_name, stub_name = _STUBS[service]
                stub = getattr(importlib.import_module(module_name), stub_name)(self._open_channel(method))
                self._stubs[service] = stub
        invoke = getattr(stub, method, None) if method[:1].isupper() else None
        if invoke is None:
            raise ValueError(f"{service} has no RPC {method!r}")
        return invoke

    def _open_channel(self, method: str) -> grpc.Channel:
        if self._channel is None:
            try:
                self._channel = open_channel(self.platform, self._target, **self._channel_kwargs)
            except OSError as exc:  # fetching the server's certificate for admin.insecureSkipVerify
                problem = f"its TLS certificate (admin.insecureSkipVerify) could not be fetched: {exc}"
                raise unreachable(method, self.endpoint, problem) from None
        return self._channel

    # ------------------------------------------------------------------------------------------
    # Credentials
    # ------------------------------------------------------------------------------------------

    def _get_authenticator(self) -> Authenticator:
        """The authenticator, built the first time the server asks for credentials."""
        with self._lock:
            if self._authenticator is None:
                context = AuthContext(
                    platform=self.platform,
                    endpoint=self.endpoint,
                    metadata=self._discover,
                    http=OAuthHttp(self.platform),
                    open_browser=self._open_browser or _open_in_browser,
                    login_timeout=self._login_timeout,
                )
                self._authenticator = build_authenticator(context)
            return self._authenticator

    def _auth_failed(self, method: str, problem: str) -> FlyteAuthenticationException:
        """The error naming the auth mode and what to check, for a call of ``method``."""
        authenticator = self._get_authenticator()
        return auth_failed(method, self.endpoint, authenticator.mode, problem, authenticator.flow.hint)

    def _discover(self) -> AuthMetadata:
        """The server's auth metadata merged with the config, asked once, without credentials."""
        with self._discovery_lock:
            if self._auth_metadata is None:

                def fetch(method: str, request: Any) -> Any:
                    return self._call("AuthMetadataService", method, request, _DISCOVERY_TIMEOUT, authenticate=False)

                try:
                    self._auth_metadata = discover(self.platform, fetch)
                except Exception as exc:
                    raise AuthError(f"the server's auth metadata could not be read: {exc}") from None
            return self._auth_metadata


def _status(err: Any) -> tuple[str, str]:
    """The status name and details of a ``grpc.RpcError``."""
    code = err.code() if callable(getattr(err, "code", None)) else None
    details = err.details() if callable(getattr(err, "details", None)) else None
    return (code.name if code is not None else "UNKNOWN"), (details or "")


def _open_in_browser(url: str) -> object:
    import webbrowser

    return webbrowser.open(url)

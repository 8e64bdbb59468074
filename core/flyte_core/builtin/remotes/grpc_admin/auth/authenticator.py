"""``Authenticator``: the current token of one backend, renewed when the server rejects it or it expires.

Nothing happens until the server first asks for credentials: no keyring access, no metadata RPC. Then the
cached token (interactive modes) is tried, then the flow of ``admin.authType``. Thread-safe: concurrent
calls rejected together renew once, and wait for a login in progress rather than starting another.
"""

from __future__ import annotations

import threading

from flyte_core.builtin.remotes.grpc_admin.auth.client_credentials import ClientCredentialsFlow
from flyte_core.builtin.remotes.grpc_admin.auth.device_flow import DeviceCodeFlow
from flyte_core.builtin.remotes.grpc_admin.auth.external_command import ExternalCommandFlow
from flyte_core.builtin.remotes.grpc_admin.auth.flow import AuthContext, TokenFlow
from flyte_core.builtin.remotes.grpc_admin.auth.oauth_http import Token
from flyte_core.builtin.remotes.grpc_admin.auth.pkce import PkceFlow
from flyte_core.builtin.remotes.grpc_admin.auth.token_cache import TokenCache
from flyte_core.config.platform import AuthType

__all__ = ["Authenticator", "build_authenticator"]

_FLOWS: dict[AuthType, type[TokenFlow]] = {
    AuthType.STANDARD: PkceFlow,
    AuthType.PKCE: PkceFlow,
    AuthType.BASIC: ClientCredentialsFlow,
    AuthType.CLIENT_CREDENTIALS: ClientCredentialsFlow,
    AuthType.CLIENTSECRET: ClientCredentialsFlow,
    AuthType.EXTERNAL_PROCESS: ExternalCommandFlow,
    AuthType.EXTERNALCOMMAND: ExternalCommandFlow,
    AuthType.DEVICEFLOW: DeviceCodeFlow,
}


class Authenticator:
    """Holds the token ``flow`` obtained, and its metadata header; ``cache`` keeps tokens across processes."""

    def __init__(self, flow: TokenFlow, cache: TokenCache | None = None) -> None:
        self.flow = flow
        self.cache = cache
        self._lock = threading.Lock()
        self._token: Token | None = None
        self._header_key = ""
        self._generation = 0

    @property
    def mode(self) -> str:
        """The auth mode, for messages: ``ClientSecret (OAuth2 client credentials)``."""
        return self.flow.mode

    def metadata(self) -> tuple[int, list[tuple[str, str]]]:
        """The token's generation and the header carrying it (none before the first renewal).

        An expired token is renewed first. Raises ``AuthError`` when that fails.
        """
        with self._lock:
            if self._token is not None and self._token.expired():
                self._renew()
            if self._token is None:
                return self._generation, []
            return self._generation, [(self._header_key, f"Bearer {self._token.access_token}")]

    def renew(self, generation: int) -> bool:
        """Replace the token sent with ``generation`` (the server rejected it); True if it came without a login.

        When another thread already renewed it, the newer token is kept. Raises ``AuthError`` when no token
        could be obtained.
        """
        with self._lock:
            if generation != self._generation:
                return True
            return self._renew()

    def _renew(self) -> bool:
        rejected, self._token = self._token, None
        previous = rejected
        if self.cache is not None:
            cached = self.cache.load()
            if cached is not None and rejected is not None and cached.access_token == rejected.access_token:
                self.cache.forget_access_token()
                cached = Token(access_token="", refresh_token=cached.refresh_token)
            if cached is not None and cached.access_token and not cached.expired():
                self._install(cached)
                return True
            if cached is not None and cached.refresh_token:
                previous = cached
        token = self.flow.fetch(previous)
        if self.cache is not None:
            self.cache.save(token)
        self._install(token)
        return False

    def _install(self, token: Token) -> None:
        self._header_key = self.flow.header_key()
        self._token = token
        self._generation += 1


def build_authenticator(context: AuthContext) -> Authenticator:
    """The authenticator for ``admin.authType``, with the keyring-backed cache for interactive logins."""
    flow = _FLOWS[context.platform.auth_mode](context)
    return Authenticator(flow, TokenCache(context.endpoint) if flow.keeps_tokens else None)

"""What every way of obtaining a token shares: ``TokenFlow`` (one per ``admin.authType``), its context and errors."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from flyte_core.builtin.remotes.grpc_admin.auth.discovery import AuthMetadata
    from flyte_core.builtin.remotes.grpc_admin.auth.oauth_http import OAuthHttp, Token
    from flyte_core.config import PlatformConfig

__all__ = ["AuthContext", "AuthError", "TokenFlow"]


class AuthError(Exception):
    """No token could be obtained; the message says why and never contains a secret."""


@dataclass(frozen=True)
class AuthContext:
    """What a flow may use.

    Attributes:
        endpoint: the admin endpoint (``host:port``), for messages and the token cache.
        metadata: the server's auth metadata (discovered on first call, then cached by the caller).
        http: the OAuth2 HTTP client (TLS and proxy as configured).
        open_browser: opens a URL for an interactive login (``webbrowser.open`` unless replaced).
        login_timeout: seconds an interactive login (browser, device code) may take.
    """

    platform: PlatformConfig
    endpoint: str
    metadata: Callable[[], AuthMetadata]
    http: OAuthHttp
    open_browser: Callable[[str], object]
    login_timeout: float


class TokenFlow(ABC):
    """One way of obtaining an access token for the admin.

    Attributes:
        kind: what the flow is, for messages (``"OAuth2 client credentials"``).
        hint: what the user should check when the flow fails or its token is rejected.
        keeps_tokens: whether tokens go to the token cache (the OS keyring) to survive the process.
    """

    kind: ClassVar[str]
    hint: ClassVar[str]
    keeps_tokens: ClassVar[bool] = False

    def __init__(self, context: AuthContext) -> None:
        self.context = context

    @property
    def mode(self) -> str:
        """The configured ``admin.authType`` and what it means, e.g. ``ClientSecret (OAuth2 client credentials)``."""
        return f"{self.context.platform.auth_mode.value} ({self.kind})"

    def header_key(self) -> str:
        """The gRPC metadata key the token is sent in, as the server names it."""
        return self.context.metadata().header_key

    @abstractmethod
    def fetch(self, previous: Token | None) -> Token:
        """A new token; ``previous`` (the rejected or cached one) may offer a refresh token.

        Raises:
            AuthError: no token could be obtained.
        """

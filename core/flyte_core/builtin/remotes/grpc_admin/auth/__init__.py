"""Credentials for the gRPC admin transport: one ``TokenFlow`` per ``admin.authType``, run when the server asks."""

from flyte_core.builtin.remotes.grpc_admin.auth.authenticator import Authenticator, build_authenticator
from flyte_core.builtin.remotes.grpc_admin.auth.discovery import AuthMetadata, discover
from flyte_core.builtin.remotes.grpc_admin.auth.external_command import run_token_command
from flyte_core.builtin.remotes.grpc_admin.auth.flow import AuthContext, AuthError, TokenFlow
from flyte_core.builtin.remotes.grpc_admin.auth.oauth_http import OAuthHttp, Token
from flyte_core.builtin.remotes.grpc_admin.auth.token_cache import TokenCache

__all__ = [
    "AuthContext",
    "AuthError",
    "AuthMetadata",
    "Authenticator",
    "OAuthHttp",
    "Token",
    "TokenCache",
    "TokenFlow",
    "build_authenticator",
    "discover",
    "run_token_command",
]

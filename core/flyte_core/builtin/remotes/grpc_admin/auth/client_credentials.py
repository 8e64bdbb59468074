"""``ClientSecret`` / ``client_credentials`` / ``basic``: a token for a service account, from its id and secret."""

from __future__ import annotations

from flyte_core.builtin.remotes.grpc_admin.auth.flow import AuthError, TokenFlow
from flyte_core.builtin.remotes.grpc_admin.auth.oauth_http import OAuthError, Token, basic_authorization

__all__ = ["ClientCredentialsFlow"]


class ClientCredentialsFlow(TokenFlow):
    """OAuth2 client credentials grant (RFC 6749 §4.4), the client authenticated with HTTP Basic."""

    kind = "OAuth2 client credentials"
    hint = (
        "Check admin.clientId and the client secret (admin.clientSecretLocation, admin.clientSecretEnvVar or "
        "FLYTE_CREDENTIALS_CLIENT_SECRET), and admin.scopes / admin.audience"
    )

    def fetch(self, previous: Token | None) -> Token:
        platform = self.context.platform
        metadata = self.context.metadata()
        client_id = platform.client_id  # the server's public client (flytectl) has no secret: never use it here
        if not client_id or not platform.client_credentials_secret:
            missing = "admin.clientId" if not client_id else "the client secret"
            raise AuthError(f"{missing} is not set")
        form = {"grant_type": "client_credentials"}
        if metadata.scopes:
            form["scope"] = " ".join(metadata.scopes)
        if metadata.audience:
            form["audience"] = metadata.audience
        authorization = basic_authorization(client_id, platform.client_credentials_secret)
        try:
            return self.context.http.request_token(metadata.token_endpoint, form, authorization=authorization)
        except OAuthError as exc:
            raise AuthError(f"no token for client {client_id!r}: {exc}") from None

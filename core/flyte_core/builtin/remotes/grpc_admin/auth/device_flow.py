"""``DeviceFlow``: log in on another device with a short code (OAuth2 device authorization grant, RFC 8628)."""

from __future__ import annotations

import sys
import time

from flyte_core.builtin.remotes.grpc_admin.auth.flow import AuthError, TokenFlow
from flyte_core.builtin.remotes.grpc_admin.auth.oauth_http import OAuthError, Token
from flyte_core.builtin.remotes.grpc_admin.auth.pkce import refresh_with

__all__ = ["DeviceCodeFlow"]

_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
_DEFAULT_INTERVAL = 5.0
_SLOW_DOWN_STEP = 5.0


class DeviceCodeFlow(TokenFlow):
    """Print a verification URL and code, then poll the token endpoint until the user has logged in."""

    kind = "OAuth2 device code login"
    hint = "Open the printed address and enter the code in time; check admin.clientId, admin.scopes and admin.audience"
    keeps_tokens = True

    def fetch(self, previous: Token | None) -> Token:
        metadata = self.context.metadata()
        refreshed = refresh_with(self, metadata, previous)
        if refreshed is not None:
            return refreshed
        if not metadata.device_authorization_endpoint:
            raise AuthError("the server advertises no device authorization endpoint (GetOAuth2Metadata)")
        request = {"client_id": metadata.client_id}
        if metadata.scopes:
            request["scope"] = " ".join(metadata.scopes)
        if metadata.audience:
            request["audience"] = metadata.audience
        try:
            grant = self.context.http.post_form(metadata.device_authorization_endpoint, request)
        except OAuthError as exc:
            raise AuthError(f"the device login could not start: {exc}") from None
        device_code, user_code = grant.get("device_code"), grant.get("user_code")
        uri = grant.get("verification_uri") or grant.get("verification_url")
        if not device_code or not user_code or not uri:
            raise AuthError("the device authorization answer lacks device_code, user_code or verification_uri")
        print(
            f"To log in to Flyte at {self.context.endpoint}, open {uri} and enter the code {user_code}", file=sys.stderr
        )
        if grant.get("verification_uri_complete"):
            print(f"(or open {grant['verification_uri_complete']})", file=sys.stderr)
        lifetime = float(grant.get("expires_in") or self.context.login_timeout)
        allowed = min(lifetime, self.context.login_timeout)
        deadline = time.monotonic() + allowed
        interval = float(grant.get("interval") or _DEFAULT_INTERVAL)
        form = {"grant_type": _GRANT_TYPE, "device_code": str(device_code), "client_id": metadata.client_id}
        while True:
            try:
                return self.context.http.request_token(metadata.token_endpoint, form)
            except OAuthError as exc:
                if exc.error == "slow_down":
                    interval += _SLOW_DOWN_STEP
                elif exc.error != "authorization_pending":
                    raise AuthError(f"the device login failed: {exc}") from None
            if time.monotonic() + interval > deadline:
                raise AuthError(f"the device login was not completed within {allowed:.0f} s")
            time.sleep(interval)

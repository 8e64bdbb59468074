"""POSTing forms to OAuth2 endpoints (token, device authorization) with the standard library, and the ``Token``.

The HTTP side honours the same TLS settings as the gRPC channel (``admin.caCertFilePath``,
``admin.insecureSkipVerify``) and ``admin.httpProxyURL``.
"""

from __future__ import annotations

import base64
import json
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flyte_core.config import PlatformConfig

__all__ = ["OAuthError", "OAuthHttp", "Token", "basic_authorization"]

_EXPIRY_MARGIN = 30.0
"""Seconds before its stated expiry at which a token is renewed (clock skew, slow calls); at most 10% of its life."""


@dataclass(frozen=True)
class Token:
    """An access token, the refresh token that came with it, and when to stop using it (epoch seconds)."""

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None

    def expired(self) -> bool:
        """Whether the token is due for renewal."""
        return self.expires_at is not None and time.time() >= self.expires_at

    @classmethod
    def from_response(cls, body: Mapping[str, Any], refresh_token: str | None = None) -> Token:
        """The token in an OAuth2 token response; ``refresh_token`` is kept when the response carries none."""
        access = body.get("access_token")
        if not isinstance(access, str) or not access:
            raise OAuthError("the token response has no access_token")
        try:
            lifetime = float(body["expires_in"]) if body.get("expires_in") else None
        except (TypeError, ValueError):
            lifetime = None
        expires_at = None if lifetime is None else time.time() + lifetime - min(_EXPIRY_MARGIN, lifetime / 10)
        return cls(access_token=access, refresh_token=body.get("refresh_token") or refresh_token, expires_at=expires_at)


class OAuthError(Exception):
    """An OAuth2 endpoint refused a request or could not be reached.

    ``error`` is the OAuth2 error code from the response (``invalid_client``, ``authorization_pending``...).
    """

    def __init__(self, message: str, *, error: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.error = error
        self.status = status


def basic_authorization(client_id: str, secret: str) -> str:
    """The ``Authorization`` header for client authentication (RFC 6749 §2.3.1: both parts URL-encoded first)."""
    pair = f"{urllib.parse.quote(client_id, safe='')}:{urllib.parse.quote(secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


class OAuthHttp:
    """Form POSTs to OAuth2 endpoints, answering the parsed JSON body."""

    def __init__(self, platform: PlatformConfig, timeout: float = 30.0) -> None:
        self.timeout = timeout
        handlers: list[urllib.request.BaseHandler] = [urllib.request.HTTPSHandler(context=_ssl_context(platform))]
        if platform.http_proxy_url:
            proxy = platform.http_proxy_url
            handlers.append(urllib.request.ProxyHandler({"http": proxy, "https": proxy}))
        self._opener = urllib.request.build_opener(*handlers)

    def post_form(self, url: str, form: Mapping[str, str], *, authorization: str | None = None) -> dict[str, Any]:
        """POST ``form`` to ``url``; the JSON object answered.

        Raises:
            OAuthError: the endpoint answered an error (with the OAuth2 ``error`` code when it sent one), was
                unreachable, or answered something other than a JSON object.
        """
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "Cache-Control": "no-cache",
        }
        if authorization:
            headers["Authorization"] = authorization
        data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            body = _json_object(exc.read())
            error = body.get("error") if isinstance(body.get("error"), str) else None
            described = f" {error}" if error else ""
            if isinstance(body.get("error_description"), str):
                described += f": {body['error_description']}"
            raise OAuthError(f"{url} answered HTTP {exc.code}{described}", error=error, status=exc.code) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise OAuthError(f"{url} could not be reached: {reason}") from None
        body = _json_object(raw)
        if not body:
            raise OAuthError(f"{url} answered something other than a JSON object")
        return body

    def request_token(
        self,
        url: str,
        form: Mapping[str, str],
        *,
        authorization: str | None = None,
        refresh_token: str | None = None,
    ) -> Token:
        """A token from the token endpoint ``url`` (``refresh_token`` is kept if the answer carries none)."""
        if not url:
            raise OAuthError("the server advertises no token endpoint (GetOAuth2Metadata.token_endpoint is empty)")
        body = self.post_form(url, form, authorization=authorization)
        try:
            return Token.from_response(body, refresh_token)
        except OAuthError as exc:
            raise OAuthError(f"{url}: {exc}") from None


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _ssl_context(platform: PlatformConfig) -> ssl.SSLContext:
    """Verification as for the gRPC channel: the CA file, none at all (insecureSkipVerify), or the system roots."""
    if platform.insecure_skip_verify:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if platform.ca_cert_file_path:
        try:
            return ssl.create_default_context(cafile=platform.ca_cert_file_path)
        except (OSError, ssl.SSLError):
            pass  # the gRPC channel reports an unreadable CA file; the system roots may still serve the IdP
    return ssl.create_default_context()

"""``Pkce`` / ``standard``: log in in the browser (OAuth2 authorization code with PKCE, RFC 7636).

A cached refresh token is tried first; only when there is none, or it is refused, does the browser open.
The authorization server redirects to a local HTTP server on the ``redirect_uri``'s host and port
(``http://localhost:53593/callback`` by default), which receives the code.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import queue
import secrets
import sys
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from flyte_core.builtin.remotes.grpc_admin.auth.flow import AuthError, TokenFlow
from flyte_core.builtin.remotes.grpc_admin.auth.oauth_http import OAuthError, Token

if TYPE_CHECKING:
    from flyte_core.builtin.remotes.grpc_admin.auth.discovery import AuthMetadata

__all__ = ["PkceFlow", "code_challenge", "refresh_with"]

_log = logging.getLogger(__name__)

_DONE_PAGE = b"<html><body><h3>Logged in to Flyte. You can close this tab.</h3></body></html>"
_FAILED_PAGE = b"<html><body><h3>Flyte login failed; see the terminal.</h3></body></html>"


def code_challenge(verifier: str) -> str:
    """The S256 code challenge of ``verifier``: base64url(sha256(verifier)) without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


def refresh_with(flow: TokenFlow, metadata: AuthMetadata, previous: Token | None) -> Token | None:
    """A new token from ``previous``'s refresh token, or None when there is none or the server refuses it."""
    if previous is None or not previous.refresh_token:
        return None
    form = {"grant_type": "refresh_token", "refresh_token": previous.refresh_token, "client_id": metadata.client_id}
    if metadata.scopes:
        form["scope"] = " ".join(metadata.scopes)
    try:
        return flow.context.http.request_token(metadata.token_endpoint, form, refresh_token=previous.refresh_token)
    except OAuthError as exc:
        _log.info("the refresh token for %s was refused (%s); logging in again", flow.context.endpoint, exc)
        return None


@dataclass(frozen=True)
class _Redirect:
    """What the authorization server sent to the redirect URI."""

    code: str | None
    state: str | None
    error: str | None


class PkceFlow(TokenFlow):
    """Authorization code with PKCE through the browser; tokens kept in the OS keyring."""

    kind = "OAuth2 PKCE login in the browser"
    hint = (
        "Complete the login in the browser that opens (or open the printed URL); check admin.clientId and "
        "admin.scopes, or pick another admin.authType (ClientSecret, ExternalCommand, DeviceFlow) for a "
        "machine without a browser"
    )
    keeps_tokens = True

    def fetch(self, previous: Token | None) -> Token:
        metadata = self.context.metadata()
        return refresh_with(self, metadata, previous) or self._login(metadata)

    def _login(self, metadata: AuthMetadata) -> Token:
        if not metadata.authorization_endpoint:
            raise AuthError("the server advertises no authorization endpoint (GetOAuth2Metadata)")
        verifier = secrets.token_urlsafe(64)
        state = secrets.token_urlsafe(24)
        query = {
            "client_id": metadata.client_id,
            "response_type": "code",
            "redirect_uri": metadata.redirect_uri,
            "code_challenge": code_challenge(verifier),
            "code_challenge_method": "S256",
            "state": state,
        }
        if metadata.scopes:
            query["scope"] = " ".join(metadata.scopes)
        if metadata.audience:
            query["audience"] = metadata.audience
        separator = "&" if "?" in metadata.authorization_endpoint else "?"
        url = metadata.authorization_endpoint + separator + urllib.parse.urlencode(query)
        with _RedirectServer(metadata.redirect_uri) as server:
            print(f"Log in to Flyte at {self.context.endpoint} in your browser: {url}", file=sys.stderr)
            self.context.open_browser(url)
            redirect = server.wait(self.context.login_timeout)
        if redirect is None:
            raise AuthError(f"the browser login did not complete within {self.context.login_timeout:.0f} s")
        if redirect.error:
            raise AuthError(f"the authorization server refused the login: {redirect.error}")
        if redirect.state != state:
            raise AuthError("the login redirect carried the wrong state (a stale or forged redirect); log in again")
        if not redirect.code:
            raise AuthError("the login redirect carried no authorization code")
        form = {
            "grant_type": "authorization_code",
            "code": redirect.code,
            "redirect_uri": metadata.redirect_uri,
            "code_verifier": verifier,
            "client_id": metadata.client_id,
        }
        try:
            return self.context.http.request_token(metadata.token_endpoint, form)
        except OAuthError as exc:
            raise AuthError(f"the authorization code could not be exchanged for a token: {exc}") from None


class _RedirectServer:
    """A local HTTP server on the redirect URI's host and port that waits for one redirect to its path."""

    def __init__(self, redirect_uri: str) -> None:
        parsed = urllib.parse.urlsplit(redirect_uri)
        if parsed.scheme != "http" or not parsed.hostname:
            raise AuthError(f"the redirect URI {redirect_uri!r} is not a local http:// address this client can serve")
        self.address = (parsed.hostname, parsed.port or 80)
        self.path = parsed.path or "/"
        self._received: queue.Queue[_Redirect] = queue.Queue()
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> _RedirectServer:
        received, path = self._received, self.path

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                if url.path != path:
                    self.send_error(404)
                    return
                params = urllib.parse.parse_qs(url.query)
                error = params.get("error", [None])[0]
                description = params.get("error_description", [None])[0]
                redirect = _Redirect(
                    code=params.get("code", [None])[0],
                    state=params.get("state", [None])[0],
                    error=f"{error}: {description}" if error and description else error,
                )
                page = _FAILED_PAGE if redirect.error or not redirect.code else _DONE_PAGE
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
                received.put(redirect)

            def log_message(self, format: str, *args: object) -> None:
                _log.debug("login redirect: " + format, *args)

        try:
            self._server = ThreadingHTTPServer(self.address, Handler)
        except OSError as exc:
            host, port = self.address
            raise AuthError(
                f"cannot listen on {host}:{port} for the login redirect ({exc.strerror or exc}); is another login "
                "running?"
            ) from None
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="flyte-login-redirect", daemon=True
        ).start()
        return self

    def wait(self, timeout: float) -> _Redirect | None:
        """The first redirect received within ``timeout`` seconds, or None."""
        try:
            return self._received.get(timeout=timeout)
        except queue.Empty:
            return None

    def __exit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

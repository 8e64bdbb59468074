"""Authentication of the gRPC admin backend against real servers: an admin that demands a bearer token, its
auth metadata, and an OAuth2 token endpoint over HTTP on loopback."""

from __future__ import annotations

import sys
import threading
import time
import types
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from flyteidl.admin.common_pb2 import ObjectGetRequest
from flyteidl.service import auth_pb2

from flyte_core.builtin.remotes.grpc_admin.auth import token_cache
from flyte_core.builtin.remotes.grpc_admin.auth.pkce import code_challenge
from flyte_core.builtin.remotes.grpc_admin.client import GrpcAdminBackend
from flyte_core.builtin.remotes.grpc_admin.errors import is_auth_challenge
from flyte_core.exceptions.user import FlyteAuthenticationException
from tests.core.remote.grpc_servers import (
    TASK_ID,
    AuthMetadata,
    HttpRequest,
    RequireBearer,
    TokenServer,
    admin_server,
    free_port,
    token_server,
)

GET_TASK = ObjectGetRequest(id=TASK_ID)
SECRET = "s3cr:t/+ x"


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No OS keyring (``import keyring`` fails) and an empty in-memory token cache."""
    monkeypatch.setitem(sys.modules, "keyring", None)
    monkeypatch.setattr(token_cache, "_MEMORY", {})
    yield


def public_client(**fields: Any) -> auth_pb2.PublicClientAuthConfigResponse:
    defaults: dict[str, Any] = {
        "client_id": "flytectl",
        "scopes": ["all"],
        "audience": "discovered-audience",
        "authorization_metadata_key": "flyte-authorization",
    }
    return auth_pb2.PublicClientAuthConfigResponse(**{**defaults, **fields})


# ----------------------------------------------------------------------------------------------
# Client credentials
# ----------------------------------------------------------------------------------------------


def client_credentials_endpoint(tokens: list[str], expires_in: float = 3600) -> Any:
    """A token endpoint that knows client ``svc`` with ``SECRET`` and hands out ``tokens`` in turn."""

    def respond(request: HttpRequest) -> tuple[int, dict[str, Any]]:
        client_id, secret = (urllib.parse.unquote(part) for part in request.basic_auth())
        if (client_id, secret) != ("svc", SECRET) or request.form.get("grant_type") != "client_credentials":
            return 401, {"error": "invalid_client", "error_description": "client authentication failed"}
        return 200, {"access_token": tokens.pop(0), "token_type": "Bearer", "expires_in": expires_in}

    return respond


def test_client_credentials_are_obtained_when_the_server_asks_and_reused_afterwards() -> None:
    guard = RequireBearer({"tok-1"}, header="flyte-authorization")
    with token_server(client_credentials_endpoint(["tok-1"])) as idp:
        auth = AuthMetadata(public_client(), idp.oauth2_metadata())
        with admin_server(auth=auth, interceptors=(guard,)) as server:
            config = server.config(
                auth_mode="ClientSecret", client_id="svc", client_credentials_secret=SECRET, scopes=["custom"]
            )
            with GrpcAdminBackend(config) as backend:
                assert backend.call("AdminService", "GetTask", GET_TASK).id == TASK_ID
                assert backend.call("AdminService", "GetTask", GET_TASK).id == TASK_ID
    (request,) = idp.at("/token")
    assert request.basic_auth() == ("svc", urllib.parse.quote(SECRET, safe=""))
    assert request.form == {"grant_type": "client_credentials", "scope": "custom", "audience": "discovered-audience"}
    assert guard.rejected == 1, "only the first call went without a token"
    assert server.admin.calls["GetTask"] == 2
    assert server.auth.calls == {"GetPublicClientConfig": 1, "GetOAuth2Metadata": 1}


def test_wrong_client_secret_is_a_clear_authentication_error_without_the_secret() -> None:
    wrong = "not-the-secret-42"
    with token_server(client_credentials_endpoint(["tok-1"])) as idp:
        auth = AuthMetadata(public_client(), idp.oauth2_metadata())
        with admin_server(auth=auth, interceptors=(RequireBearer({"tok-1"}),)) as server:
            config = server.config(auth_mode="ClientSecret", client_id="svc", client_credentials_secret=wrong)
            with GrpcAdminBackend(config) as backend, pytest.raises(FlyteAuthenticationException) as caught:
                backend.call("AdminService", "GetTask", GET_TASK)
    message = str(caught.value)
    assert message.startswith(f"GetTask: the Flyte admin at {server.endpoint} requires authentication")
    assert "ClientSecret (OAuth2 client credentials)" in message
    assert "invalid_client" in message
    assert "admin.clientId" in message
    assert wrong not in message
    assert (caught.value.rpc, caught.value.code) == ("GetTask", "UNAUTHENTICATED")  # type: ignore[attr-defined]


def test_a_new_token_the_admin_still_rejects_fails_after_one_renewal() -> None:
    guard = RequireBearer({"some-other-token"}, header="flyte-authorization")
    with token_server(client_credentials_endpoint(["tok-1", "tok-2"])) as idp:
        auth = AuthMetadata(public_client(), idp.oauth2_metadata())
        with admin_server(auth=auth, interceptors=(guard,)) as server:
            config = server.config(auth_mode="ClientSecret", client_id="svc", client_credentials_secret=SECRET)
            with GrpcAdminBackend(config) as backend, pytest.raises(FlyteAuthenticationException) as caught:
                backend.call("AdminService", "GetTask", GET_TASK)
    assert "rejected the new credentials" in str(caught.value)
    assert len(idp.at("/token")) == 1
    assert guard.rejected == 2


def test_an_expired_token_is_renewed_before_the_call() -> None:
    guard = RequireBearer({"tok-1", "tok-2"}, header="flyte-authorization")
    with token_server(client_credentials_endpoint(["tok-1", "tok-2"], expires_in=0.3)) as idp:
        auth = AuthMetadata(public_client(), idp.oauth2_metadata())
        with admin_server(auth=auth, interceptors=(guard,)) as server:
            config = server.config(auth_mode="client_credentials", client_id="svc", client_credentials_secret=SECRET)
            with GrpcAdminBackend(config) as backend:
                backend.call("AdminService", "GetTask", GET_TASK)
                time.sleep(0.3)
                backend.call("AdminService", "GetTask", GET_TASK)
    assert len(idp.at("/token")) == 2
    assert guard.rejected == 1
    assert server.admin.metadata[-1]["flyte-authorization"] == "Bearer tok-2"


def test_concurrent_rejected_calls_fetch_one_token() -> None:
    guard = RequireBearer({"tok-1"}, header="flyte-authorization")
    with token_server(client_credentials_endpoint(["tok-1", "tok-2", "tok-3"])) as idp:
        auth = AuthMetadata(public_client(), idp.oauth2_metadata())
        with admin_server(auth=auth, interceptors=(guard,)) as server:
            config = server.config(auth_mode="ClientSecret", client_id="svc", client_credentials_secret=SECRET)
            with GrpcAdminBackend(config) as backend:
                errors: list[BaseException] = []

                def call() -> None:
                    try:
                        backend.call("AdminService", "GetTask", GET_TASK)
                    except BaseException as exc:
                        errors.append(exc)

                threads = [threading.Thread(target=call) for _ in range(8)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
    assert errors == []
    assert len(idp.at("/token")) == 1
    assert server.admin.calls["GetTask"] == 8


# ----------------------------------------------------------------------------------------------
# PKCE
# ----------------------------------------------------------------------------------------------


class Browser:
    """Stands in for the user's browser: follows the login URL straight to the redirect with ``code``."""

    def __init__(self, code: str = "the-code", state: str | None = None) -> None:
        self.code = code
        self.state = state
        self.visited: list[dict[str, str]] = []

    def __call__(self, url: str) -> bool:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        self.visited.append(query)
        redirect = {"code": self.code, "state": self.state or query["state"]}
        with urllib.request.urlopen(f"{query['redirect_uri']}?{urllib.parse.urlencode(redirect)}", timeout=5) as page:
            assert page.status == 200
        return True


def pkce_endpoint(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    grant = request.form.get("grant_type")
    if grant == "authorization_code" and request.form.get("code") == "the-code":
        return 200, {"access_token": "pk-1", "refresh_token": "rf-1", "expires_in": 3600}
    if grant == "refresh_token" and request.form.get("refresh_token") == "rf-0":
        return 200, {"access_token": "pk-2", "expires_in": 3600}
    return 400, {"error": "invalid_grant"}


def pkce_server(idp: TokenServer, redirect_port: int) -> AuthMetadata:
    client = public_client(redirect_uri=f"http://127.0.0.1:{redirect_port}/callback")
    return AuthMetadata(client, idp.oauth2_metadata())


def test_pkce_logs_in_through_the_browser_and_keeps_tokens_in_memory_without_keyring(
    capsys: pytest.CaptureFixture[str],
) -> None:
    browser, redirect_port = Browser(), free_port()
    with (
        token_server(pkce_endpoint) as idp,
        admin_server(
            auth=pkce_server(idp, redirect_port), interceptors=(RequireBearer({"pk-1"}, "flyte-authorization"),)
        ) as server,
    ):
        with GrpcAdminBackend(server.config(auth_mode="Pkce"), open_browser=browser) as backend:
            backend.call("AdminService", "GetTask", GET_TASK)
        # Another backend of this process (another FlyteRemote) reuses the token: no second login.
        with GrpcAdminBackend(server.config(auth_mode="Pkce"), open_browser=browser) as backend:
            backend.call("AdminService", "GetTask", GET_TASK)
    (visit,) = browser.visited
    assert visit["code_challenge_method"] == "S256"
    assert visit["response_type"] == "code"
    assert visit["client_id"] == "flytectl"
    assert visit["scope"] == "all"
    (exchange,) = idp.at("/token")
    assert exchange.form["grant_type"] == "authorization_code"
    assert exchange.form["redirect_uri"] == f"http://127.0.0.1:{redirect_port}/callback"
    assert code_challenge(exchange.form["code_verifier"]) == visit["code_challenge"]
    assert 43 <= len(exchange.form["code_verifier"]) <= 128
    assert token_cache.TokenCache(server.endpoint).where == "memory"
    assert "Log in to Flyte at" in capsys.readouterr().err


def test_pkce_refuses_a_redirect_with_the_wrong_state() -> None:
    browser, redirect_port = Browser(state="forged"), free_port()
    guard = RequireBearer({"pk-1"}, "flyte-authorization")
    with (
        token_server(pkce_endpoint) as idp,
        admin_server(auth=pkce_server(idp, redirect_port), interceptors=(guard,)) as server,
        GrpcAdminBackend(server.config(auth_mode="Pkce"), open_browser=browser) as backend,
        pytest.raises(FlyteAuthenticationException, match="wrong state") as caught,
    ):
        backend.call("AdminService", "GetTask", GET_TASK)
    assert "Pkce (OAuth2 PKCE login in the browser)" in str(caught.value)
    assert idp.requests == [], "no code exchange after a state mismatch"


class MemoryKeyring(types.ModuleType):
    """The ``keyring`` module's three functions over a dict (as keyring's own test backends)."""

    def __init__(self) -> None:
        super().__init__("keyring")
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, name: str) -> str | None:
        return self.passwords.get((service, name))

    def set_password(self, service: str, name: str, value: str) -> None:
        self.passwords[(service, name)] = value

    def delete_password(self, service: str, name: str) -> None:
        del self.passwords[(service, name)]


def test_pkce_uses_the_refresh_token_in_the_keyring_before_opening_a_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    keyring, browser, redirect_port = MemoryKeyring(), Browser(), free_port()
    monkeypatch.setitem(sys.modules, "keyring", keyring)
    with (
        token_server(pkce_endpoint) as idp,
        admin_server(
            auth=pkce_server(idp, redirect_port), interceptors=(RequireBearer({"pk-2"}, "flyte-authorization"),)
        ) as server,
    ):
        service = f"flyte-core:{server.endpoint}"
        keyring.passwords[(service, "refresh_token")] = "rf-0"
        with GrpcAdminBackend(server.config(auth_mode="Pkce"), open_browser=browser) as backend:
            backend.call("AdminService", "GetTask", GET_TASK)
    assert browser.visited == []
    (refresh,) = idp.at("/token")
    assert refresh.form["grant_type"] == "refresh_token"
    assert keyring.passwords[(service, "access_token")] == "pk-2"
    assert keyring.passwords[(service, "refresh_token")] == "rf-0", "kept when the answer carries no new one"


def test_no_keyring_access_while_the_server_asks_for_no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    keyring = MemoryKeyring()
    reads: list[str] = []
    monkeypatch.setattr(keyring, "get_password", lambda service, name: reads.append(name))
    monkeypatch.setitem(sys.modules, "keyring", keyring)
    with admin_server() as server, GrpcAdminBackend(server.config(auth_mode="Pkce")) as backend:
        backend.call("AdminService", "GetTask", GET_TASK)
    assert reads == []


# ----------------------------------------------------------------------------------------------
# Device flow
# ----------------------------------------------------------------------------------------------


def test_device_flow_prints_the_code_and_polls_until_the_login_is_done(capsys: pytest.CaptureFixture[str]) -> None:
    polls: list[str] = []

    def respond(request: HttpRequest) -> tuple[int, dict[str, Any]]:
        if request.path == "/device":
            return 200, {
                "device_code": "dev-1",
                "user_code": "ABCD-EFGH",
                "verification_uri": "https://idp.example.com/activate",
                "expires_in": 60,
                "interval": 0.05,
            }
        polls.append(request.form["device_code"])
        if len(polls) == 1:
            return 400, {"error": "authorization_pending"}
        return 200, {"access_token": "dv-1", "refresh_token": "rf-1", "expires_in": 3600}

    guard = RequireBearer({"dv-1"}, "flyte-authorization")
    with token_server(respond) as idp:
        auth = AuthMetadata(public_client(), idp.oauth2_metadata())
        with (
            admin_server(auth=auth, interceptors=(guard,)) as server,
            GrpcAdminBackend(server.config(auth_mode="DeviceFlow", client_id="cli")) as backend,
        ):
            backend.call("AdminService", "GetTask", GET_TASK)
    (start,) = idp.at("/device")
    assert start.form == {"client_id": "cli", "scope": "all", "audience": "discovered-audience"}
    assert polls == ["dev-1", "dev-1"]
    assert idp.at("/token")[0].form["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code"
    err = capsys.readouterr().err
    assert "https://idp.example.com/activate" in err
    assert "ABCD-EFGH" in err


def test_device_flow_denied_is_an_authentication_error() -> None:
    def respond(request: HttpRequest) -> tuple[int, dict[str, Any]]:
        if request.path == "/device":
            return 200, {"device_code": "d", "user_code": "U", "verification_uri": "https://x", "interval": 0.01}
        return 400, {"error": "access_denied", "error_description": "the user said no"}

    with token_server(respond) as idp:
        auth = AuthMetadata(public_client(), idp.oauth2_metadata())
        with (
            admin_server(auth=auth, interceptors=(RequireBearer({"dv-1"}),)) as server,
            GrpcAdminBackend(server.config(auth_mode="DeviceFlow")) as backend,
            pytest.raises(FlyteAuthenticationException, match="access_denied: the user said no"),
        ):
            backend.call("AdminService", "GetTask", GET_TASK)


# ----------------------------------------------------------------------------------------------
# External commands
# ----------------------------------------------------------------------------------------------


def test_external_command_prints_the_token() -> None:
    command = [sys.executable, "-c", "print('tok')"]
    with (
        admin_server(interceptors=(RequireBearer({"tok"}),)) as server,
        GrpcAdminBackend(server.config(auth_mode="ExternalCommand", command=command)) as backend,
    ):
        assert backend.call("AdminService", "GetTask", GET_TASK).id == TASK_ID
    assert server.admin.metadata[-1]["authorization"] == "Bearer tok"


def test_a_failing_external_command_names_the_setting_and_its_error() -> None:
    command = [sys.executable, "-c", "import sys; sys.exit('no session, run login first')"]
    with (
        admin_server(interceptors=(RequireBearer({"tok"}),)) as server,
        GrpcAdminBackend(server.config(auth_mode="external_process", command=command)) as backend,
        pytest.raises(FlyteAuthenticationException) as caught,
    ):
        backend.call("AdminService", "GetTask", GET_TASK)
    message = str(caught.value)
    assert "admin.command" in message
    assert "exited with 1: no session, run login first" in message


def test_proxy_command_token_goes_in_proxy_authorization_on_every_call() -> None:
    command = [sys.executable, "-c", "print('proxy-tok')"]
    with admin_server() as server, GrpcAdminBackend(server.config(proxy_command=command)) as backend:
        backend.call("AdminService", "GetTask", GET_TASK)
        backend.call("AdminService", "GetTask", GET_TASK)
    assert [m["proxy-authorization"] for m in server.admin.metadata] == ["Bearer proxy-tok"] * 2
    assert sum(server.auth.calls.values()) == 0


def test_an_ingress_redirect_to_a_login_page_counts_as_an_auth_challenge() -> None:
    assert is_auth_challenge("UNKNOWN", "Received http2 header with status: 302")
    assert is_auth_challenge("UNAUTHENTICATED", "")
    assert not is_auth_challenge("UNKNOWN", "Exception calling application: boom")

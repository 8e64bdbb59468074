"""Real servers for the gRPC backend tests: a scripted Flyte admin on a free loopback port (plaintext or TLS), an
auth-metadata servicer, a bearer-token interceptor, and an OAuth2 token endpoint over HTTP.

Each server counts what it receives, so a test asserts on the wire (calls made, headers and form fields sent)
rather than on the client's internals.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import grpc
import pytest
from flyteidl.admin import task_pb2, version_pb2
from flyteidl.core import identifier_pb2
from flyteidl.service import admin_pb2_grpc, auth_pb2, auth_pb2_grpc

from flyte_core.config import Config, PlatformConfig

TASK_ID = identifier_pb2.Identifier(
    resource_type=identifier_pb2.TASK, project="flytesnacks", domain="development", name="wf.t", version="v1"
)

Outcome = tuple[grpc.StatusCode, str]
"""A scripted failure: the status and the details the server answers."""


class ScriptedAdmin(admin_pb2_grpc.AdminServiceServicer):  # type: ignore[misc]
    """GetTask, CreateTask and GetVersion: each call pops the next scripted failure, else succeeds (after ``delay``).

    ``calls`` counts calls per method; ``metadata`` keeps each call's invocation metadata.
    """

    def __init__(self) -> None:
        self.script: dict[str, list[Outcome]] = {}
        self.calls: Counter[str] = Counter()
        self.metadata: list[dict[str, str]] = []
        self.version_build = "test"
        self.delay = 0.0
        self._lock = threading.Lock()

    def fail(self, method: str, code: grpc.StatusCode, details: str, times: int = 1) -> None:
        self.script.setdefault(method, []).extend([(code, details)] * times)

    def _answer(self, method: str, context: grpc.ServicerContext) -> None:
        with self._lock:
            self.calls[method] += 1
            self.metadata.append(dict(context.invocation_metadata()))
            outcome = self.script.get(method, []).pop(0) if self.script.get(method) else None
        if outcome is not None:
            context.abort(*outcome)
        if self.delay:
            time.sleep(self.delay)

    def GetTask(self, request: Any, context: grpc.ServicerContext) -> task_pb2.Task:
        self._answer("GetTask", context)
        return task_pb2.Task(id=request.id)

    def CreateTask(self, request: Any, context: grpc.ServicerContext) -> task_pb2.TaskCreateResponse:
        self._answer("CreateTask", context)
        return task_pb2.TaskCreateResponse()

    def GetVersion(self, request: Any, context: grpc.ServicerContext) -> version_pb2.GetVersionResponse:
        self._answer("GetVersion", context)
        return version_pb2.GetVersionResponse(control_plane_version=version_pb2.Version(Build=self.version_build))


class AuthMetadata(auth_pb2_grpc.AuthMetadataServiceServicer):  # type: ignore[misc]
    """Answers discovery with the given public-client config and OAuth2 metadata; counts calls."""

    def __init__(
        self,
        client: auth_pb2.PublicClientAuthConfigResponse | None = None,
        oauth2: auth_pb2.OAuth2MetadataResponse | None = None,
    ) -> None:
        self.client = client or auth_pb2.PublicClientAuthConfigResponse()
        self.oauth2 = oauth2 or auth_pb2.OAuth2MetadataResponse()
        self.calls: Counter[str] = Counter()

    def GetPublicClientConfig(self, request: Any, context: Any) -> auth_pb2.PublicClientAuthConfigResponse:
        self.calls["GetPublicClientConfig"] += 1
        return self.client

    def GetOAuth2Metadata(self, request: Any, context: Any) -> auth_pb2.OAuth2MetadataResponse:
        self.calls["GetOAuth2Metadata"] += 1
        return self.oauth2


class RequireBearer(grpc.ServerInterceptor):  # type: ignore[misc]
    """Rejects every call but discovery with UNAUTHENTICATED unless ``header: Bearer <one of tokens>`` is sent."""

    def __init__(self, tokens: set[str], header: str = "authorization") -> None:
        self.tokens = tokens
        self.header = header
        self.rejected = 0

    def intercept_service(self, continuation: Callable[..., Any], details: Any) -> Any:
        if details.method.startswith("/flyteidl.service.AuthMetadataService/"):
            return continuation(details)
        sent = dict(details.invocation_metadata).get(self.header, "")
        if sent.removeprefix("Bearer ") in self.tokens and sent.startswith("Bearer "):
            return continuation(details)
        self.rejected += 1

        def reject(request: Any, context: grpc.ServicerContext) -> None:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or invalid bearer token")

        return grpc.unary_unary_rpc_method_handler(reject)


@dataclass
class AdminServer:
    """A running admin: ``endpoint`` is ``127.0.0.1:<port>``."""

    admin: ScriptedAdmin
    auth: AuthMetadata
    port: int
    server: grpc.Server

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def config(self, insecure: bool = True, **platform: Any) -> Config:
        """A config for this server (plaintext unless ``insecure=False``), with ``platform`` fields set."""
        return Config(platform=PlatformConfig(endpoint=self.endpoint, insecure=insecure, **platform))


@contextlib.contextmanager
def admin_server(
    *,
    auth: AuthMetadata | None = None,
    interceptors: tuple[grpc.ServerInterceptor, ...] = (),
    tls: tuple[bytes, bytes] | None = None,
) -> Iterator[AdminServer]:
    """An admin on a free loopback port, plaintext or TLS with ``tls=(key_pem, cert_pem)``."""
    server = grpc.server(
        ThreadPoolExecutor(max_workers=8),
        interceptors=interceptors,
        options=[("grpc.max_send_message_length", 64 * 1024 * 1024)],
    )
    admin, auth = ScriptedAdmin(), auth or AuthMetadata()
    admin_pb2_grpc.add_AdminServiceServicer_to_server(admin, server)
    auth_pb2_grpc.add_AuthMetadataServiceServicer_to_server(auth, server)
    if tls is None:
        port = server.add_insecure_port("127.0.0.1:0")
    else:
        port = server.add_secure_port("127.0.0.1:0", grpc.ssl_server_credentials([tls]))
    server.start()
    try:
        yield AdminServer(admin=admin, auth=auth, port=port, server=server)
    finally:
        server.stop(grace=None)


def self_signed_certificate(directory: Path) -> tuple[bytes, bytes, Path]:
    """``(key_pem, cert_pem, cert_path)`` for 127.0.0.1 and localhost, made with the ``openssl`` command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=flyte-test",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return key.read_bytes(), cert.read_bytes(), cert


# ----------------------------------------------------------------------------------------------
# OAuth2 over HTTP
# ----------------------------------------------------------------------------------------------


@dataclass
class HttpRequest:
    """One request the token server received."""

    path: str
    headers: dict[str, str]
    form: dict[str, str]

    def basic_auth(self) -> tuple[str, str]:
        """The (still URL-encoded) client id and secret of the ``Authorization: Basic`` header."""
        scheme, _, value = self.headers.get("Authorization", "").partition(" ")
        assert scheme == "Basic", self.headers
        client_id, _, secret = base64.b64decode(value).decode().partition(":")
        return client_id, secret


Responder = Callable[[HttpRequest], tuple[int, dict[str, Any]]]


@dataclass
class TokenServer:
    """An OAuth2 server on loopback: every POST is recorded and answered by ``respond``."""

    respond: Responder
    requests: list[HttpRequest] = field(default_factory=list)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def oauth2_metadata(self) -> auth_pb2.OAuth2MetadataResponse:
        return auth_pb2.OAuth2MetadataResponse(
            issuer=self.url(""),
            token_endpoint=self.url("/token"),
            authorization_endpoint=self.url("/authorize"),
            device_authorization_endpoint=self.url("/device"),
        )

    def at(self, path: str) -> list[HttpRequest]:
        return [r for r in self.requests if r.path == path]


@contextlib.contextmanager
def token_server(respond: Responder) -> Iterator[TokenServer]:
    """A running ``TokenServer`` in a thread."""
    state = TokenServer(respond=respond)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            request = HttpRequest(path=self.path, headers=dict(self.headers), form=form)
            state.requests.append(request)
            status, body = state.respond(request)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

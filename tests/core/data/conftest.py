"""A ``FileAccessProvider`` over ``tmp_path``, and real HTTP and HTTPS servers on free loopback ports."""

from __future__ import annotations

import functools
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from flyte_core.data import FileAccessProvider
from flyte_core.plugins.manager import FlytePluginManager


@pytest.fixture(autouse=True)
def _builtin_plugins_only(flyte_plugin_manager: FlytePluginManager) -> FlytePluginManager:
    """Every test here sees flyte-core's built-in file-access providers and nothing installed besides."""
    return flyte_plugin_manager


@pytest.fixture
def provider(tmp_path: Path) -> FileAccessProvider:
    """A provider whose sandbox and raw output prefix are local directories under ``tmp_path``."""
    return FileAccessProvider(local_sandbox_dir=tmp_path / "sandbox", raw_output_prefix=str(tmp_path / "raw"))


@dataclass
class Served:
    """A directory served over HTTP(S): ``url(name)`` is the URL of ``root / name``."""

    root: Path
    base: str
    client_ssl: ssl.SSLContext | None = None

    def url(self, name: str) -> str:
        return f"{self.base}/{name}"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _serve(root: Path, server_ssl: ssl.SSLContext | None) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    scheme = "http"
    if server_ssl is not None:
        server.socket = server_ssl.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[Served]:
    """A real HTTP server serving ``tmp_path / "www"``."""
    root = tmp_path / "www"
    root.mkdir()
    with _serve(root, None) as base:
        yield Served(root, base)


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[Served]:
    """A real HTTPS server with a self-signed certificate for 127.0.0.1, and a client context trusting it."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ssl.load_cert_chain(cert, key)
    root = tmp_path / "www"
    root.mkdir()
    with _serve(root, server_ssl) as base:
        yield Served(root, base, client_ssl=ssl.create_default_context(cafile=str(cert)))

"""The sandbox's HTTP side: signed uploads and downloads of blobs, task logs, status, and execution pages.

- ``PUT /blobs/<path>?method=PUT&expires=..&signature=..``: the upload a ``CreateUploadLocation`` signed
  (``Content-MD5``, when sent, is checked; the body may not exceed the size limit);
- ``GET /blobs/<path>?method=GET&...``: a signed download;
- ``GET /status``: JSON about the running sandbox (``pyflyte sandbox status`` reads it);
- ``GET /console/...``: pages about executions, served by a ``PageRenderer`` (see ``console.py``).

Requests with a bad or expired signature, or a path outside the blob store, get 403 and change nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
import urllib.parse
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from flyte_core.sandbox.blobs import BlobPathError, BlobStore

logger = logging.getLogger("flyte_core.sandbox.http")

DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024**3
_CHUNK = 1024 * 1024


class _Refused(Exception):
    """An upload refused after its body was read (the partial blob is discarded)."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class PageRenderer(Protocol):
    """Renders ``/console/...`` pages: (status, content type, body) for a path, or None when unknown."""

    def render(self, path: str, query: dict[str, str]) -> tuple[int, str, bytes] | None: ...


class SandboxHTTPServer:
    """A threaded HTTP server on ``host:port`` (0 picks a free port) in a background thread."""

    def __init__(
        self,
        blobs: BlobStore,
        host: str = "127.0.0.1",
        port: int = 0,
        status: Callable[[], dict[str, Any]] | None = None,
        pages: PageRenderer | None = None,
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    ) -> None:
        handler = type(
            "SandboxRequestHandler",
            (_Handler,),
            {
                "blobs": blobs,
                "status_source": staticmethod(status or dict),
                "pages": pages,
                "max_upload": max_upload_bytes,
            },
        )
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        host = self._server.server_address[0]
        shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
        return f"http://{shown}:{self.port}"

    def serve_pages(self, pages: PageRenderer) -> None:
        """Serve ``/console/...`` with ``pages`` (the control plane is made after the server, for its URL)."""
        self._server.RequestHandlerClass.pages = pages  # type: ignore[attr-defined]

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="sandbox-http", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    blobs: BlobStore
    status_source: Callable[[], dict[str, Any]]
    pages: PageRenderer | None
    max_upload: int
    server_version = "flyte-core-sandbox"

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)

    # -- routing --------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        path, query = self._parse()
        if path.startswith("/blobs/"):
            self._download(path.removeprefix("/blobs/"), query)
        elif path == "/status":
            self._reply(HTTPStatus.OK, "application/json", json.dumps(self.status_source()).encode())
        elif path in ("/healthz", "/healthcheck"):
            self._reply(HTTPStatus.OK, "text/plain", b"ok\n")
        elif path.startswith("/console") and self.pages is not None:
            rendered = self.pages.render(path, query)
            if rendered is None:
                self._reply(HTTPStatus.NOT_FOUND, "text/plain", f"no page at {path}\n".encode())
            else:
                self._reply(*rendered)
        else:
            self._reply(HTTPStatus.NOT_FOUND, "text/plain", f"no such resource: {path}\n".encode())

    def do_PUT(self) -> None:
        path, query = self._parse()
        if not path.startswith("/blobs/"):
            self._reply(HTTPStatus.NOT_FOUND, "text/plain", f"cannot PUT {path}: uploads go to /blobs/\n".encode())
            return
        self._upload(path.removeprefix("/blobs/"), query)

    # -- blobs ----------------------------------------------------------------------------------------

    def _authorized(self, method: str, relative: str, query: dict[str, str]) -> bool:
        try:
            expires = int(query.get("expires", ""))
        except ValueError:
            expires = 0
        if query.get("method", "").upper() != method or not self.blobs.verify(
            method, relative, expires, query.get("signature", "")
        ):
            self._reply(
                HTTPStatus.FORBIDDEN,
                "text/plain",
                b"the URL's signature is not valid for this request (or it expired): ask for a new one\n",
            )
            return False
        return True

    def _upload(self, relative: str, query: dict[str, str]) -> None:
        if not self._authorized("PUT", relative, query):
            return
        length_header = self.headers.get("Content-Length")
        if length_header is None or not length_header.isdigit():
            self._reply(HTTPStatus.LENGTH_REQUIRED, "text/plain", b"a Content-Length header is required\n")
            return
        length = int(length_header)
        if length > self.max_upload:
            self._reply(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                "text/plain",
                f"the upload is {length} bytes; the sandbox accepts at most {self.max_upload}\n".encode(),
            )
            return
        digest = hashlib.md5()
        remaining = length
        try:
            with self.blobs.writer(relative) as out:
                while remaining > 0:
                    chunk = self.rfile.read(min(_CHUNK, remaining))
                    if not chunk:
                        break
                    digest.update(chunk)
                    out.write(chunk)
                    remaining -= len(chunk)
                if remaining:
                    raise _Refused(HTTPStatus.BAD_REQUEST, "the body ended before Content-Length bytes")
                expected_md5 = self.headers.get("Content-MD5")
                if expected_md5 and base64.b64encode(digest.digest()).decode() != expected_md5.strip():
                    raise _Refused(HTTPStatus.BAD_REQUEST, "the body does not match its Content-MD5")
        except BlobPathError as exc:
            self._reply(HTTPStatus.FORBIDDEN, "text/plain", f"{exc}\n".encode())
            return
        except _Refused as refused:
            self._reply(refused.status, "text/plain", f"{refused.reason}\n".encode())
            return
        except OSError as exc:
            logger.exception("upload to %s failed", relative)
            self._reply(HTTPStatus.INTERNAL_SERVER_ERROR, "text/plain", f"could not store the upload: {exc}\n".encode())
            return
        self._reply(HTTPStatus.OK, "text/plain", b"")

    def _download(self, relative: str, query: dict[str, str]) -> None:
        if not self._authorized("GET", relative, query):
            return
        try:
            source, size = self.blobs.reader(relative)
        except BlobPathError as exc:
            self._reply(HTTPStatus.FORBIDDEN, "text/plain", f"{exc}\n".encode())
            return
        except FileNotFoundError:
            self._reply(HTTPStatus.NOT_FOUND, "text/plain", f"no blob at {relative}\n".encode())
            return
        with source:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            while chunk := source.read(_CHUNK):
                self.wfile.write(chunk)

    # -- helpers ----------------------------------------------------------------------------------------

    def _parse(self) -> tuple[str, dict[str, str]]:
        parsed = urllib.parse.urlparse(self.path)
        return urllib.parse.unquote(parsed.path), dict(urllib.parse.parse_qsl(parsed.query))

    def _reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

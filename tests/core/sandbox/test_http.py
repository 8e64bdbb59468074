"""The sandbox's HTTP server: signed uploads and downloads, refusals that change nothing, status."""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.error
import urllib.request

import pytest

from flyte_core.sandbox.blobs import BlobStore
from flyte_core.sandbox.http import SandboxHTTPServer


@pytest.fixture
def served(tmp_path):
    blobs = BlobStore(tmp_path / "blobs", secret=b"k" * 32)
    server = SandboxHTTPServer(blobs, status=lambda: {"running": 0}, max_upload_bytes=1000)
    server.start()
    yield blobs, server
    server.stop()


def _request(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_a_signed_upload_is_stored_and_a_signed_download_returns_it(served) -> None:
    blobs, server = served
    url, _ = blobs.signed_url(server.base_url, "PUT", "uploads/p/d/abc/fast.tar.gz", expires_in=60)
    md5 = base64.b64encode(hashlib.md5(b"payload").digest()).decode()
    assert _request(url, "PUT", b"payload", {"Content-MD5": md5})[0] == 200
    assert blobs.read_bytes("uploads/p/d/abc/fast.tar.gz") == b"payload"
    get_url, _ = blobs.signed_url(server.base_url, "GET", "uploads/p/d/abc/fast.tar.gz", expires_in=60)
    assert _request(get_url) == (200, b"payload")


def test_uploads_with_a_wrong_signature_method_or_md5_change_nothing(served) -> None:
    blobs, server = served
    url, _ = blobs.signed_url(server.base_url, "PUT", "uploads/x", expires_in=60)
    tampered = url.replace("uploads/x", "uploads/y")
    assert _request(tampered, "PUT", b"data")[0] == 403
    get_signed, _ = blobs.signed_url(server.base_url, "GET", "uploads/x", expires_in=60)
    assert _request(get_signed.replace("method=GET", "method=PUT"), "PUT", b"data")[0] == 403
    assert _request(url, "PUT", b"data", {"Content-MD5": "bm90IHRoZSBtZDU="})[0] == 400
    assert _request(url, "PUT", b"x" * 1001)[0] == 413
    assert not blobs.exists("uploads/x") and not blobs.exists("uploads/y")


def test_expired_and_traversing_urls_are_refused(served) -> None:
    blobs, server = served
    expired, _ = blobs.signed_url(server.base_url, "GET", "a/b", expires_in=-10)
    assert _request(expired)[0] == 403
    traversal = f"{server.base_url}/blobs/../../etc/passwd?method=GET&expires=9999999999&signature=x"
    assert _request(traversal)[0] in (403, 404)


def test_status_is_json(served) -> None:
    _, server = served
    status, body = _request(f"{server.base_url}/status")
    assert status == 200 and json.loads(body) == {"running": 0}

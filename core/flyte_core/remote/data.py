"""Uploads through the control plane's data proxy: the ``flyte://`` filesystem and ``upload_file``.

A client has no credentials for the cluster's blob store; it asks the data proxy for a signed URL
(``CreateUploadLocation``), PUTs the bytes there and writes the returned ``native_url`` (the store's own
address, ``s3://...`` on a cluster, a path on the sandbox) into literals. ``flyte://`` is the raw-output
prefix of a ``FlyteRemote``'s context, so a ``FlyteFile`` input given as a local path is uploaded this way
when an execution is created.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fsspec

if TYPE_CHECKING:
    from flyte_core.remote.backend import RemoteBackend

__all__ = ["FlyteFS", "UploadTarget", "upload_file", "uploading_to"]

_CHUNK = 1 << 20


class UploadTarget:
    """Where uploads go: a backend and the project and domain they are filed under."""

    def __init__(self, backend: RemoteBackend, project: str, domain: str) -> None:
        self.backend = backend
        self.project = project
        self.domain = domain


_TARGET: contextvars.ContextVar[UploadTarget | None] = contextvars.ContextVar("flyte_upload_target", default=None)


@contextlib.contextmanager
def uploading_to(target: UploadTarget) -> Iterator[None]:
    """Route ``flyte://`` uploads made inside the block to ``target``."""
    token = _TARGET.set(target)
    try:
        yield
    finally:
        _TARGET.reset(token)


def file_md5(path: str | os.PathLike[str]) -> bytes:
    """The MD5 digest of a file's bytes (what the data proxy checks uploads against)."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.digest()


def upload_file(
    target: UploadTarget,
    path: str | os.PathLike[str],
    filename: str | None = None,
    filename_root: str | None = None,
    md5: bytes | None = None,
) -> tuple[bytes, str]:
    """Upload one local file through the data proxy; return its MD5 digest and the ``native_url``.

    Raises:
        FlyteUploadDataException: the signed URL refused the upload; the message says what the server said.
    """
    from flyteidl.service import dataproxy_pb2

    from flyte_core.exceptions.system import FlyteUploadDataException

    md5 = md5 or file_md5(path)
    request = dataproxy_pb2.CreateUploadLocationRequest(
        project=target.project,
        domain=target.domain,
        filename=filename or Path(path).name,
        content_md5=md5,
        add_content_md5_metadata=True,
    )
    if filename_root:
        request.filename_root = filename_root
    location = target.backend.call("DataProxyService", "CreateUploadLocation", request)
    size = os.path.getsize(path)
    headers = {"Content-MD5": base64.b64encode(md5).decode(), "Content-Length": str(size), **location.headers}
    with open(path, "rb") as body:
        put = urllib.request.Request(location.signed_url, data=body, method="PUT", headers=headers)
        try:
            with urllib.request.urlopen(put, timeout=600) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace").strip()
            raise FlyteUploadDataException(
                f"uploading '{path}' to the signed URL from the data proxy failed: HTTP {exc.code} {detail}"
            ) from exc
        except urllib.error.URLError as exc:
            raise FlyteUploadDataException(
                f"uploading '{path}': the signed URL {location.signed_url.split('?')[0]} cannot be reached "
                f"({exc.reason}); is the control plane's storage reachable from this machine?"
            ) from exc
    if status not in (200, 201, 204):
        raise FlyteUploadDataException(f"uploading '{path}' failed: HTTP {status}")
    return md5, location.native_url


def _directory_root(directory: Path, files: list[Path]) -> str:
    """A name for a directory upload that changes when any file's name or content does."""
    digest = hashlib.md5(usedforsecurity=False)
    for file in files:
        digest.update(file.relative_to(directory).as_posix().encode())
        digest.update(file_md5(file))
    return base64.b32encode(digest.digest()).decode().rstrip("=").lower()


class FlyteFS(fsspec.AbstractFileSystem):  # type: ignore[misc]
    """``flyte://``: write-only; every put goes through the data proxy and returns the ``native_url``."""

    protocol = "flyte"
    cachable = False

    def __init__(self, target: UploadTarget | None = None, **kwargs: Any) -> None:
        super().__init__()
        self._target = target

    @property
    def target(self) -> UploadTarget:
        target = self._target or _TARGET.get()
        if target is None:
            raise ValueError(
                "flyte:// paths are uploads through a control plane's data proxy and only work while a "
                "FlyteRemote converts inputs (remote.execute(...)); use a local path or a storage URI instead"
            )
        return target

    def put(self, lpath: Any, rpath: Any = "", recursive: bool = False, **kwargs: Any) -> str:  # type: ignore[override]
        """Upload a file, or a directory's files under one shared prefix; return the native URL."""
        source = Path(os.fspath(lpath))
        if not source.is_dir():
            return upload_file(self.target, source)[1]
        files = sorted(p for p in source.rglob("*") if p.is_file())
        if not files:
            raise ValueError(f"cannot upload the directory '{source}': it has no files")
        root = _directory_root(source, files)
        native = ""
        for file in files:
            relative = file.relative_to(source).as_posix()
            native = upload_file(self.target, file, filename=relative, filename_root=root)[1]
        relative = files[-1].relative_to(source).as_posix()
        return native[: -len(relative)].rstrip("/")

    def put_file(self, lpath: Any, rpath: Any, **kwargs: Any) -> str:
        return upload_file(self.target, lpath)[1]

    def _unsupported(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("flyte:// is write-only: read outputs through FlyteRemote (remote.get / outputs)")

    ls = info = cat_file = get_file = open = _open = _unsupported  # type: ignore[assignment]

    def exists(self, path: Any, **kwargs: Any) -> bool:
        return False


def flyte_filesystem(protocol: str = "flyte", **kwargs: Any) -> FlyteFS:
    """The file-access provider factory for ``flyte://``."""
    kwargs.pop("data_config", None)
    kwargs.pop("anonymous", None)
    return FlyteFS(**kwargs)

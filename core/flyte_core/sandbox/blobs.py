"""The sandbox's blob store: a directory whose files are named by absolute paths (or an object store such as
``s3://bucket/prefix``, :class:`ObjectBlobStore`), and signed URLs to them.

Every URI the sandbox hands out (upload targets, execution inputs and outputs, raw data) is the absolute
path of a file under the root, so task processes and clients on this machine read them with any
fsspec-based SDK — and flytekit takes them as local files (it refuses ``file://`` URIs in file literals).
``file://`` URIs are accepted wherever the sandbox reads one. Over HTTP, a blob is reached only with a
signed URL: an HMAC of the method, the path and the expiry time, made with the sandbox's secret key. A path
that leaves the root (``..``, paths elsewhere, symbolic links) is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import shutil
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    import fsspec


class BlobPathError(ValueError):
    """A path or URI that does not name a file inside the blob store."""


class BlobStore:
    """Files under ``root``, addressed by absolute paths (or ``file://`` URIs) or by paths relative to ``root``.

    :class:`ObjectBlobStore` is the same store over an fsspec filesystem (``s3://bucket/prefix``...); the engine,
    the control plane and the HTTP side use only what both offer (everything but :meth:`path`).
    """

    def __init__(self, root: str | os.PathLike[str], secret: bytes) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._secret = _checked_secret(secret)

    @property
    def location(self) -> str:
        """Where the blobs are, as a user would name it (the directory, or the object-store URL)."""
        return self.root.as_posix()

    # -- naming ------------------------------------------------------------------------------------------

    def uri(self, *parts: str) -> str:
        """The URI (absolute path) of ``root/<parts...>`` (each part may hold ``/``; none may climb out)."""
        return _file_uri(self.path(self.relative_path(*parts)))

    def relative_path(self, *parts: str) -> str:
        """``parts`` joined with ``/``, checked: no empty, ``.`` or ``..`` components, not absolute."""
        return _relative_path(parts)

    def path(self, uri_or_relative: str) -> Path:
        """The file a URI (an absolute path or ``file://...`` under the root) or root-relative path names, checked."""
        if uri_or_relative.startswith(("file://", "/")):
            if uri_or_relative.startswith("/"):
                absolute = Path(uri_or_relative)
            else:
                parsed = urllib.parse.urlparse(uri_or_relative)
                if parsed.netloc not in ("", "localhost"):
                    raise BlobPathError(f"'{uri_or_relative}' is not a local file URI")
                absolute = Path(urllib.parse.unquote(parsed.path))
            try:
                relative = absolute.relative_to(self.root).as_posix()
            except ValueError:
                raise BlobPathError(f"'{uri_or_relative}' is outside the blob store {self.root}") from None
        else:
            relative = uri_or_relative
        relative = self.relative_path(relative)
        candidate = self.root / relative
        # No component may be a symbolic link: a link could point anywhere on the machine.
        current = self.root
        for piece in relative.split("/"):
            current = current / piece
            if current.is_symlink():
                raise BlobPathError(f"'{relative}' goes through a symbolic link; the blob store does not follow links")
        return candidate

    def relative(self, uri: str) -> str:
        """The root-relative path of a URI under the root."""
        return self.path(uri).relative_to(self.root).as_posix()

    # -- contents -------------------------------------------------------------------------------------------

    def write_bytes(self, uri_or_relative: str, data: bytes) -> str:
        """Write a blob (parents created, atomically replaced); returns its URI."""
        with self.writer(uri_or_relative) as out:
            out.write(data)
        return _file_uri(self.path(uri_or_relative))

    @contextlib.contextmanager
    def writer(self, uri_or_relative: str) -> Iterator[BinaryIO]:
        """A file to write a blob into: it replaces the blob when the block ends, and is discarded if it raises."""
        target = self.path(uri_or_relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.partial")
        try:
            with open(partial, "wb") as out:
                yield out
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)

    def reader(self, uri_or_relative: str) -> tuple[BinaryIO, int]:
        """A blob opened for reading, and its size; FileNotFoundError when there is none."""
        source = self.path(uri_or_relative)
        if not source.is_file():
            raise FileNotFoundError(uri_or_relative)
        return open(source, "rb"), source.stat().st_size

    def read_bytes(self, uri_or_relative: str) -> bytes:
        return self.path(uri_or_relative).read_bytes()

    def exists(self, uri_or_relative: str) -> bool:
        return self.path(uri_or_relative).is_file()

    def size(self, uri_or_relative: str) -> int:
        return self.path(uri_or_relative).stat().st_size

    def clear_dir(self, uri_or_relative: str) -> str:
        """An empty directory (an attempt's output prefix: what an earlier run of it left is removed); its URI."""
        local = self.path(uri_or_relative)
        if local.exists():
            shutil.rmtree(local)
        local.mkdir(parents=True, exist_ok=True)
        return _file_uri(local)

    def dir_exists(self, uri: str) -> bool:
        """Whether ``uri`` (which may be outside the store: a configured raw prefix) names a non-empty directory."""
        local = _local_dir(uri)
        return local is not None and local.is_dir()

    def make_dir_for(self, uri: str) -> None:
        """Create the local directory a task will write into (object stores need none)."""
        local = _local_dir(uri)
        if local is not None:
            local.mkdir(parents=True, exist_ok=True)

    # -- signed URLs ------------------------------------------------------------------------------------------

    def signature(self, method: str, relative: str, expires_at: int) -> str:
        message = f"{method.upper()}\n{relative}\n{expires_at}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def signed_url(self, base_url: str, method: str, relative: str, expires_in: float) -> tuple[str, int]:
        """``<base_url>/blobs/<path>?method=..&expires=..&signature=..`` and its expiry (epoch seconds)."""
        relative = self.relative_path(relative)
        expires_at = int(time.time() + expires_in)
        query = urllib.parse.urlencode(
            {"method": method.upper(), "expires": expires_at, "signature": self.signature(method, relative, expires_at)}
        )
        return f"{base_url.rstrip('/')}/blobs/{urllib.parse.quote(relative)}?{query}", expires_at

    def verify(self, method: str, relative: str, expires_at: int, signature: str, now: float | None = None) -> bool:
        """Whether a signed URL's signature is ours, for this method and path, and not expired."""
        if (now if now is not None else time.time()) > expires_at:
            return False
        try:
            relative = self.relative_path(relative)
        except BlobPathError:
            return False
        return hmac.compare_digest(self.signature(method, relative, expires_at), signature)


class ObjectBlobStore(BlobStore):
    """The blob store in an object store (or any fsspec filesystem): every URI is ``<url>/<relative path>``.

    Task processes and clients reach the blobs with the same filesystem (for ``s3://``, flyte-plugin-s3 and the
    storage settings the sandbox writes into its client config); signed URLs still go through the sandbox's HTTP
    side, which streams to and from the store.
    """

    def __init__(self, url: str, secret: bytes, filesystem: fsspec.AbstractFileSystem) -> None:
        self._url = url.rstrip("/")
        self._fs = filesystem
        self._secret = _checked_secret(secret)

    @property
    def location(self) -> str:
        return self._url

    @property
    def filesystem(self) -> fsspec.AbstractFileSystem:
        return self._fs

    def uri(self, *parts: str) -> str:
        return f"{self._url}/{self.relative_path(*parts)}"

    def path(self, uri_or_relative: str) -> Path:
        raise BlobPathError(f"the blob store {self._url} is not a local directory")

    def relative(self, uri: str) -> str:
        if not uri.startswith(self._url + "/"):
            raise BlobPathError(f"'{uri}' is outside the blob store {self._url}")
        return self.relative_path(uri[len(self._url) + 1 :])

    def _target(self, uri_or_relative: str) -> str:
        relative = self.relative(uri_or_relative) if "://" in uri_or_relative else self.relative_path(uri_or_relative)
        return f"{self._url}/{relative}"

    def write_bytes(self, uri_or_relative: str, data: bytes) -> str:
        target = self._target(uri_or_relative)
        self._fs.pipe_file(target, data)
        return target

    @contextlib.contextmanager
    def writer(self, uri_or_relative: str) -> Iterator[BinaryIO]:
        # Spooled locally first: an upload that fails half way must not leave half an object behind.
        target = self._target(uri_or_relative)
        with tempfile.NamedTemporaryFile(prefix="flyte-blob-", suffix=".partial") as spool:
            yield spool  # type: ignore[misc]
            spool.flush()
            self._fs.put_file(spool.name, target)

    def reader(self, uri_or_relative: str) -> tuple[BinaryIO, int]:
        target = self._target(uri_or_relative)
        size = self.size(target)
        return self._fs.open(target, "rb"), size

    def read_bytes(self, uri_or_relative: str) -> bytes:
        return bytes(self._fs.cat_file(self._target(uri_or_relative)))

    def exists(self, uri_or_relative: str) -> bool:
        target = self._target(uri_or_relative)
        self._fs.invalidate_cache(target)
        return bool(self._fs.isfile(target))

    def size(self, uri_or_relative: str) -> int:
        target = self._target(uri_or_relative)
        self._fs.invalidate_cache(target)
        return int(self._fs.size(target))

    def clear_dir(self, uri_or_relative: str) -> str:
        target = self._target(uri_or_relative)
        self._fs.invalidate_cache(target)
        if self._fs.exists(target):
            self._fs.rm(target, recursive=True)
        self._fs.invalidate_cache(target)
        return target

    def dir_exists(self, uri: str) -> bool:
        if not uri.startswith(self._url + "/"):
            return super().dir_exists(uri)
        self._fs.invalidate_cache(uri)
        return bool(self._fs.isdir(uri))

    def check(self) -> None:
        """Write, read and delete a probe object: the store is usable, or an error says why not."""
        probe = self.uri(".flyte-sandbox-probe")
        self._fs.pipe_file(probe, b"ok")
        if bytes(self._fs.cat_file(probe)) != b"ok":
            raise OSError(f"{probe} did not read back what was written")
        self._fs.rm(probe)


def open_blob_store(location: str | os.PathLike[str], secret: bytes) -> BlobStore:
    """The blob store at ``location``: a local directory, or a URL served by a file-access provider (``s3://``)."""
    location = os.fspath(location)
    protocol = location.split("://", 1)[0] if "://" in location else "file"
    if protocol == "file":
        return BlobStore(location.removeprefix("file://"), secret)
    from flyte_core.data.file_access import FileAccessProvider

    filesystem = FileAccessProvider(tempfile.gettempdir(), location).get_filesystem(protocol, path=location)
    return ObjectBlobStore(location, secret, filesystem)


def _checked_secret(secret: bytes) -> bytes:
    if len(secret) < 16:
        raise ValueError("the signing secret must be at least 16 bytes")
    return secret


def _relative_path(parts: tuple[str, ...]) -> str:
    pieces: list[str] = []
    for part in parts:
        if part.startswith("/") or "\\" in part or "\x00" in part:
            raise BlobPathError(f"'{part}' is not a relative blob path")
        for piece in part.split("/"):
            if piece in ("", ".", ".."):
                raise BlobPathError(f"'{'/'.join(parts)}' is not a valid blob path (empty, '.' or '..' part)")
            pieces.append(piece)
    if not pieces:
        raise BlobPathError("an empty blob path")
    return "/".join(pieces)


def _local_dir(uri: str) -> Path | None:
    """The local directory a URI names (an absolute path or ``file://``), or None for remote storage."""
    if uri.startswith("file://"):
        return Path(uri.removeprefix("file://"))
    return Path(uri) if uri.startswith("/") else None


def _file_uri(path: Path) -> str:
    """The absolute path: fsspec reads it verbatim and flytekit treats it as a local file."""
    return path.as_posix()


def load_or_create_secret(path: str | os.PathLike[str]) -> bytes:
    """The sandbox's signing key, made once (32 random bytes, owner-only file) and kept across restarts."""
    path = Path(path)
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = os.urandom(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(secret)
    return secret

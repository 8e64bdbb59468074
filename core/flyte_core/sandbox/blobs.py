"""The sandbox's blob store: a directory whose files are named by absolute paths, and signed URLs to them.

Every URI the sandbox hands out (upload targets, execution inputs and outputs, raw data) is the absolute
path of a file under the root, so task processes and clients on this machine read them with any
fsspec-based SDK — and flytekit takes them as local files (it refuses ``file://`` URIs in file literals).
``file://`` URIs are accepted wherever the sandbox reads one. Over HTTP, a blob is reached only with a
signed URL: an HMAC of the method, the path and the expiry time, made with the sandbox's secret key. A path
that leaves the root (``..``, paths elsewhere, symbolic links) is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
import urllib.parse
from pathlib import Path


class BlobPathError(ValueError):
    """A path or URI that does not name a file inside the blob store."""


class BlobStore:
    """Files under ``root``, addressed by absolute paths (or ``file://`` URIs) or by paths relative to ``root``."""

    def __init__(self, root: str | os.PathLike[str], secret: bytes) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        if len(secret) < 16:
            raise ValueError("the signing secret must be at least 16 bytes")
        self._secret = secret

    # -- naming ------------------------------------------------------------------------------------------

    def uri(self, *parts: str) -> str:
        """The URI (absolute path) of ``root/<parts...>`` (each part may hold ``/``; none may climb out)."""
        return _file_uri(self.path(self.relative_path(*parts)))

    def relative_path(self, *parts: str) -> str:
        """``parts`` joined with ``/``, checked: no empty, ``.`` or ``..`` components, not absolute."""
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
        target = self.path(uri_or_relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        partial.write_bytes(data)
        os.replace(partial, target)
        return _file_uri(target)

    def read_bytes(self, uri_or_relative: str) -> bytes:
        return self.path(uri_or_relative).read_bytes()

    def exists(self, uri_or_relative: str) -> bool:
        return self.path(uri_or_relative).is_file()

    def size(self, uri_or_relative: str) -> int:
        return self.path(uri_or_relative).stat().st_size

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

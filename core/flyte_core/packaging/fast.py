"""The fast-registration archive: a project's source as a reproducible ``fast<digest>.tar.gz``.

``pyflyte package`` / ``register`` / ``run --remote`` upload it, and ``pyflyte-fast-execute`` unpacks it in
the task's container, so the code runs without building an image. The same files give the same bytes:
entries are sorted, their times, owners and extended headers fixed, the gzip header carries no time or
name. The digest in the name is flytekit's (MD5 over each file's content and its relative path without
separators, in path order), so both SDKs name the same source alike.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import site
import stat
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal

from flyte_core.sdk.ignore_rules import IgnoreRules

FAST_PREFIX = "fast"
FAST_FILEENDING = ".tar.gz"
CopyStyle = Literal["all", "auto"]

_ARCHIVE_MTIME = 315532800  # 1980-01-01T00:00:00Z, the time flytekit gives every entry
_EXCLUDED_DIRS = frozenset({".git"})


def fast_package(
    source: str | os.PathLike[str],
    output_dir: str | os.PathLike[str] | None,
    deref_symlinks: bool = False,
    copy_style: CopyStyle = "all",
) -> Path:
    """Archive the files under ``source`` into ``<output_dir>/fast<digest>.tar.gz``; return its path.

    Args:
        source: the project root; archive members are relative to it.
        output_dir: where the archive goes (created if missing; a fresh temporary directory when None).
        deref_symlinks: archive what symlinks point to rather than the links (and follow linked directories).
        copy_style: ``"all"``: every file not ignored (git, ``.dockerignore``, ``.flyteignore``, standard
            patterns: :mod:`flyte_core.sdk.ignore_rules`); ``"auto"``: only the Python modules this process
            has loaded from under ``source``.

    Raises:
        ValueError: ``source`` is not a directory or ``copy_style`` is unknown.
    """
    root = Path(source).resolve()
    if not root.is_dir():
        raise ValueError(f"cannot package '{source}': it is not a directory")
    files = list_files(root, copy_style, deref_symlinks)
    digest = _digest(root, files)
    out_dir = Path(output_dir) if output_dir is not None else Path(tempfile.mkdtemp(prefix="flyte-package-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"{FAST_PREFIX}{digest}{FAST_FILEENDING}"
    fd, partial = tempfile.mkstemp(prefix=f".{archive.name}.", dir=out_dir)
    try:
        with (
            os.fdopen(fd, "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as compressed,
            tarfile.open(fileobj=compressed, mode="w", dereference=deref_symlinks) as tar,
        ):
            for path in files:
                tar.add(path, arcname=os.path.relpath(path, root), recursive=False, filter=_normalised)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(partial, 0o666 & ~umask)  # as a plainly created file, not mkstemp's owner-only mode
        os.replace(partial, archive)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return archive


def compute_digest(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    filter: Callable[[str], bool] | None = None,
) -> str:
    """flytekit's digest of a directory's files (or of several directories and files), as hex.

    Args:
        source: a directory, or a list of directories and files (a file counts by its base name).
        filter: called with each file's path relative to its directory; True leaves the file out.
    """
    if isinstance(source, (str, os.PathLike)):
        root = Path(source)
        return _digest(root, _walk(root, filter=filter))
    hasher = hashlib.md5()
    for item in source:
        path = Path(item)
        if path.is_dir():
            for file in _walk(path, filter=filter):
                _update(hasher, file, os.path.relpath(file, path))
        elif _is_regular(path) and not (filter and filter(path.name)):
            _update(hasher, path, path.name)
    return hasher.hexdigest()


def list_files(root: Path, copy_style: CopyStyle = "all", deref_symlinks: bool = False) -> list[Path]:
    """The files :func:`fast_package` archives, sorted by path."""
    if copy_style == "all":
        rules = IgnoreRules(root)
        return _walk(root, rules.is_ignored, rules.is_ignored_directory, deref_symlinks)
    if copy_style == "auto":
        return _loaded_modules_under(root)
    raise ValueError(f"copy_style must be 'all' or 'auto', got {copy_style!r}")


def _walk(
    root: Path,
    filter: Callable[[str], bool] | None = None,
    skip_directory: Callable[[str], bool] | None = None,
    deref_symlinks: bool = False,
) -> list[Path]:
    """Every existing regular file under ``root`` (no sockets, no broken links, no ``.git``), sorted."""
    files: list[Path] = []
    visited: set[int] = set()
    for directory, dirnames, filenames in os.walk(root, topdown=True, followlinks=deref_symlinks):
        if deref_symlinks:  # a link back up the tree would loop forever
            inode = os.stat(directory).st_ino
            if inode in visited:
                dirnames[:] = []
                continue
            visited.add(inode)
        kept = []
        for name in dirnames:
            relative = os.path.relpath(os.path.join(directory, name), root)
            if name in _EXCLUDED_DIRS or (skip_directory is not None and skip_directory(relative)):
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in filenames:
            path = Path(directory, name)
            if not _is_regular(path):
                continue
            if filter is not None and filter(os.path.relpath(path, root)):
                continue
            files.append(path)
    files.sort(key=str)  # flytekit orders by path string, and the digest depends on the order
    return files


def _loaded_modules_under(root: Path) -> list[Path]:
    """Files of the modules loaded in this process that live under ``root`` (not installed packages)."""
    import flyte_core

    installed = {Path(flyte_core.__file__).resolve().parent, Path(sys.prefix), Path(sys.base_prefix)}
    installed.update(Path(p) for p in site.getsitepackages())
    user_site = site.getusersitepackages()
    if user_site:
        installed.add(Path(user_site))
    installed_roots = [p.resolve() for p in installed]
    files = set()
    for module in list(sys.modules.values()):
        module_file = getattr(module, "__file__", None)
        if not module_file:
            continue
        path = Path(module_file).resolve()
        if not path.is_relative_to(root) or any(path.is_relative_to(p) for p in installed_roots):
            continue
        if path.is_file():
            files.add(path)
    return sorted(files, key=str)


def _is_regular(path: Path) -> bool:
    """True for files worth archiving: existing (links resolved) and not sockets."""
    try:
        return not stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:  # a broken symlink
        return False


def _digest(root: Path, files: list[Path]) -> str:
    hasher = hashlib.md5()
    for path in files:
        _update(hasher, path, os.path.relpath(path, root))
    return hasher.hexdigest()


def _update(hasher: hashlib._Hash, path: str | os.PathLike[str], relative: str) -> None:
    with open(path, "rb") as f:
        while chunk := f.read(65536):
            hasher.update(chunk)
    hasher.update("".join(relative.split(os.sep)).encode("utf-8"))


def _normalised(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """An archive entry without what differs between machines and checkouts: times, owners, extended headers."""
    info.mtime = _ARCHIVE_MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.pax_headers = {}
    return info

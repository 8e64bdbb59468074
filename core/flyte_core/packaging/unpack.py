"""Unpacking a tar archive into a directory without writing anything outside it, on every supported Python.

Code archives (``pyflyte-fast-execute``) and registration packages (``pyflyte register flyte-package.tgz``)
come from elsewhere, so no member may land outside the destination, whatever the archive or the
destination already holds. tarfile's extraction filters (PEP 706) are missing before 3.10.12 / 3.11.4
(Debian 12's python3 is 3.11.2) and had bypasses fixed as late as 3.10.18 / 3.11.13 / 3.12.11 / 3.13.4
(CVE-2025-4138, CVE-2025-4517), so this module does not rely on them. It writes each member itself,
relative to directory descriptors opened without following links, so no write passes through a symbolic
link; links are checked against the finished tree, so their order in the archive does not matter.

What is accepted is what tarfile's ``data`` filter accepts: regular files (without set-id bits; owner
read/write added, executable bits kept only when the owner's is set), directories, hard links to members
of the archive (written as copies) and symbolic links resolving inside the destination. Absolute names,
``..`` components, device files and FIFOs are refused. Files get the time of unpacking, so no stale
bytecode is taken for them.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tarfile
from pathlib import Path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)  # POSIX; the getattr keeps imports working
_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW
_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW


class UnsafeArchiveError(ValueError):
    """A member would be written outside the destination, or is of a kind that is never unpacked."""


def unpack_archive(archive: str | os.PathLike[str], dest_dir: str | os.PathLike[str]) -> None:
    """Unpack the tar archive ``archive`` (any compression tarfile reads) into ``dest_dir``, overwriting files.

    Raises:
        UnsafeArchiveError: a member is refused (its name says which and why); what came before it stays.
        tarfile.TarError, OSError, EOFError: the archive is unreadable or the destination cannot be written.
    """
    root = os.path.realpath(dest_dir)
    os.makedirs(root, exist_ok=True)
    links: list[str] = []
    try:
        with tarfile.open(archive) as tar:
            root_fd = os.open(root, _DIRECTORY_FLAGS)
            try:
                for member in tar:
                    parts = _parts(member)
                    if parts:
                        _unpack_member(tar, member, parts, root_fd)
                        if member.issym():
                            links.append(os.path.join(root, *parts))
            finally:
                os.close(root_fd)
    finally:  # also when a later member was refused: no link pointing out stays behind
        escaping = _remove_escaping_links(root, links)
    if escaping:
        raise UnsafeArchiveError(f"member {', '.join(escaping)} would link outside the destination")


def _parts(member: tarfile.TarInfo) -> list[str]:
    """The member's path components below the destination ("./a/b" -> ["a", "b"]; "." -> [])."""
    name = member.name
    if name.startswith("/") or os.path.isabs(name):
        raise UnsafeArchiveError(f"member '{name}' has an absolute path")
    parts = [part for part in name.replace(os.sep, "/").split("/") if part not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchiveError(f"member '{name}' would be written outside the destination ('..' in its path)")
    return parts


def _unpack_member(tar: tarfile.TarFile, member: tarfile.TarInfo, parts: list[str], root_fd: int) -> None:
    parent_fd = _open_directory(root_fd, parts[:-1], member.name)
    try:
        name = parts[-1]
        if member.isdir():
            os.close(_open_or_make_directory(parent_fd, name, member.name))
        elif member.isfile() or member.islnk():
            _write_file(tar, member, parent_fd, name)
        elif member.issym():
            if os.path.isabs(member.linkname):
                raise UnsafeArchiveError(f"member '{member.name}' links to the absolute path '{member.linkname}'")
            _remove_non_directory(parent_fd, name, member.name)
            os.symlink(member.linkname, name, dir_fd=parent_fd)
        else:
            raise UnsafeArchiveError(f"member '{member.name}' is a {_kind(member)}, not a file, directory or link")
    finally:
        os.close(parent_fd)


def _open_directory(root_fd: int, parts: list[str], member: str) -> int:
    """A descriptor of ``root/parts``, made as needed, never passing through a symbolic link."""
    fd = os.dup(root_fd)
    for part in parts:
        try:
            child = _open_or_make_directory(fd, part, member)
        finally:
            os.close(fd)
        fd = child
    return fd


def _open_or_make_directory(parent_fd: int, name: str, member: str) -> int:
    try:
        return os.open(name, _DIRECTORY_FLAGS, dir_fd=parent_fd)
    except FileNotFoundError:
        os.mkdir(name, 0o777, dir_fd=parent_fd)
        return os.open(name, _DIRECTORY_FLAGS, dir_fd=parent_fd)
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.ENOTDIR):  # a symbolic link, or a file
            raise
        found = os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
        what = "a symbolic link" if stat.S_ISLNK(found.st_mode) else "not a directory"
        raise UnsafeArchiveError(f"member '{member}' would be written through '{name}', which is {what}") from exc


def _write_file(tar: tarfile.TarFile, member: tarfile.TarInfo, parent_fd: int, name: str) -> None:
    try:
        source = tar.extractfile(member)
    except KeyError as exc:  # a hard link to a name the archive does not hold
        raise UnsafeArchiveError(f"member '{member.name}' links to '{member.linkname}', which is not in it") from exc
    if source is None:
        raise UnsafeArchiveError(f"member '{member.name}' links to '{member.linkname}', which is not a file")
    _remove_non_directory(parent_fd, name, member.name)
    fd = os.open(name, _FILE_FLAGS, _file_mode(member.mode), dir_fd=parent_fd)
    with source, os.fdopen(fd, "wb") as target:
        shutil.copyfileobj(source, target)


def _file_mode(mode: int) -> int:
    """tarfile's ``data`` filter rule: no set-id or sticky bits, owner read/write, exec only with the owner's."""
    mode &= 0o755
    if not mode & stat.S_IXUSR:
        mode &= ~0o111
    return mode | 0o600


def _remove_non_directory(parent_fd: int, name: str, member: str) -> None:
    """Make room for a file or link: an old file or link goes (a link itself, never what it points to)."""
    try:
        found = os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(found.st_mode):
        raise UnsafeArchiveError(f"member '{member}' would replace the directory '{name}'")
    os.unlink(name, dir_fd=parent_fd)


def _remove_escaping_links(root: str, links: list[str]) -> list[str]:
    """Remove the unpacked symbolic links that resolve outside ``root`` in the finished tree; describe them."""
    inside = Path(root)
    escaping = []
    for link in dict.fromkeys(links):
        if not os.path.islink(link):  # replaced by a later member
            continue
        resolved = Path(os.path.realpath(link))
        if resolved != inside and inside not in resolved.parents:
            escaping.append(f"'{os.path.relpath(link, root)}' -> '{os.readlink(link)}'")
            os.unlink(link)
    return escaping


def _kind(member: tarfile.TarInfo) -> str:
    if member.ischr() or member.isblk():
        return "device file"
    if member.isfifo():
        return "FIFO"
    return f"member of type {member.type!r}"

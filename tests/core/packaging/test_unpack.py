"""Unpacking archives never writes outside the destination, on every interpreter (no reliance on tarfile filters).

These run in every session of the interpreter matrix (``make test-pythons``), Debian's 3.11.2 included,
whose tarfile has no extraction filters at all.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
from pathlib import Path

import pytest

from flyte_core.packaging import fast_package
from flyte_core.packaging.unpack import UnsafeArchiveError, unpack_archive


def _archive(path: Path, *members: tuple[str, str, str | bytes], mode: int = 0o644) -> Path:
    """A .tar.gz of (name, kind, data) members: kind "file" (data: content), "dir", "sym"/"hard" (data: target)."""
    with tarfile.open(path, "w:gz") as tar:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            info.mode = mode
            content = None
            if kind == "file":
                content = data.encode() if isinstance(data, str) else data
                info.size = len(content)
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
            elif kind == "sym":
                info.type, info.linkname = tarfile.SYMTYPE, str(data)
            elif kind == "hard":
                info.type, info.linkname = tarfile.LNKTYPE, str(data)
            elif kind == "fifo":
                info.type = tarfile.FIFOTYPE
            elif kind == "chr":
                info.type = tarfile.CHRTYPE
            tar.addfile(info, io.BytesIO(content) if content is not None else None)
    return path


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """A destination and, beside it, a directory that must stay untouched."""
    (tmp_path / "dest").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "victim.txt").write_text("original")
    return tmp_path / "dest", tmp_path / "outside"


def _untouched(outside: Path) -> None:
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]
    assert (outside / "victim.txt").read_text() == "original"


def test_a_fast_package_unpacks_with_its_files_directories_and_inner_links(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "app" / "sub").mkdir(parents=True)
    (source / "app" / "__init__.py").write_text("")
    (source / "app" / "sub" / "tasks.py").write_text("X = 1\n")
    (source / "run.sh").write_text("#!/bin/sh\n")
    (source / "run.sh").chmod(0o755)
    (source / "alias.py").symlink_to("app/sub/tasks.py")
    archive = fast_package(source, tmp_path / "dist")
    dest = tmp_path / "dest"

    unpack_archive(archive, dest)

    assert (dest / "app" / "sub" / "tasks.py").read_text() == "X = 1\n"
    assert os.readlink(dest / "alias.py") == "app/sub/tasks.py"
    assert (dest / "alias.py").read_text() == "X = 1\n"
    assert os.stat(dest / "run.sh").st_mode & 0o777 == 0o755
    assert os.stat(dest / "app" / "__init__.py").st_mode & 0o111 == 0


def test_unpacking_again_overwrites_the_files_and_keeps_the_times_of_unpacking(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    unpack_archive(_archive(tmp_path / "a.tar.gz", ("mod.py", "file", "old")), dest)
    os.utime(dest / "mod.py", (0, 0))
    unpack_archive(_archive(tmp_path / "b.tar.gz", ("./mod.py", "file", "new"), (".", "dir", "")), dest)
    assert (dest / "mod.py").read_text() == "new"
    assert (dest / "mod.py").stat().st_mtime > 0


def test_set_id_bits_are_dropped_and_the_owner_can_read_and_write(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    unpack_archive(_archive(tmp_path / "a.tar.gz", ("tool", "file", "x"), mode=0o6555), dest)
    assert stat.S_IMODE((dest / "tool").stat().st_mode) == 0o755


def test_a_hard_link_to_a_member_is_written_as_a_copy(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    unpack_archive(_archive(tmp_path / "a.tar.gz", ("a.py", "file", "A = 1"), ("b.py", "hard", "a.py")), dest)
    assert (dest / "b.py").read_text() == "A = 1"
    assert not (dest / "b.py").is_symlink()


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ([("../escaped.py", "file", "x")], "outside the destination ('..' in its path)"),
        ([("app/../../escaped.py", "file", "x")], "outside the destination ('..' in its path)"),
        ([("/tmp/escaped.py", "file", "x")], "has an absolute path"),
        ([("passwd", "sym", "/etc/passwd")], "links to the absolute path '/etc/passwd'"),
        ([("up", "sym", "../outside")], "would link outside the destination"),
        ([("up", "sym", ".."), ("up/escaped.py", "file", "x")], "would be written through 'up'"),
        ([("dev", "chr", "")], "is a device file"),
        ([("pipe", "fifo", "")], "is a FIFO"),
        ([("b.py", "hard", "missing.py")], "links to 'missing.py', which is not in it"),
    ],
    ids=[
        "dot-dot",
        "dot-dot-inside",
        "absolute",
        "absolute-link",
        "link-up",
        "write-through-link",
        "device",
        "fifo",
        "hard-link-elsewhere",
    ],
)
def test_a_member_escaping_or_of_a_forbidden_kind_is_refused(
    tmp_path: Path, layout: tuple[Path, Path], members: list[tuple[str, str, str]], reason: str
) -> None:
    dest, outside = layout
    with pytest.raises(UnsafeArchiveError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        unpack_archive(_archive(tmp_path / "evil.tar.gz", *members), dest)
    _untouched(outside)
    assert not (tmp_path / "escaped.py").exists()
    assert not any(path.is_symlink() for path in dest.rglob("*"))


def test_links_that_escape_only_together_are_refused_whatever_their_order(
    tmp_path: Path, layout: tuple[Path, Path]
) -> None:
    """'e' -> 'd/..' is harmless until 'd' -> '.' comes later: checked on the finished tree, both are seen."""
    dest, outside = layout
    members = [("e", "sym", "d/.."), ("d", "sym", ".")]
    with pytest.raises(UnsafeArchiveError, match="'e' -> 'd/..' would link outside"):
        unpack_archive(_archive(tmp_path / "evil.tar.gz", *members), dest)
    assert not (dest / "e").is_symlink()
    _untouched(outside)


def test_a_link_already_in_the_destination_is_replaced_not_written_through(
    tmp_path: Path, layout: tuple[Path, Path]
) -> None:
    dest, outside = layout
    (dest / "mod.py").symlink_to(outside / "victim.txt")
    (dest / "pkg").symlink_to(outside)

    unpack_archive(_archive(tmp_path / "a.tar.gz", ("mod.py", "file", "new")), dest)
    assert not (dest / "mod.py").is_symlink()
    assert (dest / "mod.py").read_text() == "new"

    with pytest.raises(UnsafeArchiveError, match="would be written through 'pkg', which is a symbolic link"):
        unpack_archive(_archive(tmp_path / "b.tar.gz", ("pkg/victim.txt", "file", "overwritten")), dest)
    _untouched(outside)


def test_a_file_does_not_replace_a_directory(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    (dest / "app").mkdir(parents=True)
    with pytest.raises(UnsafeArchiveError, match="would replace the directory 'app'"):
        unpack_archive(_archive(tmp_path / "a.tar.gz", ("app", "file", "x")), dest)
    assert (dest / "app").is_dir()


def test_an_unreadable_archive_is_a_tar_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a tar")
    with pytest.raises(tarfile.TarError):
        unpack_archive(broken, tmp_path / "dest")

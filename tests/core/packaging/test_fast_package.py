"""The fast-registration archive: reproducible bytes, ignore rules, flytekit's digest."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from flyte_core.packaging import compute_digest, fast_package
from flyte_core.sdk.ignore_rules import IgnoreRules, PatternMatcher


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def _names(archive: Path) -> list[str]:
    with tarfile.open(archive) as tar:
        return tar.getnames()


PROJECT = {
    "app/__init__.py": "",
    "app/tasks.py": "x = 1\n",
    "app/__pycache__/tasks.cpython-311.pyc": "bytecode",
    "app/data/table.csv": "a,b\n",
    "stale.pyc": "bytecode",
    ".cache/blob": "cached",
    ".git/HEAD": "ref: refs/heads/main\n",
    "build/out.bin": "built",
    "logs/keep.log": "kept",
    "logs/debug.log": "dropped",
    "notes/secret.txt": "secret",
    ".flyteignore": "build\n# a comment\n",
    ".dockerignore": "logs/*.log\n!logs/keep.log\nnotes\n",
}


def test_the_same_tree_gives_the_same_bytes(tmp_path: Path) -> None:
    source = _tree(tmp_path / "src", PROJECT)
    first = fast_package(source, tmp_path / "one")
    for path in source.rglob("*"):
        os.utime(path, (1_000_000, 1_000_000))  # another checkout: other times, same content
    second = fast_package(source, tmp_path / "two")
    assert first.name == second.name
    assert first.read_bytes() == second.read_bytes()


def test_ignored_files_are_left_out(tmp_path: Path) -> None:
    source = _tree(tmp_path / "src", PROJECT)
    archive = fast_package(source, tmp_path / "dist")
    assert _names(archive) == [
        ".dockerignore",
        ".flyteignore",
        "app/__init__.py",
        "app/data/table.csv",
        "app/tasks.py",
        "logs/keep.log",
    ]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_files_git_ignores_are_left_out(tmp_path: Path) -> None:
    source = _tree(
        tmp_path / "src", {"app/tasks.py": "", ".gitignore": "*.env\nscratch/\n", "a.env": "", "scratch/x": ""}
    )
    subprocess.run(["git", "init", "-q"], cwd=source, check=True)
    assert _names(fast_package(source, tmp_path / "dist")) == [".gitignore", "app/tasks.py"]


def test_members_carry_no_times_or_owners(tmp_path: Path) -> None:
    archive = fast_package(_tree(tmp_path / "src", {"a.py": "a"}), tmp_path / "dist")
    with tarfile.open(archive) as tar:
        (member,) = tar.getmembers()
    assert (member.mtime, member.uid, member.gid, member.uname, member.gname) == (315532800, 0, 0, "", "")
    assert archive.read_bytes()[4:8] == b"\0\0\0\0"  # the gzip header's time


def test_the_name_is_flytekits_digest_of_the_packaged_files(tmp_path: Path) -> None:
    source = _tree(tmp_path / "src", {"app/tasks.py": "x = 1\n", "b.py": "y\n"})
    expected = hashlib.md5(b"x = 1\n" + b"apptasks.py" + b"y\n" + b"b.py").hexdigest()
    assert fast_package(source, tmp_path / "dist").name == f"fast{expected}.tar.gz"
    assert compute_digest(source) == expected
    assert compute_digest(source, filter=lambda path: path == "b.py") != expected
    (source / "b.py").write_text("changed\n")
    assert fast_package(source, tmp_path / "dist").name != f"fast{expected}.tar.gz"


def test_copy_style_auto_packages_only_the_modules_loaded_from_the_source(tmp_path: Path) -> None:
    source = _tree(tmp_path / "src", {"pkg/__init__.py": "", "pkg/used.py": "", "pkg/unused.py": "", "data.csv": ""})
    sys.path.insert(0, str(source))
    try:
        import pkg.used  # noqa: F401

        archive = fast_package(source, tmp_path / "dist", copy_style="auto")
    finally:
        sys.path.remove(str(source))
        for name in ("pkg", "pkg.used"):
            sys.modules.pop(name, None)
    assert _names(archive) == ["pkg/__init__.py", "pkg/used.py"]


def test_symlinks_are_archived_as_links_unless_dereferenced(tmp_path: Path) -> None:
    source = _tree(tmp_path / "src", {"real.py": "r"})
    (source / "link.py").symlink_to("real.py")
    with tarfile.open(fast_package(source, tmp_path / "links")) as tar:
        assert tar.getmember("link.py").issym()
    with tarfile.open(fast_package(source, tmp_path / "copies", deref_symlinks=True)) as tar:
        assert tar.getmember("link.py").isfile()


def test_docker_patterns_match_directories_and_exceptions() -> None:
    matcher = PatternMatcher(["**/*.tmp", "docs", "!docs/keep.md", "/abs/x"])
    assert matcher.matches("a/b/c.tmp") and matcher.matches("c.tmp")
    assert matcher.matches("docs/guide/index.md")
    assert not matcher.matches("docs/keep.md")
    assert matcher.matches("abs/x")
    assert not matcher.matches("src/docs.py")
    assert not PatternMatcher(["*"]).matches(".dockerignore")


def test_a_non_directory_source_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file.py").write_text("")
    with pytest.raises(ValueError, match="is not a directory"):
        fast_package(tmp_path / "file.py", tmp_path / "dist")
    with pytest.raises(ValueError, match="copy_style must be 'all' or 'auto'"):
        fast_package(tmp_path, tmp_path / "dist", copy_style="none")  # type: ignore[arg-type]


def test_ignore_rules_accept_absolute_paths(tmp_path: Path) -> None:
    source = _tree(tmp_path / "src", {".flyteignore": "secret\n"})
    rules = IgnoreRules(source)
    assert rules.is_ignored(source / "secret" / "key")
    assert rules.is_ignored("secret/key")
    assert not rules.is_ignored(source / "public")

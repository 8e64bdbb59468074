"""Paths a ``FileAccessProvider`` hands out: under the raw output prefix or the local sandbox, joined natively."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from flyte_core.data import FileAccessProvider


def _memory_provider(tmp_path: Path, prefix: str) -> FileAccessProvider:
    return FileAccessProvider(local_sandbox_dir=tmp_path, raw_output_prefix=prefix)


def test_raw_output_prefix_ends_with_the_separator(provider: FileAccessProvider, tmp_path: Path) -> None:
    assert provider.raw_output_prefix == str(tmp_path / "raw") + os.sep


def test_raw_output_prefix_already_ending_with_the_separator_is_kept(tmp_path: Path) -> None:
    prefix = f"memory://bucket-{uuid.uuid4().hex}/raw/"
    assert _memory_provider(tmp_path, prefix).raw_output_prefix == prefix


def test_local_sandbox_dir_is_created_inside_the_given_directory(tmp_path: Path) -> None:
    provider = FileAccessProvider(local_sandbox_dir=tmp_path / "work", raw_output_prefix=str(tmp_path / "raw"))
    assert Path(provider.local_sandbox_dir) == tmp_path / "work" / "local_flytekit"
    assert Path(provider.local_sandbox_dir).is_dir()


def test_empty_local_sandbox_dir_is_rejected() -> None:
    with pytest.raises(ValueError, match="local_sandbox_dir"):
        FileAccessProvider(local_sandbox_dir="", raw_output_prefix="/tmp/raw")


def test_random_remote_paths_are_fresh_directories_under_the_raw_output_prefix(provider: FileAccessProvider) -> None:
    first, second = provider.get_random_remote_path(), provider.get_random_remote_path()
    assert first != second
    for path in (first, second, provider.get_random_remote_directory()):
        assert path.startswith(provider.raw_output_prefix)
        assert len(path.removeprefix(provider.raw_output_prefix)) == 32


def test_random_remote_path_keeps_the_file_name(provider: FileAccessProvider) -> None:
    path = provider.get_random_remote_path("/somewhere/data/report.csv")
    random_part, name = path.removeprefix(provider.raw_output_prefix).split(os.sep)
    assert name == "report.csv" and len(random_part) == 32


def test_random_remote_path_on_an_object_store_uses_slashes(tmp_path: Path) -> None:
    provider = _memory_provider(tmp_path, f"memory://bucket-{uuid.uuid4().hex}/raw")
    path = provider.get_random_remote_path("a.txt")
    assert path.startswith(provider.raw_output_prefix) and path.endswith("/a.txt")


def test_random_local_path_is_in_the_sandbox_and_keeps_the_file_name(provider: FileAccessProvider) -> None:
    path = Path(provider.get_random_local_path("/x/y/a.txt"))
    assert path.name == "a.txt"
    assert path.parent.parent == Path(provider.local_sandbox_dir)
    assert not path.exists()


def test_random_local_directory_exists(provider: FileAccessProvider) -> None:
    directory = Path(provider.get_random_local_directory())
    assert directory.is_dir() and directory.parent == Path(provider.local_sandbox_dir)


def test_custom_path_puts_the_stem_next_to_the_prefix_contents(provider: FileAccessProvider) -> None:
    assert provider.generate_new_custom_path(stem="my-stem") == provider.raw_output_prefix + "my-stem"


def test_custom_path_alt_replaces_the_bucket(tmp_path: Path) -> None:
    provider = _memory_provider(tmp_path, "memory://bucket/data/raw")
    assert provider.generate_new_custom_path(alt="other", stem="s") == "memory://other/data/raw/s"


@pytest.mark.parametrize(
    ("path", "remote"),
    [
        ("s3://bucket/key", True),
        ("gs://bucket/key", True),
        ("https://example.com/a.csv", True),
        ("memory://x", True),
        ("/tmp/a.txt", False),
        ("relative/a.txt", False),
        ("file:///tmp/a.txt", False),
        (Path("/tmp/a.txt"), False),
    ],
)
def test_is_remote_means_any_protocol_but_file(path: str | Path, remote: bool) -> None:
    assert FileAccessProvider.is_remote(path) is remote


def test_join_uses_the_raw_output_separator_and_drops_a_trailing_one(provider: FileAccessProvider) -> None:
    assert provider.join(provider.raw_output_prefix, "a", "b.txt") == os.sep.join(
        [provider.raw_output_prefix.rstrip(os.sep), "a", "b.txt"]
    )


def test_join_with_unstrip_returns_a_full_uri(provider: FileAccessProvider) -> None:
    assert provider.join("/data", "a.txt", unstrip=True) == "file:///data/a.txt"


def test_join_with_another_filesystem_uses_its_separator(provider: FileAccessProvider) -> None:
    memory = provider.get_filesystem("memory")
    assert provider.join("memory://bucket/", "a", fs=memory, unstrip=True) == "memory://bucket/a"


def test_join_needs_a_path(provider: FileAccessProvider) -> None:
    with pytest.raises(ValueError, match="at least one path"):
        provider.join()

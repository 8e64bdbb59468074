"""Moving real files and directories between the local disk and stores: put, get, raw data, errors."""

from __future__ import annotations

import asyncio
import io
import os
import uuid
from pathlib import Path

import pytest

from flyte_core.data import FileAccessProvider
from flyte_core.exceptions.system import FlyteDownloadDataException, FlyteUploadDataException
from flyte_core.exceptions.user import FlyteAssertion, FlyteDataNotFoundException


def _tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` by relative path, with its text."""
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def source_dir(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("a")
    (root / "sub" / "b.txt").write_text("b")
    return root


@pytest.fixture
def memory_provider(tmp_path: Path) -> FileAccessProvider:
    """A provider whose raw output prefix is in fsspec's in-memory store (no plugin serves ``memory``)."""
    prefix = f"memory://bucket-{uuid.uuid4().hex}/raw"
    return FileAccessProvider(local_sandbox_dir=tmp_path / "sandbox", raw_output_prefix=prefix)


def test_put_data_copies_a_file_and_returns_the_destination(provider: FileAccessProvider, tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("hello")
    destination = provider.get_random_remote_path("out.txt")
    assert provider.put_data(source, destination) == destination
    assert Path(destination).read_text() == "hello"


def test_put_data_creates_missing_parent_directories(provider: FileAccessProvider, tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("hello")
    destination = tmp_path / "deep" / "er" / "out.txt"
    provider.put_data(str(source), str(destination))
    assert destination.read_text() == "hello"


def test_get_data_copies_a_file_into_a_new_directory(provider: FileAccessProvider, tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("hello")
    destination = tmp_path / "new" / "dir" / "copy.txt"
    provider.get_data(str(source), str(destination))
    assert destination.read_text() == "hello"


def test_put_data_multipart_copies_a_directory_recursively(
    provider: FileAccessProvider, source_dir: Path, tmp_path: Path
) -> None:
    destination = provider.get_random_remote_directory()
    assert provider.put_data(source_dir, destination, is_multipart=True) == destination
    assert _tree(Path(destination)) == {"a.txt": "a", "sub/b.txt": "b"}


def test_putting_a_directory_twice_does_not_nest_it(provider: FileAccessProvider, source_dir: Path) -> None:
    destination = provider.get_random_remote_directory()
    provider.upload_directory(str(source_dir), destination)
    provider.upload_directory(str(source_dir), destination)
    assert _tree(Path(destination)) == {"a.txt": "a", "sub/b.txt": "b"}


def test_get_data_multipart_copies_a_directory_recursively(
    provider: FileAccessProvider, source_dir: Path, tmp_path: Path
) -> None:
    provider.download_directory(str(source_dir), str(tmp_path / "copy"))
    assert _tree(tmp_path / "copy") == {"a.txt": "a", "sub/b.txt": "b"}


def test_directory_round_trip_through_an_object_store(
    memory_provider: FileAccessProvider, source_dir: Path, tmp_path: Path
) -> None:
    remote = memory_provider.get_random_remote_directory()
    assert remote.startswith("memory://")
    memory_provider.put_data(source_dir, remote, is_multipart=True)
    memory_provider.get_data(remote, str(tmp_path / "back"), is_multipart=True)
    assert _tree(tmp_path / "back") == {"a.txt": "a", "sub/b.txt": "b"}


def test_file_round_trip_through_an_object_store(memory_provider: FileAccessProvider, tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("hello")
    remote = memory_provider.upload(str(source), memory_provider.get_random_remote_path("in.txt"))
    memory_provider.download(remote, str(tmp_path / "back.txt"))
    assert (tmp_path / "back.txt").read_text() == "hello"


def test_getting_a_missing_file_raises_data_not_found_naming_it(provider: FileAccessProvider, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.txt")
    with pytest.raises(FlyteDataNotFoundException) as caught:
        provider.get_data(missing, str(tmp_path / "copy.txt"))
    assert str(caught.value) == f"Value error!  Received: {missing}. File not found"


def test_getting_a_missing_directory_raises_data_not_found(provider: FileAccessProvider, tmp_path: Path) -> None:
    with pytest.raises(FlyteDataNotFoundException, match=r"/nope\. File not found"):
        provider.get_data(str(tmp_path / "nope"), str(tmp_path / "copy"), is_multipart=True)


def test_putting_a_missing_file_names_source_destination_and_cause(
    provider: FileAccessProvider, tmp_path: Path
) -> None:
    missing, destination = str(tmp_path / "nope.txt"), provider.get_random_remote_path("x")
    with pytest.raises(FlyteUploadDataException) as caught:
        provider.put_data(missing, destination)
    message = str(caught.value)
    assert f"'{missing}'" in message and f"'{destination}'" in message and "FileNotFoundError" in message
    assert isinstance(caught.value.__cause__, FileNotFoundError)


def test_a_failed_download_names_source_destination_and_cause(provider: FileAccessProvider, tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("hello")
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    with pytest.raises(
        FlyteDownloadDataException, match=r"cannot download '.*in\.txt' to '.*file-not-dir/x\.txt': FileExistsError"
    ):
        provider.get_data(str(source), str(blocker / "x.txt"))


def test_exists_sees_files_and_their_absence(provider: FileAccessProvider, tmp_path: Path) -> None:
    (tmp_path / "here.txt").write_text("")
    assert provider.exists(str(tmp_path / "here.txt"))
    assert not provider.exists(str(tmp_path / "gone.txt"))


def test_put_raw_data_writes_bytes_under_the_raw_output_prefix(provider: FileAccessProvider) -> None:
    path = provider.put_raw_data(b"\x00bytes")
    assert path.startswith(provider.raw_output_prefix)
    assert Path(path).read_bytes() == b"\x00bytes"


def test_put_raw_data_uses_upload_prefix_and_file_name(provider: FileAccessProvider) -> None:
    path = provider.put_raw_data(b"x", upload_prefix="fixed", file_name="data.bin")
    assert path == provider.raw_output_prefix + os.sep.join(["fixed", "data.bin"])


def test_put_raw_data_with_skip_raw_data_prefix_writes_to_the_upload_prefix(
    provider: FileAccessProvider, tmp_path: Path
) -> None:
    path = provider.put_raw_data(b"x", upload_prefix=str(tmp_path / "elsewhere"), skip_raw_data_prefix=True)
    assert Path(path).parent == tmp_path / "elsewhere" and Path(path).read_bytes() == b"x"


def test_put_raw_data_copies_a_file_path_keeping_its_name(provider: FileAccessProvider, tmp_path: Path) -> None:
    source = tmp_path / "report.csv"
    source.write_text("a,b\n")
    path = provider.put_raw_data(str(source))
    assert Path(path).name == "report.csv" and Path(path).read_text() == "a,b\n"


def test_put_raw_data_copies_a_directory_recursively(provider: FileAccessProvider, source_dir: Path) -> None:
    path = provider.put_raw_data(source_dir)
    assert _tree(Path(path)) == {"a.txt": "a", "sub/b.txt": "b"}


def test_put_raw_data_reads_a_binary_stream_from_its_start_in_chunks(provider: FileAccessProvider) -> None:
    stream = io.BytesIO(b"0123456789" * 10)
    stream.seek(50)
    path = provider.put_raw_data(stream, read_chunk_size_bytes=7)
    assert Path(path).read_bytes() == b"0123456789" * 10


def test_put_raw_data_encodes_a_text_stream(provider: FileAccessProvider) -> None:
    path = provider.put_raw_data(io.StringIO("héllo"), encoding="utf-8")
    assert Path(path).read_bytes() == "héllo".encode()


def test_put_raw_data_reads_an_open_file(provider: FileAccessProvider, tmp_path: Path) -> None:
    (tmp_path / "in.bin").write_bytes(b"abc")
    with open(tmp_path / "in.bin", "rb") as stream:
        path = provider.put_raw_data(stream, file_name="out.bin")
    assert Path(path).read_bytes() == b"abc"


def test_put_raw_data_to_an_object_store(memory_provider: FileAccessProvider) -> None:
    path = memory_provider.put_raw_data(b"in memory")
    assert path.startswith(memory_provider.raw_output_prefix)
    assert memory_provider.get_filesystem("memory").cat_file(path) == b"in memory"


def test_put_raw_data_of_a_missing_path_is_an_assertion_error(provider: FileAccessProvider, tmp_path: Path) -> None:
    with pytest.raises(FlyteAssertion, match=r"nope\.txt': it does not exist"):
        provider.put_raw_data(str(tmp_path / "nope.txt"))


def test_put_raw_data_refuses_a_symlink(provider: FileAccessProvider, tmp_path: Path) -> None:
    (tmp_path / "target.txt").write_text("x")
    (tmp_path / "link.txt").symlink_to(tmp_path / "target.txt")
    with pytest.raises(FlyteAssertion, match="symlink"):
        provider.put_raw_data(str(tmp_path / "link.txt"))


def test_put_raw_data_refuses_an_unsupported_type(provider: FileAccessProvider) -> None:
    with pytest.raises(FlyteAssertion, match="'int'"):
        provider.put_raw_data(42)  # type: ignore[arg-type]


def test_async_variants_transfer_like_the_sync_ones(provider: FileAccessProvider, tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("hello")

    async def round_trip() -> str:
        remote = await provider.async_put_data(source, provider.get_random_remote_path("in.txt"))
        await provider.async_get_data(remote, str(tmp_path / "back.txt"))
        return await provider.async_put_raw_data(b"raw", file_name="r.bin")

    raw = asyncio.run(round_trip())
    assert (tmp_path / "back.txt").read_text() == "hello" and Path(raw).read_bytes() == b"raw"

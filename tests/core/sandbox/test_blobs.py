"""The blob store: file URIs under its root, refusal of paths that leave it, signed URLs."""

from __future__ import annotations

import os
import urllib.parse

import pytest

from flyte_core.sandbox.blobs import BlobPathError, BlobStore, ObjectBlobStore, load_or_create_secret, open_blob_store


@pytest.fixture
def store(tmp_path):
    return BlobStore(tmp_path / "blobs", secret=b"s" * 32)


def test_blobs_are_file_uris_under_the_root(store) -> None:
    uri = store.write_bytes("metadata/p/d/exec/inputs.pb", b"data")
    assert uri == str(store.root / "metadata/p/d/exec/inputs.pb") == store.uri("metadata/p/d/exec", "inputs.pb")
    assert store.read_bytes(uri) == b"data" == store.read_bytes("metadata/p/d/exec/inputs.pb")
    assert store.relative(uri) == "metadata/p/d/exec/inputs.pb"
    assert store.exists(uri) and store.size(uri) == 4


@pytest.mark.parametrize("bad", ["../escape", "a/../../b", "/etc/passwd", "a//b", "./a", "a\\b", ""])
def test_paths_that_leave_the_root_are_refused(store, bad: str) -> None:
    with pytest.raises(BlobPathError):
        store.path(bad)


def test_uris_outside_the_root_and_symlinks_are_refused(store, tmp_path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    with pytest.raises(BlobPathError, match="outside the blob store"):
        store.path(outside.as_uri())
    os.symlink(tmp_path, store.root / "link")
    with pytest.raises(BlobPathError, match="symbolic link"):
        store.read_bytes("link/outside.txt")


def test_signed_urls_verify_only_for_their_method_path_and_time(store) -> None:
    url, expires = store.signed_url("http://127.0.0.1:1234", "put", "uploads/p/d/x/file.tgz", expires_in=60)
    parsed = urllib.parse.urlparse(url)
    query = dict(urllib.parse.parse_qsl(parsed.query))
    relative = urllib.parse.unquote(parsed.path.removeprefix("/blobs/"))
    assert relative == "uploads/p/d/x/file.tgz" and query["method"] == "PUT"
    assert store.verify("PUT", relative, int(query["expires"]), query["signature"])
    assert not store.verify("GET", relative, expires, query["signature"])
    assert not store.verify("PUT", "uploads/p/d/x/other.tgz", expires, query["signature"])
    assert not store.verify("PUT", relative, expires, query["signature"], now=expires + 1)
    assert not store.verify("PUT", "../x", expires, query["signature"])


def test_the_secret_is_made_once_and_kept(tmp_path) -> None:
    first = load_or_create_secret(tmp_path / "secret.key")
    assert len(first) == 32 and load_or_create_secret(tmp_path / "secret.key") == first
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600


def test_file_uris_are_read_too(store) -> None:
    uri = store.write_bytes("a/b.pb", b"x")
    assert store.read_bytes("file://" + uri) == b"x" and store.relative("file://" + uri) == "a/b.pb"


# -- the same store over an fsspec filesystem (what --blob-store s3://... uses; here fsspec's memory filesystem) ------


@pytest.fixture
def object_store():
    import uuid

    return open_blob_store(f"memory://sandbox-{uuid.uuid4().hex}/blobs", secret=b"s" * 32)


def test_object_store_uris_are_urls_under_its_location(object_store) -> None:
    assert isinstance(object_store, ObjectBlobStore)
    uri = object_store.write_bytes("metadata/p/d/exec/inputs.pb", b"data")
    assert (
        uri
        == f"{object_store.location}/metadata/p/d/exec/inputs.pb"
        == object_store.uri("metadata/p/d/exec", "inputs.pb")
    )
    assert object_store.read_bytes(uri) == b"data" == object_store.read_bytes("metadata/p/d/exec/inputs.pb")
    assert object_store.relative(uri) == "metadata/p/d/exec/inputs.pb"
    assert object_store.exists(uri) and object_store.size(uri) == 4 and not object_store.exists("metadata/other")


@pytest.mark.parametrize("bad", ["memory://elsewhere/x", "../escape", "a//b", "/etc/passwd"])
def test_object_store_refuses_what_is_not_under_its_location(object_store, bad: str) -> None:
    with pytest.raises(BlobPathError):
        object_store.read_bytes(bad)


def test_object_store_writer_replaces_on_success_and_leaves_nothing_on_error(object_store) -> None:
    with object_store.writer("uploads/a.tgz") as out:
        out.write(b"first")
    with pytest.raises(RuntimeError), object_store.writer("uploads/a.tgz") as out:
        out.write(b"half")
        raise RuntimeError("the client went away")
    with pytest.raises(RuntimeError), object_store.writer("uploads/b.tgz") as out:
        raise RuntimeError("nothing written")
    source, size = object_store.reader("uploads/a.tgz")
    with source:
        assert (source.read(), size) == (b"first", 5)
    assert not object_store.exists("uploads/b.tgz")
    with pytest.raises(FileNotFoundError):
        object_store.reader("uploads/b.tgz")


def test_object_store_clear_dir_empties_an_attempts_prefix(object_store) -> None:
    object_store.write_bytes("metadata/n0/data/0/outputs.pb", b"old")
    uri = object_store.clear_dir("metadata/n0/data/0")
    assert uri == object_store.uri("metadata/n0/data/0")
    assert not object_store.exists("metadata/n0/data/0/outputs.pb")
    object_store.check()


def test_a_local_location_opens_the_directory_store(tmp_path) -> None:
    store = open_blob_store(tmp_path / "blobs", secret=b"s" * 32)
    assert type(store) is BlobStore and store.location == (tmp_path / "blobs").as_posix()

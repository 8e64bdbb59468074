"""FlyteDirectory: local and remote directories through the type engine and task runs, as flytekit 1.16."""

from __future__ import annotations

import os
from pathlib import Path

import fsspec
import pytest
from flyteidl.core import literals_pb2, types_pb2

from flyte_core import current_context, task, workflow
from flyte_core.context import FlyteContextManager
from flyte_core.exceptions.user import FlyteAssertion
from flyte_core.types.directory import FlyteDirectory, TensorboardLogs
from flyte_core.types.file import FlyteFile
from flyte_core.types.type_engine import TypeEngine, TypeTransformerFailedError
from tests.core.types.files.conftest import TaskExecution, memory_files, write


def _tree(root: Path) -> Path:
    write(root / "a.txt", "a")
    write(root / "sub" / "b.txt", "b")
    return root


def _multipart(uri: str) -> literals_pb2.Literal:
    blob_type = types_pb2.BlobType(dimensionality=types_pb2.BlobType.MULTIPART)
    blob = literals_pb2.Blob(metadata=literals_pb2.BlobMetadata(type=blob_type), uri=uri)
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(blob=blob))


@task
def names(d: FlyteDirectory) -> list[str]:
    return sorted(os.listdir(d))


@pytest.fixture
def memory_tree(memory_prefix: str) -> str:
    """A directory in the in-memory "remote" store: ``a.txt`` and ``sub/b.txt``."""
    fs = fsspec.filesystem("memory")
    fs.pipe(f"{memory_prefix}/tree/a.txt", b"a")
    fs.pipe(f"{memory_prefix}/tree/sub/b.txt", b"b")
    return f"{memory_prefix}/tree"


def test_a_local_directory_passes_through_a_local_run_without_being_copied(tmp_path: Path) -> None:
    root = _tree(tmp_path / "d")

    @task
    def same(d: FlyteDirectory) -> FlyteDirectory:
        assert d.path == str(root)
        return d

    assert same(d=FlyteDirectory(str(root))).path == str(root)


def test_a_str_directory_input_is_copied_under_the_raw_output_prefix_as_flytekit_does(tmp_path: Path) -> None:
    root = _tree(tmp_path / "d")

    @task
    def where(d: FlyteDirectory) -> str:
        return d.path

    raw = FlyteContextManager.current_context().file_access.raw_output_prefix
    path = where(d=str(root))
    assert path.startswith(raw) and sorted(os.listdir(path)) == ["a.txt", "sub"]


def test_directories_flow_between_tasks_of_a_workflow() -> None:
    @task
    def make(n: int) -> FlyteDirectory:
        d = os.path.join(current_context().working_directory, "d")
        os.makedirs(d)
        for i in range(n):
            Path(d, f"{i}.txt").write_text(str(i))
        return FlyteDirectory(d)

    @workflow
    def wf(n: int) -> list[str]:
        return names(d=make(n=n))

    assert wf(n=2) == ["0.txt", "1.txt"]


def test_a_missing_local_directory_names_the_task_the_input_and_the_path(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope")
    with pytest.raises(ValueError, match=rf"names':\n  Failed argument 'd'.*'{missing}' does not exist"):
        names(d=missing)
    with pytest.raises(TypeTransformerFailedError, match=rf"'{missing}' does not exist"):
        names(d=FlyteDirectory(missing))


def test_a_file_given_as_a_directory_says_so(tmp_path: Path) -> None:
    path = str(write(tmp_path / "f.txt", "x"))
    with pytest.raises(ValueError, match="is not a directory"):
        names(d=path)


def test_a_local_literal_naming_no_directory_is_a_flyte_assertion(tmp_path: Path) -> None:
    with pytest.raises(FlyteAssertion, match="does not exist"):
        TypeEngine.to_python_value(None, _multipart(str(tmp_path / "nope")), FlyteDirectory)


def test_a_remote_directory_is_listed_without_downloading(memory_tree: str) -> None:
    directory = FlyteDirectory.from_source(memory_tree)
    entries = {os.path.basename(e.remote_source): e for e in FlyteDirectory.listdir(directory)}
    assert set(entries) == {"a.txt", "sub"}
    assert isinstance(entries["a.txt"], FlyteFile) and isinstance(entries["sub"], FlyteDirectory)
    assert not directory.downloaded and os.listdir(directory.path) == []
    assert Path(entries["a.txt"]).read_text() == "a"  # each entry downloads on its own when read
    assert sorted(e.remote_source for e in directory.listing()) == sorted(e.remote_source for e in entries.values())


def test_crawl_lists_every_file_below_a_remote_directory(memory_tree: str) -> None:
    directory = FlyteDirectory.from_source(memory_tree)
    assert sorted(rel for _, rel in directory.crawl()) == ["a.txt", "sub/b.txt"]


def test_crawl_lists_a_local_directory(tmp_path: Path) -> None:
    root = _tree(tmp_path / "d")
    assert sorted(FlyteDirectory(str(root)).crawl()) == [(str(root), "a.txt"), (str(root), "sub/b.txt")]


def test_a_remote_directory_input_is_downloaded_when_read(memory_tree: str) -> None:
    assert names(d=FlyteDirectory(memory_tree)) == ["a.txt", "sub"]


def test_download_fills_the_local_directory(memory_tree: str) -> None:
    directory = FlyteDirectory.from_source(memory_tree)
    local = directory.download()
    assert local == directory.path and Path(local, "sub", "b.txt").read_text() == "b"


def test_task_execution_uploads_a_local_directory_output(task_execution: TaskExecution, memory_prefix: str) -> None:
    @task
    def make() -> FlyteDirectory:
        return FlyteDirectory(str(_tree(Path(current_context().working_directory) / "out")))

    with task_execution() as ctx:
        outputs = make.dispatch_execute(ctx, literals_pb2.LiteralMap())
    blob = outputs.literals["o0"].scalar.blob
    assert (
        blob.uri.startswith(memory_prefix + "/") and blob.metadata.type.dimensionality == types_pb2.BlobType.MULTIPART
    )
    files = memory_files(blob.uri)
    assert files == {"a.txt": b"a", os.path.join("sub", "b.txt"): b"b"}


def test_task_execution_keeps_a_directory_marked_remote_directory_false(
    task_execution: TaskExecution, tmp_path: Path, memory_prefix: str
) -> None:
    root = str(_tree(tmp_path / "keep"))

    @task
    def make() -> FlyteDirectory:
        return FlyteDirectory(root, remote_directory=False)

    with task_execution() as ctx:
        outputs = make.dispatch_execute(ctx, literals_pb2.LiteralMap())
    assert outputs.literals["o0"].scalar.blob.uri == root and memory_files(memory_prefix) == {}


def test_new_file_and_new_dir_name_paths_inside_the_directory(tmp_path: Path) -> None:
    directory = FlyteDirectory(str(tmp_path))
    assert directory.new_file("x.txt").path == f"{tmp_path}/x.txt"
    assert directory.new_dir("sub").path == f"{tmp_path}/sub"
    assert directory / "x.txt" == tmp_path / "x.txt"


def test_typed_directories_carry_their_format() -> None:
    assert TypeEngine.to_literal_type(TensorboardLogs).blob.format == "tensorboard"
    assert TypeEngine.guess_python_type(TypeEngine.to_literal_type(TensorboardLogs)) is TensorboardLogs


def test_serialize_hook_gives_flytekits_path_dict(memory_tree: str) -> None:
    assert FlyteDirectory(memory_tree)._serialize() == {"path": memory_tree}
    back = FlyteDirectory._deserialize({"path": memory_tree})
    assert back.remote_source == memory_tree and not back.downloaded


def test_a_file_literal_is_not_read_as_a_directory(tmp_path: Path) -> None:
    file_literal = TypeEngine.to_literal(None, FlyteFile("s3://b/k"), FlyteFile, TypeEngine.to_literal_type(FlyteFile))
    with pytest.raises(TypeTransformerFailedError, match="is not a directory"):
        TypeEngine.to_python_value(None, file_literal, FlyteDirectory)

"""FlyteFile: local and remote files through the type engine and local/container task runs, as flytekit 1.16."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import typing
from pathlib import Path

import msgpack
import pytest
from flyteidl.core import literals_pb2, types_pb2

from flyte_core import current_context, task, workflow
from flyte_core.context import FlyteContextManager
from flyte_core.data import FileAccessUnavailableError
from flyte_core.exceptions.user import FlyteAssertion
from flyte_core.types.file import CSVFile, FileExt, FlyteFile, FlyteFilePathTransformer
from flyte_core.types.type_engine import TypeEngine, TypeTransformerFailedError
from tests.core.types.files.conftest import Served, TaskExecution, memory_files, write


def _blob(uri: str, fmt: str = "") -> literals_pb2.Literal:
    blob_type = types_pb2.BlobType(format=fmt, dimensionality=types_pb2.BlobType.SINGLE)
    return literals_pb2.Literal(
        scalar=literals_pb2.Scalar(blob=literals_pb2.Blob(metadata=literals_pb2.BlobMetadata(type=blob_type), uri=uri))
    )


@task
def read_text(f: FlyteFile) -> str:
    with open(f) as fh:
        return fh.read()


@task
def echo(f: FlyteFile) -> FlyteFile:
    return f


# --------------------------------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------------------------------


def test_format_parameter_spellings_name_one_cached_class() -> None:
    assert FlyteFile["csv"] is FlyteFile[".csv"] is FlyteFile[typing.TypeVar("csv")] is CSVFile
    assert CSVFile.extension() == "csv" and issubclass(CSVFile, FlyteFile)
    assert FlyteFile[typing.Annotated[str, FileExt("tar.gz")]].extension() == "tar.gz"
    assert FlyteFile[""] is FlyteFile


def test_a_flyte_file_is_an_os_pathlike_without_inheriting_it() -> None:
    assert isinstance(FlyteFile("x"), os.PathLike)
    assert os.PathLike not in FlyteFile.__mro__  # so FlyteDirectory never resolves to the file transformer


def test_guess_python_type_gives_the_class_of_the_blob_format() -> None:
    guessed = TypeEngine.guess_python_type(TypeEngine.to_literal_type(CSVFile))
    assert guessed is CSVFile


def test_a_value_that_is_no_path_is_a_type_error_naming_task_and_input() -> None:
    with pytest.raises(TypeError, match=r"task '.*echo':\n  Failed argument 'f': .*but got 42 of type <class 'int'>"):
        echo(f=42)


# --------------------------------------------------------------------------------------------------
# Local runs: local files stay where they are
# --------------------------------------------------------------------------------------------------


def test_a_local_file_passes_through_a_local_run_without_being_copied(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "hello")
    out = echo(f=FlyteFile(str(path)))
    assert out.path == str(path) and out.remote_source is None
    assert read_text(f=str(path)) == "hello"


def test_a_str_path_returned_as_a_file_stays_in_the_task_working_directory() -> None:
    @task
    def make() -> FlyteFile:
        p = os.path.join(current_context().working_directory, "out.txt")
        Path(p).write_text("made")
        return p  # type: ignore[return-value]

    out = make()
    assert "user_space" in out.path and Path(out.path).read_text() == "made"


def test_a_pathlib_output_is_copied_under_the_raw_output_prefix_as_flytekit_does() -> None:
    @task
    def make() -> FlyteFile:
        p = Path(current_context().working_directory) / "p.txt"
        p.write_text("pp")
        return p  # type: ignore[return-value]

    out = make()
    raw = FlyteContextManager.current_context().file_access.raw_output_prefix
    assert out.path.startswith(raw) and out.path.endswith("p.txt") and Path(out.path).read_text() == "pp"


def test_remote_path_uploads_the_file_there_even_in_a_local_run(tmp_path: Path, memory_prefix: str) -> None:
    path = write(tmp_path / "a.txt", "up")
    destination = f"{memory_prefix}/chosen/a.txt"

    @task
    def make() -> FlyteFile:
        return FlyteFile(str(path), remote_path=destination)

    out = make()
    assert out.remote_source == destination
    assert memory_files(memory_prefix) == {"chosen/a.txt": b"up"}


def test_files_flow_between_tasks_of_a_workflow(tmp_path: Path) -> None:
    @task
    def write_lines(n: int) -> typing.List[FlyteFile]:
        paths = []
        for i in range(n):
            p = os.path.join(current_context().working_directory, f"{i}.txt")
            Path(p).write_text(str(i))
            paths.append(FlyteFile(p))
        return paths

    @task
    def join(files: typing.List[FlyteFile]) -> str:
        return ",".join(Path(f).read_text() for f in files)

    @workflow
    def wf(n: int) -> str:
        return join(files=write_lines(n=n))

    assert wf(n=3) == "0,1,2"


def test_a_missing_local_file_names_the_task_the_input_and_the_path(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.txt")
    with pytest.raises(TypeTransformerFailedError) as caught:
        read_text(f=missing)
    assert "read_text':\n  Failed argument 'f'" in str(caught.value) and f"'{missing}' does not exist" in str(
        caught.value
    )


def test_a_missing_local_flyte_file_fails_where_it_is_given_not_inside_the_task(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.txt")
    with pytest.raises(TypeTransformerFailedError, match=r"echo':\n  Failed argument 'f'.*does not exist"):
        echo(f=FlyteFile(missing))


def test_a_directory_given_as_a_file_says_it_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(TypeTransformerFailedError, match="is a directory"):
        read_text(f=str(tmp_path))


def test_a_local_literal_naming_a_missing_file_is_a_flyte_assertion(tmp_path: Path) -> None:
    with pytest.raises(FlyteAssertion, match="expected a file, but '.*nope' does not exist"):
        TypeEngine.to_python_value(None, _blob(str(tmp_path / "nope")), FlyteFile)


def test_os_pathlike_keeps_the_path_and_reads_back_a_flyte_file(tmp_path: Path) -> None:
    path = str(write(tmp_path / "a.txt", "x"))
    lt = TypeEngine.to_literal_type(os.PathLike)
    literal = TypeEngine.to_literal(None, path, os.PathLike, lt)
    assert literal.scalar.blob.uri == path
    back = TypeEngine.to_python_value(None, literal, os.PathLike)
    assert type(back) is FlyteFile and back.path == path


def test_literal_metadata_travels_with_the_file(tmp_path: Path) -> None:
    path = str(write(tmp_path / "a.txt", "x"))
    literal = TypeEngine.to_literal(
        None, FlyteFile(path, metadata={"k": "v"}, remote_path=False), FlyteFile, TypeEngine.to_literal_type(FlyteFile)
    )
    assert dict(literal.metadata) == {"k": "v"}
    assert TypeEngine.to_python_value(None, literal, FlyteFile).metadata == {"k": "v"}


# --------------------------------------------------------------------------------------------------
# Remote files: URIs stay URIs, downloaded when read
# --------------------------------------------------------------------------------------------------


def test_a_uri_input_is_downloaded_only_when_the_task_reads_it(http_server: Served) -> None:
    (http_server.root / "in.txt").write_text("from http")
    url = http_server.url("in.txt")

    @task
    def peek(f: FlyteFile) -> str:
        assert f.remote_source == url and not f.downloaded and not os.path.exists(f.path)
        assert http_server.requests == []
        with open(f) as fh:
            return fh.read()

    assert peek(f=FlyteFile(url)) == "from http"
    assert set(http_server.requests) == {"/in.txt"}


def test_a_uri_output_goes_back_as_the_same_uri_without_a_download(http_server: Served) -> None:
    url = http_server.url("never-read.txt")
    out = echo(f=url)
    assert out.remote_source == url and not out.downloaded
    assert http_server.requests == []


def test_constructing_a_remote_file_touches_no_storage() -> None:
    ff = FlyteFile("s3://my-bucket/data/input.txt")
    assert ff.path == "s3://my-bucket/data/input.txt" and ff.remote_source == ff.path and not ff.downloaded


def test_reading_an_s3_file_without_the_plugin_says_what_to_install(flyte_plugin_manager: object) -> None:
    with pytest.raises(FileAccessUnavailableError, match="pip install flyte-plugin-s3"):
        os.fspath(FlyteFile("s3://my-bucket/data/input.txt"))


def test_open_streams_a_remote_file_without_downloading_it(http_server: Served) -> None:
    (http_server.root / "s.txt").write_text("streamed")
    ff = FlyteFile.from_source(http_server.url("s.txt"))
    with ff.open("r") as fh:
        assert fh.read() == "streamed"
    assert not ff.downloaded and not os.path.exists(ff.path)


def test_from_source_gives_a_local_path_filled_on_download(http_server: Served) -> None:
    (http_server.root / "d.txt").write_text("downloaded")
    ff = FlyteFile.from_source(http_server.url("d.txt"))
    assert ff.remote_source == http_server.url("d.txt") and ff.path.endswith("d.txt")
    assert Path(ff.download()).read_text() == "downloaded" and ff.downloaded


def test_new_remote_file_is_written_under_the_raw_output_prefix() -> None:
    @task
    def make() -> FlyteFile:
        out = FlyteFile.new_remote_file("named.txt")
        with out.open("w") as fh:
            fh.write("written")
        return out

    out = make()
    raw = FlyteContextManager.current_context().file_access.raw_output_prefix
    assert out.path == os.path.join(raw, "named.txt") and Path(out).read_text() == "written"


# --------------------------------------------------------------------------------------------------
# Task execution (in a container): local outputs are uploaded, inputs downloaded lazily
# --------------------------------------------------------------------------------------------------


def test_task_execution_uploads_a_local_output_to_the_raw_output_prefix(
    task_execution: TaskExecution, memory_prefix: str
) -> None:
    @task
    def make() -> FlyteFile:
        p = os.path.join(current_context().working_directory, "out.txt")
        Path(p).write_text("uploaded")
        return FlyteFile(p)

    with task_execution() as ctx:
        outputs = make.dispatch_execute(ctx, literals_pb2.LiteralMap())
    uri = outputs.literals["o0"].scalar.blob.uri
    assert uri.startswith(memory_prefix + "/") and uri.endswith("/out.txt")
    assert list(memory_files(memory_prefix).values()) == [b"uploaded"]


def test_task_execution_keeps_a_file_marked_remote_path_false_local(
    task_execution: TaskExecution, tmp_path: Path, memory_prefix: str
) -> None:
    path = str(write(tmp_path / "keep.txt", "k"))

    @task
    def make() -> FlyteFile:
        return FlyteFile(path, remote_path=False)

    with task_execution() as ctx:
        outputs = make.dispatch_execute(ctx, literals_pb2.LiteralMap())
    assert outputs.literals["o0"].scalar.blob.uri == path and memory_files(memory_prefix) == {}


def test_task_execution_downloads_an_input_only_when_read(task_execution: TaskExecution, memory_prefix: str) -> None:
    import fsspec

    uri = f"{memory_prefix}/in/data.csv"
    fsspec.filesystem("memory").pipe(uri, b"a,b\n")
    seen: dict[str, object] = {}

    @task
    def consume(f: CSVFile) -> str:
        seen["before"] = (f.remote_source, f.downloaded, os.path.exists(f.path))
        return Path(f).read_text()

    with task_execution() as ctx:
        outputs = consume.dispatch_execute(ctx, literals_pb2.LiteralMap(literals={"f": _blob(uri, "csv")}))
    assert seen["before"] == (uri, False, False)
    assert outputs.literals["o0"].scalar.primitive.string_value == "a,b\n"


# --------------------------------------------------------------------------------------------------
# Inside dataclasses
# --------------------------------------------------------------------------------------------------


def test_serialize_hook_gives_flytekits_path_dict(tmp_path: Path) -> None:
    assert FlyteFile("s3://b/k.txt")._serialize() == {"path": "s3://b/k.txt"}
    remote = FlyteFile.from_source("s3://b/k.txt")
    assert remote._serialize() == {"path": "s3://b/k.txt"}
    back = CSVFile._deserialize({"path": "s3://b/k.txt"})
    assert type(back) is CSVFile and back.remote_source == "s3://b/k.txt"


def test_a_dataclass_attribute_literal_is_read_as_a_file(tmp_path: Path) -> None:
    path = str(write(tmp_path / "a.txt", "x"))
    binary = literals_pb2.Binary(value=msgpack.packb({"path": path}), tag="msgpack")
    literal = literals_pb2.Literal(scalar=literals_pb2.Scalar(binary=binary))
    back = TypeEngine.to_python_value(None, literal, FlyteFile)
    assert back.path == path


def test_the_transformer_keeps_flytekits_name() -> None:
    assert FlyteFilePathTransformer().name == "FlyteFilePath"  # union variants are tagged with it


# --------------------------------------------------------------------------------------------------
# Cost
# --------------------------------------------------------------------------------------------------


def test_creating_files_imports_no_storage_library() -> None:
    code = (
        "import sys; from flyte_core.types.file import FlyteFile; "
        "FlyteFile('s3://b/k'); FlyteFile('/tmp/x'); "
        "print(sorted(m for m in ('fsspec', 'pandas', 'pyarrow', 'aiohttp') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_pathlib_paths_are_local() -> None:
    assert FlyteFile(pathlib.Path("/tmp/x")).remote_source is None


def test_a_local_file_without_downloader_is_its_own_path(tmp_path: Path) -> None:
    path = str(write(tmp_path / "a.txt", "x"))
    ff = FlyteFile(path, downloader=None)
    assert os.fspath(ff) == path and ff.download() == path and ff.downloaded


def test_a_typed_file_survives_pickling(tmp_path: Path) -> None:
    import pickle

    ff = CSVFile(str(write(tmp_path / "a.csv", "a")))
    back = pickle.loads(pickle.dumps(ff))
    assert type(back) is CSVFile and back == ff and back.download() == ff.path

"""``FlyteFile``: a file passed between tasks as a single-part blob literal.

What a value becomes, as flytekit 1.16 does it:

* Python -> literal (a task output, a workflow input): a remote URI (``s3://``, ``https://``...) is kept
  as the blob's URI. A local path is uploaded under the raw output prefix, except in a local execution
  (``pyflyte run`` / calling a workflow), where a ``FlyteFile`` or ``str`` path stays where it is (a
  ``pathlib.Path`` is copied, as in flytekit). ``FlyteFile(p, remote_path="s3://...")`` uploads to that
  URI even locally; ``remote_path=False`` never uploads.
* literal -> Python (a task input): a local URI gives a ``FlyteFile`` of that path; a remote URI gives a
  ``FlyteFile`` whose ``path`` is a fresh local path, downloaded on ``download()``, ``open()`` or
  ``os.fspath``, with the URI in ``remote_source``.

The blob's format is the type parameter: ``FlyteFile["csv"]`` (or ``FlyteFile[TypeVar("csv")]``) has
format ``csv``; plain ``FlyteFile`` and ``os.PathLike`` have ``""``.

Inside dataclasses a ``FlyteFile`` is the dict ``{"path": uri[, "metadata": {...}]}``: see
``FlyteFile._serialize`` / ``FlyteFile._deserialize``.
"""

from __future__ import annotations

import os
import pathlib
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import unquote

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.context import FlyteContext, FlyteContextManager
from flyte_core.exceptions.user import FlyteAssertion
from flyte_core.loggers import logger
from flyte_core.types.file.blobs import (
    Downloader,
    FileExt,
    blob_literal,
    context_or_current,
    is_local_execution,
    is_remote,
    noop,
    specialize,
)
from flyte_core.types.type_engine import (
    MESSAGEPACK,
    AsyncTypeTransformer,
    TypeTransformerFailedError,
    get_underlying_type,
    value_repr,
)

__all__ = ["FileExt", "FlyteFile", "FlyteFilePathTransformer"]


_SINGLE = types_pb2.BlobType.SINGLE
PYTHON_PICKLE_FORMAT = "PythonPickle"


@dataclass(init=False, repr=False, eq=False)
class FlyteFile:
    """A file: a local path, or a remote URI downloaded on first read.

    Args:
        path: a local path or a URI (``s3://...``, ``https://...``). A URI is downloaded to a local
            path the first time the file is read (``download()``, ``open()``, ``open(ff)``).
        downloader: called once before the file is first read (inputs are given one by the engine).
        remote_path: where to upload the file when it is returned from a task (instead of a random
            path under the raw output prefix); ``False`` never uploads it.
        metadata: key/values carried in the literal's ``metadata``.
    """

    path: str | os.PathLike = field(default=None)  # type: ignore[assignment,type-arg]
    metadata: dict[str, str] | None = None

    def __init__(
        self,
        path: str | os.PathLike[str],
        downloader: Callable[[], Any] | None = noop,
        remote_path: str | os.PathLike[str] | bool | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        self.path = path
        self.metadata = metadata
        self._downloader: Callable[[], Any] | None = downloader or noop
        self._downloaded = False
        self._remote_path = remote_path
        self._remote_source: str | None = None
        self._local_path: str | os.PathLike[str] | None = path
        if is_remote(path):
            # A URI given by the user: read through a local copy made on first use.
            self._remote_source = typing.cast(str, path)
            self._local_path = None
            self._downloader = None

    # The dataclass (msgpack) encoding: what a FlyteFile is inside a dataclass value.

    @classmethod
    def _json_schema(cls) -> dict[str, Any]:
        """The JSON schema of a FlyteFile field of a dataclass, as flytekit (mashumaro) writes it."""
        return {
            "type": "object",
            "title": "FlyteFile",
            "properties": {
                "path": {"anyOf": [{"type": "string"}, {"type": "string", "format": "path"}], "default": None},
                "metadata": {
                    "anyOf": [
                        {
                            "type": "object",
                            "additionalProperties": {"type": "string"},
                            "propertyNames": {"type": "string"},
                        },
                        {"type": "null"},
                    ],
                    "default": None,
                },
            },
            "additionalProperties": False,
        }

    def _serialize(self) -> dict[str, Any]:
        """``{"path": uri[, "metadata": {...}]}``; a local file is uploaded first unless this is a local run."""
        ctx = FlyteContextManager.current_context()
        lv = _TRANSFORMER.to_literal(ctx, self, type(self), None)
        out: dict[str, Any] = {"path": lv.scalar.blob.uri}
        if lv.metadata:
            out["metadata"] = dict(lv.metadata)
        return out

    @classmethod
    def _deserialize(cls, value: dict[str, Any]) -> FlyteFile:
        """The ``FlyteFile`` a dataclass field holds, from its ``{"path": ...}`` dict."""
        return _TRANSFORMER.dict_to_flyte_file(dict_obj=value, expected_python_type=cls)

    @classmethod
    def extension(cls) -> str:
        """The blob format of this file type (``""`` for plain ``FlyteFile``)."""
        return ""

    def __class_getitem__(cls, item: Any) -> type[FlyteFile]:
        return specialize(cls, item)

    @classmethod
    def new_remote_file(cls, name: str | None = None, alt: str | None = None) -> FlyteFile:
        """A file at a new path under the raw output prefix (``name`` as its last component if given).

        Args:
            name: the file's name instead of a random one.
            alt: replaces the bucket of the raw output prefix.
        """
        ctx = FlyteContextManager.current_context()
        return cls(path=ctx.file_access.generate_new_custom_path(alt=alt, stem=name))

    @classmethod
    def new(cls, filename: str | os.PathLike[str]) -> FlyteFile:
        """A file named ``filename`` in the task's working directory (not created)."""
        if os.path.isabs(filename):
            raise ValueError(f"FlyteFile.new needs a relative path, got '{filename}'")
        params = FlyteContextManager.current_context().user_space_params
        if params is None:
            raise AssertionError("FlyteFile.new needs a task context (a working directory)")
        return cls(path=os.path.join(params.working_directory, filename))

    @classmethod
    def from_source(cls, source: str | os.PathLike[str]) -> FlyteFile:
        """The file at ``source``, as a task would receive it (a URI is downloaded on first read)."""
        literal = blob_literal(str(source), "", None)
        return typing.cast(FlyteFile, _TRANSFORMER.to_python_value(FlyteContextManager.current_context(), literal, cls))

    def __fspath__(self) -> str:
        """The local path, downloading the file first if it is remote and not downloaded yet."""
        if not self._downloaded:
            if self._downloader is None:
                self._prepare_download()
            assert self._downloader is not None
            self._downloader()
            self._downloaded = True
        return os.fspath(typing.cast("str | os.PathLike[str]", self._local_path))

    def _prepare_download(self) -> None:
        """Pick the local copy's path of a URI given by the user (deferred so constructing one is free)."""
        remote = typing.cast(str, self._remote_source)
        local = FlyteContextManager.current_context().file_access.get_random_local_path(remote)
        self._local_path = local
        self._downloader = Downloader(remote, local)

    def download(self) -> str:
        """Download the file if it is remote; return its local path."""
        return self.__fspath__()

    async def _download(self) -> str:
        return self.__fspath__()

    @property
    def downloaded(self) -> bool:
        return self._downloaded

    @property
    def remote_path(self) -> str | os.PathLike[str] | bool | None:
        """Where the file is uploaded when returned from a task (``False``: never uploaded)."""
        return self._remote_path

    @property
    def remote_source(self) -> str:
        """The URI this file was read from (``None`` for a local file)."""
        return typing.cast(str, self._remote_source)

    @contextmanager
    def open(
        self, mode: str, cache_type: str | None = None, cache_options: dict[str, Any] | None = None
    ) -> Iterator[IO[Any]]:
        """A streaming file handle on the file where it lives (remote files are not downloaded first).

        Args:
            mode: ``"r"``, ``"rb"``, ``"w"``, ``"wb"``...
            cache_type: fsspec's read-ahead strategy (``"readahead"``, ``"blockcache"``...).
            cache_options: options of ``cache_type``.
        """
        ctx = FlyteContextManager.current_context()
        final_path: Any = self.path
        if self.remote_source:
            final_path = self.remote_source
        elif self.remote_path:
            final_path = self.remote_path
        final_path = os.fspath(final_path)
        fs = ctx.file_access.get_filesystem_for_path(final_path)
        options: dict[str, Any] = {}
        if cache_type is not None:
            options["cache_type"] = cache_type
        if cache_options is not None:
            options["cache_options"] = cache_options
        handle = fs.open(final_path, mode, **options)
        try:
            yield handle
        finally:
            handle.close()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FlyteFile):
            return (
                self.path == other.path
                and self._remote_path == other._remote_path
                and self.extension() == other.extension()
            )
        return bool(self.path == other)

    def __hash__(self) -> int:
        return hash(str(self.path))

    def __repr__(self) -> str:
        return str(self.path)

    def __str__(self) -> str:
        return str(self.path)


def _not_a_file(path: str) -> str:
    """Why ``path`` cannot be read as a file, for error messages."""
    if not os.path.exists(path):
        return "does not exist"
    if os.path.isdir(path):
        return "is a directory (use FlyteDirectory for directories)"
    return "is not a regular file"


class FlyteFilePathTransformer(AsyncTypeTransformer[FlyteFile]):
    """``FlyteFile[fmt]`` / ``os.PathLike`` <-> a single-part blob literal whose format is ``fmt``.

    The conversions are synchronous (no event loop per value); the ``async_*`` methods run them.
    """

    def __init__(self) -> None:
        super().__init__(name="FlyteFilePath", t=FlyteFile)

    @staticmethod
    def get_format(t: Any) -> str:
        """The blob format of a file type: its ``extension()``, ``""`` for ``os.PathLike``."""
        t = get_underlying_type(t)
        if t is os.PathLike or typing.get_origin(t) is os.PathLike:
            return ""
        return typing.cast(str, t.extension())

    @staticmethod
    def _blob_type(format: str) -> types_pb2.BlobType:
        return types_pb2.BlobType(format=format, dimensionality=_SINGLE)

    def assert_type(self, t: Any, v: Any) -> None:
        if isinstance(v, (FlyteFile, str, os.PathLike)):
            return
        raise TypeError(f"expected a FlyteFile or a path (str, os.PathLike), got {value_repr(v)}")

    def get_literal_type(self, t: Any) -> types_pb2.LiteralType:
        return types_pb2.LiteralType(blob=self._blob_type(self.get_format(t)))

    def to_literal(
        self,
        ctx: FlyteContext | None,
        python_val: FlyteFile | os.PathLike[str] | str,
        python_type: Any,
        expected: types_pb2.LiteralType | None,
    ) -> literals_pb2.Literal:
        ctx = context_or_current(ctx)
        if python_val is None:
            raise TypeTransformerFailedError("None value cannot be converted to a file.")
        python_type = get_underlying_type(python_type)
        path_like = python_type is os.PathLike or typing.get_origin(python_type) is os.PathLike
        if not path_like and not (isinstance(python_type, type) and issubclass(python_type, FlyteFile)):
            raise ValueError(f"Incorrect type {python_type}, must be either a FlyteFile or os.PathLike")
        fmt = self.get_format(python_type)
        remote_path: Any = None
        should_upload = True
        metadata: dict[str, str] | None = None

        if isinstance(python_val, FlyteFile):
            source_path = str(python_val.path)
            metadata = python_val.metadata
            if python_val._remote_source is not None:
                # A file read from a URI goes back as that URI: nothing to upload.
                return blob_literal(python_val._remote_source, fmt, metadata)
            if python_val.remote_path is False or is_remote(source_path):
                should_upload = False
            if path_like:
                logger.warning(
                    f"Converting from a FlyteFile Python instance to a Blob Flyte object, but only a {python_type} "
                    "was specified. Since a simpler type was specified, we'll skip uploading!"
                )
                should_upload = False
            remote_path = python_val.remote_path or None
            if python_val.remote_path is None and is_local_execution(ctx):
                should_upload = False
        elif isinstance(python_val, (str, pathlib.Path)):
            source_path = str(python_val)
            if path_like or is_remote(source_path):
                should_upload = False
            elif isinstance(python_val, pathlib.Path):
                if not python_val.is_file():
                    raise ValueError(f"Error converting pathlib.Path {python_val} because it's not a file.")
            else:
                if not os.path.isfile(source_path):
                    raise TypeTransformerFailedError(f"'{source_path}' {_not_a_file(source_path)}")
                if is_local_execution(ctx):
                    should_upload = False
        else:
            raise TypeTransformerFailedError(
                f"expected a FlyteFile or a path (str, os.PathLike), got {value_repr(python_val)}"
            )

        if should_upload:
            headers = {"ContentEncoding": "gzip"} if source_path.endswith(".gz") else {}
            if remote_path is not None:
                uploaded = ctx.file_access.put_data(source_path, os.fspath(remote_path), is_multipart=False, **headers)
            else:
                uploaded = ctx.file_access.put_raw_data(source_path, **headers)
            return blob_literal(unquote(str(uploaded)), fmt, metadata)
        if not is_remote(source_path) and not os.path.isfile(source_path):
            # flytekit fails later, when a task reads the input; say it where the value is given.
            raise TypeTransformerFailedError(f"'{source_path}' {_not_a_file(source_path)}")
        return blob_literal(source_path, fmt, metadata)

    def to_python_value(
        self, ctx: FlyteContext | None, lv: literals_pb2.Literal, expected_python_type: Any
    ) -> FlyteFile:
        ctx = context_or_current(ctx)
        if lv.HasField("scalar"):
            if lv.scalar.HasField("binary"):
                return self.from_binary_idl(lv.scalar.binary, expected_python_type)
            if lv.scalar.HasField("generic"):
                return self.from_generic_idl(lv.scalar.generic, expected_python_type)
        if not (lv.HasField("scalar") and lv.scalar.HasField("blob")):
            found = lv.scalar.WhichOneof("value") if lv.HasField("scalar") else lv.WhichOneof("value")
            raise TypeTransformerFailedError(
                f"cannot convert a {found or 'empty'} literal to {expected_python_type}: expected a blob (a file)"
            )
        blob = lv.scalar.blob
        uri = blob.uri
        metadata = dict(lv.metadata) or None
        if blob.metadata.type.dimensionality != _SINGLE:
            raise TypeTransformerFailedError(f"{uri} is not a file.")
        remote = is_remote(uri)
        if not remote and not os.path.isfile(uri):
            raise FlyteAssertion(f"expected a file, but '{uri}' {_not_a_file(uri)}")
        expected_python_type = get_underlying_type(expected_python_type)
        if expected_python_type is os.PathLike or typing.get_origin(expected_python_type) is os.PathLike:
            return FlyteFile(path=uri, metadata=metadata)
        if not (isinstance(expected_python_type, type) and issubclass(expected_python_type, FlyteFile)):
            raise TypeError(f"Neither os.PathLike nor FlyteFile specified {expected_python_type}")
        if not remote:
            return expected_python_type(path=uri, metadata=metadata)
        local_path = ctx.file_access.get_random_local_path(uri)
        ff = expected_python_type(path=local_path, downloader=Downloader(uri, local_path), metadata=metadata)
        ff._remote_source = uri
        return ff

    def dict_to_flyte_file(self, dict_obj: dict[str, Any], expected_python_type: Any) -> FlyteFile:
        """The ``FlyteFile`` of a dataclass field's ``{"path": ..., "metadata": ...}`` dict."""
        path = dict_obj.get("path")
        if path is None:
            raise ValueError(f"FlyteFile's path should not be None (got {dict_obj!r})")
        literal = blob_literal(path, "", dict_obj.get("metadata"))
        return self.to_python_value(FlyteContextManager.current_context(), literal, expected_python_type)

    def from_binary_idl(self, binary_idl_object: literals_pb2.Binary, expected_python_type: Any) -> FlyteFile:
        """A ``FlyteFile`` from a msgpack ``Binary`` (a dataclass attribute passed on its own)."""
        if binary_idl_object.tag != MESSAGEPACK:
            raise TypeTransformerFailedError(f"Unsupported binary format: `{binary_idl_object.tag}`")
        import msgpack

        return self.dict_to_flyte_file(msgpack.unpackb(binary_idl_object.value), expected_python_type)

    def from_generic_idl(self, generic: Any, expected_python_type: Any) -> FlyteFile:
        """A ``FlyteFile`` from a ``Struct`` (the console's JSON input)."""
        from google.protobuf import json_format

        return self.dict_to_flyte_file(json_format.MessageToDict(generic), expected_python_type)

    def guess_python_type(self, literal_type: types_pb2.LiteralType) -> type[FlyteFile]:
        if (
            literal_type.HasField("blob")
            and literal_type.blob.dimensionality == _SINGLE
            and literal_type.blob.format != PYTHON_PICKLE_FORMAT
        ):
            return FlyteFile[literal_type.blob.format]
        raise ValueError(f"Transformer {self} cannot reverse {literal_type}")


_TRANSFORMER = FlyteFilePathTransformer()

# Predefined formats (flytekit's names): FlyteFile[<format>] with a documented extension.
hdf5 = typing.Annotated[str, FileExt("hdf5")]
HDF5EncodedFile = FlyteFile[hdf5]
html = typing.Annotated[str, FileExt("html")]
HTMLPage = FlyteFile[html]
joblib = typing.Annotated[str, FileExt("joblib")]
JoblibSerializedFile = FlyteFile[joblib]
jpeg = typing.Annotated[str, FileExt("jpeg")]
JPEGImageFile = FlyteFile[jpeg]
pdf = typing.Annotated[str, FileExt("pdf")]
PDFFile = FlyteFile[pdf]
png = typing.Annotated[str, FileExt("png")]
PNGImageFile = FlyteFile[png]
python_pickle = typing.Annotated[str, FileExt("python_pickle")]
PythonPickledFile = FlyteFile[python_pickle]
ipynb = typing.Annotated[str, FileExt("ipynb")]
PythonNotebook = FlyteFile[ipynb]
svg = typing.Annotated[str, FileExt("svg")]
SVGImageFile = FlyteFile[svg]
csv = typing.Annotated[str, FileExt("csv")]
CSVFile = FlyteFile[csv]
onnx = typing.Annotated[str, FileExt("onnx")]
ONNXFile = FlyteFile[onnx]
tfrecords_file = typing.Annotated[str, FileExt("tfrecord")]
TFRecordFile = FlyteFile[tfrecords_file]
jsonl_file = typing.Annotated[str, FileExt("jsonl")]
JSONLFile = FlyteFile[jsonl_file]
json_file = typing.Annotated[str, FileExt("json")]
JSONFile = FlyteFile[json_file]  # not in flytekit 1.16: a JSON document (JSONLFile is JSON lines)

"""``FlyteDirectory``: a directory passed between tasks as a multipart blob literal.

The rules are ``FlyteFile``'s (see ``flyte_core.types.file.file``), as flytekit 1.16 applies them to
directories:

* Python -> literal: a remote URI is kept; a local ``FlyteDirectory`` is uploaded under the raw output
  prefix (or to ``remote_directory``) except in a local execution or with ``remote_directory=False``;
  a local ``str``/``pathlib.Path`` directory is uploaded (copied under the raw output prefix) in every
  mode, as flytekit does.
* literal -> Python: a local URI gives a ``FlyteDirectory`` of that path; a remote URI gives one whose
  ``path`` is a fresh local directory, filled on ``download()`` or ``os.fspath``, with the URI in
  ``remote_source``. ``listdir`` and ``crawl`` list a remote directory without downloading it.

Inside dataclasses a ``FlyteDirectory`` is the dict ``{"path": uri}``: see ``FlyteDirectory._serialize``
/ ``FlyteDirectory._deserialize``.
"""

from __future__ import annotations

import os
import pathlib
import typing
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.context import FlyteContext, FlyteContextManager
from flyte_core.exceptions.user import FlyteAssertion
from flyte_core.types.file.blobs import (
    Downloader,
    blob_literal,
    context_or_current,
    is_local_execution,
    is_remote,
    noop,
    protocol_of,
    specialize,
)
from flyte_core.types.file.file import FlyteFile
from flyte_core.types.type_engine import (
    MESSAGEPACK,
    AsyncTypeTransformer,
    TypeTransformerFailedError,
    get_underlying_type,
    value_repr,
)

__all__ = ["FlyteDirToMultipartBlobTransformer", "FlyteDirectory", "TFRecordsDirectory", "TensorboardLogs"]

_MULTIPART = types_pb2.BlobType.MULTIPART


@dataclass(init=False, repr=False, eq=False)
class FlyteDirectory:
    """A directory: a local path, or a remote URI downloaded on first read.

    Args:
        path: a local directory or a URI (``s3://bucket/prefix``); a URI is downloaded to a local
            directory the first time it is read (``download()``, ``os.fspath``, ``os.listdir(d)``).
        downloader: called once before the directory is first read.
        remote_directory: where to upload the directory when it is returned from a task (instead of a
            random path under the raw output prefix); ``False`` never uploads it.
    """

    path: str | os.PathLike = field(default=None)  # type: ignore[assignment,type-arg]

    def __init__(
        self,
        path: str | os.PathLike[str],
        downloader: Callable[[], Any] | None = None,
        remote_directory: str | os.PathLike[str] | bool | None = None,
    ) -> None:
        self.path = path
        self._downloader: Callable[[], Any] | None = downloader or noop
        self._downloaded = False
        self._remote_directory = remote_directory
        self._remote_source: str | None = None
        self._local_path: str | os.PathLike[str] | None = path
        if downloader is None and is_remote(path):
            # flytekit returns the URI itself from os.fspath; a local copy is what callers can use.
            self._remote_source = typing.cast(str, path)
            self._local_path = None
            self._downloader = None

    @classmethod
    def _json_schema(cls) -> dict[str, Any]:
        """The JSON schema of a FlyteDirectory field of a dataclass, as flytekit (mashumaro) writes it."""
        return {
            "type": "object",
            "title": "FlyteDirectory",
            "properties": {
                "path": {"anyOf": [{"type": "string"}, {"type": "string", "format": "path"}], "default": None}
            },
            "additionalProperties": False,
        }

    def _serialize(self) -> dict[str, str]:
        """``{"path": uri}``; a local directory is uploaded first unless this is a local run."""
        ctx = FlyteContextManager.current_context()
        return {"path": _TRANSFORMER.to_literal(ctx, self, type(self), None).scalar.blob.uri}

    @classmethod
    def _deserialize(cls, value: dict[str, Any]) -> FlyteDirectory:
        """The ``FlyteDirectory`` a dataclass field holds, from its ``{"path": ...}`` dict."""
        return _TRANSFORMER.dict_to_flyte_directory(dict_obj=value, expected_python_type=cls)

    @classmethod
    def extension(cls) -> str:
        """The blob format of this directory type (``""`` for plain ``FlyteDirectory``)."""
        return ""

    def __class_getitem__(cls, item: Any) -> type[FlyteDirectory]:
        return specialize(cls, item)

    def __fspath__(self) -> str:
        """The local path, downloading the directory first if it is remote and not downloaded yet."""
        if not self._downloaded:
            if self._downloader is None:
                remote = typing.cast(str, self._remote_source)
                local = FlyteContextManager.current_context().file_access.get_random_local_directory()
                self._local_path = local
                self._downloader = Downloader(remote, local, is_multipart=True)
            self._downloader()
            self._downloaded = True
        return os.fspath(typing.cast("str | os.PathLike[str]", self._local_path))

    def download(self) -> str:
        """Download the directory if it is remote; return its local path."""
        return self.__fspath__()

    @classmethod
    def new_remote(cls, stem: str | None = None, alt: str | None = None) -> FlyteDirectory:
        """A directory at a new path under the raw output prefix (``stem`` as its last component if given)."""
        if stem and pathlib.Path(stem).suffix:
            raise ValueError(f"Stem should not have a file extension, got '{stem}'")
        ctx = FlyteContextManager.current_context()
        return cls(path=ctx.file_access.generate_new_custom_path(alt=alt, stem=stem))

    @classmethod
    def new(cls, dirname: str | os.PathLike[str]) -> FlyteDirectory:
        """A new, empty directory named ``dirname`` in the task's working directory."""
        if os.path.isabs(dirname):
            raise ValueError(f"FlyteDirectory.new needs a relative path, got '{dirname}'")
        params = FlyteContextManager.current_context().user_space_params
        if params is None:
            raise AssertionError("FlyteDirectory.new needs a task context (a working directory)")
        path = os.path.join(params.working_directory, dirname)
        os.makedirs(path, exist_ok=False)
        return cls(path=path)

    @classmethod
    def from_source(cls, source: str | os.PathLike[str]) -> FlyteDirectory:
        """The directory at ``source``, as a task would receive it (a URI is downloaded on first read)."""
        literal = blob_literal(str(source), "", None, multipart=True)
        ctx = FlyteContextManager.current_context()
        return typing.cast(FlyteDirectory, _TRANSFORMER.to_python_value(ctx, literal, cls))

    @property
    def downloaded(self) -> bool:
        return self._downloaded

    @property
    def remote_directory(self) -> str | os.PathLike[str] | bool | None:
        """Where the directory is uploaded when returned from a task (``False``: never uploaded)."""
        return self._remote_directory

    @property
    def remote_source(self) -> str:
        """The URI this directory was read from (``None`` for a local directory)."""
        return typing.cast(str, self._remote_source)

    @property
    def sep(self) -> str:
        """The separator of paths inside this directory."""
        if os.name == "nt" and protocol_of(self.path or self.remote_source) == "file":
            return "\\"
        return "/"

    def new_file(self, name: str | None = None) -> FlyteFile:
        """A file named ``name`` (random by default) in this directory; not created."""
        name = name or uuid.uuid4().hex
        return FlyteFile(path=self.sep.join([str(self.path).rstrip(self.sep), name]))

    def new_dir(self, name: str | None = None) -> FlyteDirectory:
        """A directory named ``name`` (random by default) in this directory; not created."""
        name = name or uuid.uuid4().hex
        return FlyteDirectory(path=self.sep.join([str(self.path).rstrip(self.sep), name]))

    def _listed_path(self) -> str:
        """Where the directory's entries are: its source URI, its upload destination, or its path."""
        if self.remote_source:
            return self.remote_source
        if self.remote_directory:
            return os.fspath(typing.cast("str | os.PathLike[str]", self.remote_directory))
        return os.fspath(self.path)

    @classmethod
    def listdir(cls, directory: FlyteDirectory) -> list[FlyteFile | FlyteDirectory]:
        """The directory's entries, as files and directories that download on first read (nothing is now)."""
        final_path = directory._listed_path()
        file_access = FlyteContextManager.current_context().file_access
        entries: list[FlyteFile | FlyteDirectory] = []
        if not is_remote(final_path):
            for name in os.listdir(final_path):
                joined = os.path.join(final_path, name)
                entries.append(FlyteFile(joined) if os.path.isfile(joined) else FlyteDirectory(joined))
            return entries
        fs = file_access.get_filesystem_for_path(final_path)
        for info in fs.listdir(final_path):
            remote_path = f"{final_path.rstrip('/')}/{info['name'].rstrip('/').split('/')[-1]}"
            if info["type"] == "file":
                local_path = file_access.get_random_local_path(remote_path)
                entry: FlyteFile | FlyteDirectory = FlyteFile(
                    local_path, downloader=Downloader(remote_path, local_path)
                )
            else:
                local_dir = file_access.get_random_local_directory()
                entry = FlyteDirectory(local_dir, downloader=Downloader(remote_path, local_dir, is_multipart=True))
            entry._remote_source = remote_path
            entries.append(entry)
        return entries

    def listing(self) -> list[FlyteFile | FlyteDirectory]:
        """``FlyteDirectory.listdir(self)``."""
        return type(self).listdir(self)

    def crawl(self, maxdepth: int | None = None, topdown: bool = True, **kwargs: Any) -> Iterator[tuple[str, Any]]:
        """``(base, relative path)`` of every file below the directory (``detail=True``: fsspec's info dicts).

        A remote directory is listed where it is, not downloaded.
        """
        final_path = self._listed_path()
        fs = FlyteContextManager.current_context().file_access.get_filesystem_for_path(final_path)
        base_path_len = len(fs._strip_protocol(final_path)) + 1
        for base, _, files in fs.walk(final_path, maxdepth, topdown, **kwargs):
            current_base = base[base_path_len:]
            if isinstance(files, dict):
                for name, info in files.items():
                    yield final_path, {os.path.join(current_base, name): info}
            else:
                for name in files:
                    yield final_path, os.path.join(current_base, name)

    def __truediv__(self, other: str | os.PathLike[str]) -> pathlib.Path:
        return pathlib.Path(self.path) / other

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return bool(self.path == typing.cast(FlyteDirectory, other).path)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self.path))

    def __repr__(self) -> str:
        return str(self.path)

    def __str__(self) -> str:
        return str(self.path)


class FlyteDirToMultipartBlobTransformer(AsyncTypeTransformer[FlyteDirectory]):
    """``FlyteDirectory[fmt]`` <-> a multipart blob literal whose format is ``fmt``.

    The path is not checked to be a directory when it may be remote; conversions are synchronous.
    """

    def __init__(self) -> None:
        super().__init__(name="FlyteDirectory", t=FlyteDirectory)

    @staticmethod
    def get_format(t: Any) -> str:
        return typing.cast(str, get_underlying_type(t).extension())

    @staticmethod
    def _blob_type(format: str) -> types_pb2.BlobType:
        return types_pb2.BlobType(format=format, dimensionality=_MULTIPART)

    def assert_type(self, t: Any, v: Any) -> None:
        if isinstance(v, (FlyteDirectory, str, os.PathLike)):
            return
        raise TypeError(f"expected a FlyteDirectory or a path (str, os.PathLike), got {value_repr(v)}")

    def get_literal_type(self, t: Any) -> types_pb2.LiteralType:
        return types_pb2.LiteralType(blob=self._blob_type(self.get_format(t)))

    def to_literal(
        self,
        ctx: FlyteContext | None,
        python_val: FlyteDirectory | os.PathLike[str] | str,
        python_type: Any,
        expected: types_pb2.LiteralType | None,
    ) -> literals_pb2.Literal:
        ctx = context_or_current(ctx)
        fmt = self.get_format(python_type)
        remote_directory: Any = None
        should_upload = True
        if isinstance(python_val, FlyteDirectory):
            if python_val._remote_source is not None:
                return blob_literal(python_val._remote_source, fmt, None, multipart=True)
            source_path = str(python_val.path)
            destination = python_val.remote_directory
            if not isinstance(destination, (pathlib.Path, str)) and (
                destination is False or is_remote(source_path) or is_local_execution(ctx)
            ):
                should_upload = False
            remote_directory = destination or None
        elif isinstance(python_val, (pathlib.Path, str)):
            source_path = str(python_val)
            if is_remote(source_path):
                should_upload = False
            elif not os.path.isdir(source_path):
                raise ValueError(f"Expected a directory. '{source_path}' {_not_a_directory(source_path)}")
        else:
            raise AssertionError(
                f"expected a FlyteDirectory or a path (str, os.PathLike), got {value_repr(python_val)}"
            )

        if should_upload:
            if not os.path.isdir(source_path):
                raise FlyteAssertion(f"Expected a directory. '{source_path}' {_not_a_directory(source_path)}")
            file_access = ctx.file_access
            destination = os.fspath(remote_directory) if remote_directory else file_access.get_random_remote_directory()
            uploaded = file_access.put_data(source_path, destination, is_multipart=True)
            return blob_literal(str(uploaded), fmt, None, multipart=True)
        if not is_remote(source_path) and not os.path.isdir(source_path):
            # flytekit fails later, when a task reads the input; say it where the value is given.
            raise TypeTransformerFailedError(f"Expected a directory. '{source_path}' {_not_a_directory(source_path)}")
        return blob_literal(source_path, fmt, None, multipart=True)

    def to_python_value(
        self, ctx: FlyteContext | None, lv: literals_pb2.Literal, expected_python_type: Any
    ) -> FlyteDirectory:
        ctx = context_or_current(ctx)
        if lv.HasField("scalar"):
            if lv.scalar.HasField("binary"):
                return self.from_binary_idl(lv.scalar.binary, expected_python_type)
            if lv.scalar.HasField("generic"):
                return self.from_generic_idl(lv.scalar.generic, expected_python_type)
        if not (lv.HasField("scalar") and lv.scalar.HasField("blob")):
            found = lv.scalar.WhichOneof("value") if lv.HasField("scalar") else lv.WhichOneof("value")
            raise TypeTransformerFailedError(
                f"cannot convert a {found or 'empty'} literal to {expected_python_type}: expected a blob (a directory)"
            )
        uri = lv.scalar.blob.uri
        if lv.scalar.blob.metadata.type.dimensionality != _MULTIPART:
            raise TypeTransformerFailedError(f"{uri} is not a directory.")
        expected_python_type = get_underlying_type(expected_python_type)
        if not is_remote(uri):
            if not os.path.isdir(uri):
                raise FlyteAssertion(f"Expected a directory, but the given uri '{uri}' {_not_a_directory(uri)}")
            return typing.cast(FlyteDirectory, expected_python_type(uri, remote_directory=False))
        local_folder = ctx.file_access.get_random_local_directory()
        downloader = Downloader(uri, local_folder, is_multipart=True)
        directory = typing.cast(FlyteDirectory, expected_python_type(local_folder, downloader))
        directory._remote_source = uri
        return directory

    def dict_to_flyte_directory(self, dict_obj: dict[str, Any], expected_python_type: Any) -> FlyteDirectory:
        """The ``FlyteDirectory`` of a dataclass field's ``{"path": ...}`` dict."""
        path = dict_obj.get("path")
        if path is None:
            raise ValueError(f"FlyteDirectory's path should not be None (got {dict_obj!r})")
        literal = blob_literal(path, "", None, multipart=True)
        return self.to_python_value(FlyteContextManager.current_context(), literal, expected_python_type)

    def from_binary_idl(self, binary_idl_object: literals_pb2.Binary, expected_python_type: Any) -> FlyteDirectory:
        """A ``FlyteDirectory`` from a msgpack ``Binary`` (a dataclass attribute passed on its own)."""
        if binary_idl_object.tag != MESSAGEPACK:
            raise TypeTransformerFailedError(f"Unsupported binary format: `{binary_idl_object.tag}`")
        import msgpack

        return self.dict_to_flyte_directory(msgpack.unpackb(binary_idl_object.value), expected_python_type)

    def from_generic_idl(self, generic: Any, expected_python_type: Any) -> FlyteDirectory:
        """A ``FlyteDirectory`` from a ``Struct`` (the console's JSON input)."""
        from google.protobuf import json_format

        return self.dict_to_flyte_directory(json_format.MessageToDict(generic), expected_python_type)

    def guess_python_type(self, literal_type: types_pb2.LiteralType) -> type[FlyteDirectory]:
        if literal_type.HasField("blob") and literal_type.blob.dimensionality == _MULTIPART:
            return FlyteDirectory[literal_type.blob.format]
        raise ValueError(f"Transformer {self} cannot reverse {literal_type}")


def _not_a_directory(path: str) -> str:
    """Why ``path`` cannot be read as a directory, for error messages."""
    if not os.path.exists(path):
        return "does not exist"
    return "is not a directory (use FlyteFile for files)"


_TRANSFORMER = FlyteDirToMultipartBlobTransformer()

# Predefined formats (flytekit's names).
tensorboard = typing.TypeVar("tensorboard")
TensorboardLogs = FlyteDirectory[tensorboard]
"""A folder of TensorBoard logs (``SummaryWriter`` output)."""

tfrecords_dir = typing.TypeVar("tfrecords_dir")
TFRecordsDirectory = FlyteDirectory[tfrecords_dir]
"""A folder of TensorFlow record files."""

"""What ``FlyteFile`` and ``FlyteDirectory`` share: blob literals, format-typed subclasses, remote URIs, lazy downloads.

``is_remote`` answers what ``FileAccessProvider.is_remote`` answers (any protocol but ``file`` is remote)
without importing fsspec and without calling ``__fspath__`` on its argument (which, for a
``FlyteFile``, would download it).
"""

from __future__ import annotations

import os
import re
import typing
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.context import FlyteContext, FlyteContextManager

__all__ = [
    "Downloader",
    "FileExt",
    "blob_literal",
    "context_or_current",
    "format_of",
    "is_local_execution",
    "is_remote",
    "noop",
    "protocol_of",
    "specialize",
]

_SEPARATOR = re.compile(r"::|://")


def protocol_of(path: str | os.PathLike[str]) -> str:
    """The URI scheme of ``path`` (``"s3"`` for ``s3://b/k``), ``"file"`` for a plain path; fsspec's rule."""
    if not isinstance(path, str):
        return "file"  # pathlib paths are local
    found = _SEPARATOR.search(path)
    return path[: found.start()] if found else "file"


def is_remote(path: str | os.PathLike[str]) -> bool:
    """True for a URI of any protocol but ``file`` (``s3://``, ``https://``, ``memory://``...)."""
    return protocol_of(path) != "file"


class Downloader:
    """Copies a remote file (or directory) to a local path through the file access of the *current* context.

    Bound to paths, not to a ``FileAccessProvider``, so a value created in one context (a task's
    inputs) downloads with the storage settings of the context it is read in.
    """

    __slots__ = ("is_multipart", "local_path", "remote_path")

    def __init__(self, remote_path: str, local_path: str, is_multipart: bool = False) -> None:
        self.remote_path = remote_path
        self.local_path = local_path
        self.is_multipart = is_multipart

    def __call__(self) -> None:
        file_access = FlyteContextManager.current_context().file_access
        file_access.get_data(self.remote_path, self.local_path, is_multipart=self.is_multipart)

    def __repr__(self) -> str:
        return f"Downloader({self.remote_path!r} -> {self.local_path!r})"


def noop() -> None:
    """The downloader of a file that is already local."""


class FileExt:
    """A file extension containing dots, for ``FlyteFile[Annotated[str, FileExt("tar.gz")]]``."""

    def __init__(self, ext: str) -> None:
        self._ext = ext

    def __str__(self) -> str:
        return self._ext

    def __repr__(self) -> str:
        return self._ext

    @staticmethod
    def check_and_convert_to_str(item: Any) -> str:
        """The format named by a type parameter: a string, a ``TypeVar`` or ``Annotated[str, FileExt(...)]``."""
        if typing.get_origin(item) is not typing.Annotated:
            return str(item)
        base, *annotations = typing.get_args(item)
        if base is str:
            return str(annotations[0])
        raise ValueError("Underlying type of File Extension must be of type <str>")


def format_of(item: Any) -> str:
    """The blob format a type parameter names: ``"csv"`` for ``"csv"``, ``".csv"`` or ``TypeVar("csv")``."""
    return FileExt.check_and_convert_to_str(item).strip().lstrip("~").lstrip(".")


_specialized: dict[tuple[type, str], type] = {}


def specialize(cls: type, item: Any) -> type:
    """``cls[item]``: the subclass of ``cls`` whose ``extension()`` is the format ``item`` names (cached)."""
    if item is None:
        return cls
    fmt = format_of(item)
    if fmt == "":
        return cls
    found = _specialized.get((cls, fmt))
    if found is None:
        name = f"{cls.__name__}[{fmt}]"
        namespace = {
            "extension": classmethod(lambda _cls: fmt),
            "__reduce__": lambda self: (_restore, (cls, fmt, self.__dict__.copy())),
            "__module__": cls.__module__,
            "__qualname__": name,
        }
        found = type(name, (cls,), namespace)
        _specialized[(cls, fmt)] = found
    return found


def _restore(base: type, fmt: str, state: dict[str, Any]) -> Any:
    """Unpickle a value of ``base[fmt]`` (a class made at run time, so not importable by name)."""
    value = specialize(base, fmt).__new__(specialize(base, fmt))
    value.__dict__.update(state)
    return value


def context_or_current(ctx: FlyteContext | None) -> FlyteContext:
    """``ctx``, or the current context when the caller passed none."""
    return ctx if ctx is not None else FlyteContextManager.current_context()


def is_local_execution(ctx: FlyteContext) -> bool:
    """True in a local run (calling a task or workflow, ``pyflyte run``): local paths are not uploaded."""
    state = ctx.execution_state
    return state is not None and state.is_local_execution()


def blob_literal(uri: str, fmt: str, metadata: dict[str, str] | None, multipart: bool = False) -> literals_pb2.Literal:
    """A blob literal: a single file, or a directory (``multipart``), of format ``fmt`` at ``uri``."""
    blob = literals_pb2.Blob(
        metadata=literals_pb2.BlobMetadata(
            type=types_pb2.BlobType(
                format=fmt, dimensionality=types_pb2.BlobType.MULTIPART if multipart else types_pb2.BlobType.SINGLE
            )
        ),
        uri=uri,
    )
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(blob=blob), metadata=metadata or None)

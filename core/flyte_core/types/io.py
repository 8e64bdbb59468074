"""``typing.TextIO`` and ``typing.BinaryIO``: a file object as a single-file blob.

flytekit 1.16 only reads these (``to_literal`` raises ``NotImplementedError``); returning an open file
from a task works here: its remaining content is uploaded under the raw output prefix.
"""

from __future__ import annotations

import mimetypes
import typing
from typing import IO, Any

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.types.type_engine import TypeTransformer, TypeTransformerFailedError, value_repr

if typing.TYPE_CHECKING:
    from flyte_core.context import FlyteContext

Literal = literals_pb2.Literal
LiteralType = types_pb2.LiteralType
_SINGLE = types_pb2.BlobType.BlobDimensionality.SINGLE


class _FileObjectTransformer(TypeTransformer[Any]):
    _extension = ""
    _mode = ""

    def _blob_type(self) -> types_pb2.BlobType:
        return types_pb2.BlobType(format=mimetypes.types_map[self._extension], dimensionality=_SINGLE)

    def assert_type(self, t: Any, v: Any) -> None:
        if not callable(getattr(v, "read", None)):
            raise TypeTransformerFailedError(f"{self.name}: expected a readable file object, got {value_repr(v)}")

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(blob=self._blob_type())

    def to_literal(self, ctx: FlyteContext, python_val: IO[Any], python_type: Any, expected: LiteralType) -> Literal:
        ctx = _current(ctx)
        uri = ctx.file_access.put_raw_data(python_val)  # streams the rest of the file
        lit = Literal()
        lit.scalar.blob.metadata.type.CopyFrom(self._blob_type())
        lit.scalar.blob.uri = uri
        return lit

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> IO[Any]:
        ctx = _current(ctx)
        if not (lv.HasField("scalar") and lv.scalar.HasField("blob")):
            raise TypeTransformerFailedError(f"{self.name}: expected a blob literal, got a {lv.WhichOneof('value')}")
        local_path = ctx.file_access.get_random_local_path()
        ctx.file_access.get_data(lv.scalar.blob.uri, local_path, is_multipart=False)
        return open(local_path, self._mode)


class TextIOTransformer(_FileObjectTransformer):
    """``typing.TextIO`` <-> a ``text/plain`` blob."""

    _extension = ".txt"
    _mode = "r"

    def __init__(self) -> None:
        super().__init__(name="TextIO", t=typing.TextIO)


class BinaryIOTransformer(_FileObjectTransformer):
    """``typing.BinaryIO`` <-> an ``application/octet-stream`` blob."""

    _extension = ".bin"
    _mode = "rb"

    def __init__(self) -> None:
        super().__init__(name="BinaryIO", t=typing.BinaryIO)


def _current(ctx: FlyteContext | None) -> FlyteContext:
    """``ctx``, or the current context when the engine was called without one."""
    if ctx is not None:
        return ctx
    from flyte_core.context import FlyteContextManager

    return FlyteContextManager.current_context()

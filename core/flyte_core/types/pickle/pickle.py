"""``FlytePickle``: a value of any type as a cloudpickle file under the raw output prefix (blob ``PythonPickle``).

The type engine falls back to it, with a warning, for a type no transformer claims, and for the
untyped inputs and outputs of ``@task(pickle_untyped=True)``. Pickles only travel between identical
Python (and library) versions: prefer a type Flyte knows.
"""

from __future__ import annotations

import hashlib
import typing
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.types.type_engine import TypeTransformer, TypeTransformerFailedError

if typing.TYPE_CHECKING:
    from flyte_core.context import FlyteContext

T = typing.TypeVar("T")
Literal = literals_pb2.Literal
LiteralType = types_pb2.LiteralType
PYTHON_PICKLE_FORMAT = "PythonPickle"
_SINGLE = types_pb2.BlobType.BlobDimensionality.SINGLE


def _context(ctx: FlyteContext | None) -> FlyteContext:
    if ctx is not None:
        return ctx
    from flyte_core.context import FlyteContextManager

    return FlyteContextManager.current_context()


def write_pickle(ctx: FlyteContext | None, python_val: Any) -> str:
    """cloudpickle ``python_val`` to ``<raw output prefix>/<random>/<md5 of the pickle>``; return that URI."""
    import cloudpickle

    payload = cloudpickle.dumps(python_val)
    digest = hashlib.md5(payload, usedforsecurity=False).hexdigest()
    return _context(ctx).file_access.put_raw_data(payload, file_name=digest)


def read_pickle(ctx: FlyteContext | None, uri: str) -> Any:
    """The value pickled at ``uri`` (downloaded first when it is remote)."""
    import cloudpickle

    file_access = _context(ctx).file_access
    path = uri
    if file_access.is_remote(uri):
        path = file_access.get_random_local_path()
        file_access.get_data(uri, path, is_multipart=False)
    else:
        path = file_access.strip_file_header(uri)
    with open(path, "rb") as f:
        return cloudpickle.load(f)


class FlytePickle(typing.Generic[T]):
    """Marks a value carried as a pickle; ``FlytePickle[T]`` remembers ``T``. Used by the engine, not by users."""

    @classmethod
    def python_type(cls) -> type:
        return type(None)

    @classmethod
    def __class_getitem__(cls, python_type: Any) -> Any:  # type: ignore[override]
        if python_type is None:
            return cls

        class _SpecificFormatClass(FlytePickle):  # type: ignore[type-arg]
            __origin__ = FlytePickle

            @classmethod
            def python_type(cls) -> Any:
                return python_type

        return _SpecificFormatClass

    @classmethod
    async def to_pickle(cls, ctx: FlyteContext, python_val: Any) -> str:
        """flytekit's API: pickle ``python_val`` under the raw output prefix and return the URI."""
        return write_pickle(ctx, python_val)

    @classmethod
    async def from_pickle(cls, uri: str) -> Any:
        """flytekit's API: the value pickled at ``uri``."""
        return read_pickle(None, uri)


def _blob_type() -> types_pb2.BlobType:
    return types_pb2.BlobType(format=PYTHON_PICKLE_FORMAT, dimensionality=_SINGLE)


class FlytePickleTransformer(TypeTransformer[FlytePickle[Any]]):
    """Any value <-> a ``PythonPickle`` blob literal."""

    PYTHON_PICKLE_FORMAT = PYTHON_PICKLE_FORMAT

    def __init__(self) -> None:
        super().__init__(name="FlytePickle", t=FlytePickle)

    def assert_type(self, t: Any, v: Any) -> None:
        """Everything can be pickled."""

    def get_literal_type(self, t: Any) -> LiteralType:
        lt = LiteralType(blob=_blob_type())
        lt.metadata.update({"python_class_name": str(t)})
        return lt

    def to_literal(self, ctx: FlyteContext, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        if python_val is None:
            raise AssertionError("Cannot pickle None Value.")
        uri = write_pickle(ctx, python_val)
        lit = Literal()
        blob = lit.scalar.blob
        blob.metadata.type.CopyFrom(_blob_type())
        blob.uri = uri
        return lit

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> Any:
        if not (lv.HasField("scalar") and lv.scalar.HasField("blob")):
            raise TypeTransformerFailedError(
                f"a pickled {expected_python_type} must be a blob literal, got a {lv.WhichOneof('value')} literal"
            )
        return read_pickle(ctx, lv.scalar.blob.uri)

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if (
            literal_type.WhichOneof("type") == "blob"
            and literal_type.blob.dimensionality == _SINGLE
            and literal_type.blob.format == PYTHON_PICKLE_FORMAT
        ):
            return FlytePickle
        raise ValueError(f"Transformer {self} cannot reverse {literal_type}")


def pickle_dict_literal(ctx: FlyteContext | None, value: Any) -> Literal:
    """An untyped dict that msgpack cannot hold (``Annotated[dict, kwtypes(allow_pickle=True)]``), pickled.

    flytekit's form: a generic ``Struct`` ``{"pickle_file": <uri>}`` with literal metadata ``format: pickle``.
    """
    lit = Literal()
    lit.scalar.generic.update({"pickle_file": write_pickle(ctx, value)})
    lit.metadata["format"] = "pickle"
    return lit

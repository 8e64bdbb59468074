"""``Iterator[JSON]`` <-> a ``jsonl`` blob: values are written one line each as they are produced, read lazily.

A task can return a generator of JSON values without holding them all in memory; the consumer gets a
:class:`JSONIterator` reading the file line by line. Lines are what flytekit's ``jsonlines`` writer
produces: ``json.dumps(value, ensure_ascii=False)`` and a newline.
"""

from __future__ import annotations

import collections.abc
import json
import typing
from collections.abc import Iterator
from typing import Any, TextIO, TypeAlias, Union

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.types.type_engine import TypeTransformer, TypeTransformerFailedError, value_repr

if typing.TYPE_CHECKING:
    from flyte_core.context import FlyteContext

JSONCollection: TypeAlias = Union[dict[str, Any], list[Any]]  # noqa: UP007 - flytekit's public aliases
JSONScalar: TypeAlias = Union[bool, float, int, str]  # noqa: UP007
JSON: TypeAlias = Union[JSONCollection, JSONScalar]  # noqa: UP007

JSON_ITERATOR = typing.Iterator[JSON]  # the key users write
JSON_ITERATOR_ABC = collections.abc.Iterator[JSON]

Literal = literals_pb2.Literal
LiteralType = types_pb2.LiteralType
JSON_ITERATOR_FORMAT = "jsonl"
JSON_ITERATOR_METADATA = "json iterator"
_SINGLE = types_pb2.BlobType.BlobDimensionality.SINGLE
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


class JSONIterator(Iterator[JSON]):
    """Iterates the JSON values of a JSON-lines file, closing it when exhausted."""

    def __init__(self, reader: TextIO) -> None:
        self._reader = reader

    def __iter__(self) -> JSONIterator:
        return self

    def __next__(self) -> JSON:
        for line in self._reader:
            if line.strip():
                return typing.cast(JSON, json.loads(line))
        self._reader.close()
        raise StopIteration("File handler is exhausted")


def _blob_type() -> types_pb2.BlobType:
    return types_pb2.BlobType(format=JSON_ITERATOR_FORMAT, dimensionality=_SINGLE)


class JSONIteratorTransformer(TypeTransformer[Iterator[JSON]]):
    """``Iterator[JSON]`` <-> a ``jsonl`` blob (an empty iterator is an error, as in flytekit)."""

    JSON_ITERATOR_FORMAT = JSON_ITERATOR_FORMAT
    JSON_ITERATOR_METADATA = JSON_ITERATOR_METADATA

    def __init__(self) -> None:
        super().__init__("JSON Iterator", JSON_ITERATOR)  # type: ignore[arg-type]

    def assert_type(self, t: Any, v: Any) -> None:
        if not isinstance(v, collections.abc.Iterable) or isinstance(v, (str, bytes, dict)):
            raise TypeTransformerFailedError(
                f"Iterator[JSON]: expected an iterator of JSON values, got {value_repr(v)}"
            )

    def get_literal_type(self, t: Any) -> LiteralType:
        lt = LiteralType(blob=_blob_type())
        lt.metadata.update({"format": JSON_ITERATOR_METADATA})
        return lt

    def to_literal(self, ctx: FlyteContext, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        ctx = _current(ctx)
        local_path = ctx.file_access.get_random_local_path()
        empty = True
        with open(local_path, "w", encoding="utf-8") as out:
            for index, value in enumerate(python_val):
                try:
                    line = _ENCODER.encode(value)
                except (TypeError, ValueError) as exc:
                    raise TypeTransformerFailedError(
                        f"Iterator[JSON] item {index}: expected a JSON value, got {value_repr(value)} ({exc})"
                    ) from exc
                out.write(line)
                out.write("\n")
                empty = False
        if empty:
            raise ValueError("The iterator is empty.")
        uri = ctx.file_access.put_raw_data(local_path)
        lit = Literal()
        lit.scalar.blob.metadata.type.CopyFrom(_blob_type())
        lit.scalar.blob.uri = uri
        return lit

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> JSONIterator:
        ctx = _current(ctx)
        if not (lv.HasField("scalar") and lv.scalar.HasField("blob")):
            raise TypeTransformerFailedError(
                f"Cannot convert from a {lv.WhichOneof('value')} literal to {expected_python_type}"
            )
        uri = lv.scalar.blob.uri
        fs = ctx.file_access.get_filesystem_for_path(uri)
        return JSONIterator(fs.open(uri, "r", encoding="utf-8"))

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if (
            literal_type.WhichOneof("type") == "blob"
            and literal_type.blob.dimensionality == _SINGLE
            and literal_type.blob.format == JSON_ITERATOR_FORMAT
            and dict(literal_type.metadata) == {"format": JSON_ITERATOR_METADATA}
        ):
            return JSON_ITERATOR
        raise ValueError(f"Transformer {self} cannot reverse {literal_type}.")


JSON_ITERATOR_TRANSFORMER = JSONIteratorTransformer()


def _current(ctx: FlyteContext | None) -> FlyteContext:
    """``ctx``, or the current context when the engine was called without one."""
    if ctx is not None:
        return ctx
    from flyte_core.context import FlyteContextManager

    return FlyteContextManager.current_context()

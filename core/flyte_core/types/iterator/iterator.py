"""``Iterator[T]``: a task's items as a list literal, written as the iterator yields them and read back lazily.

A task may return a generator for an ``Iterator[int]`` output: the items are converted one by one into a
``collection`` literal (the same literal type as ``list[int]``, as flytekit writes it). A task taking an
``Iterator[int]`` gets a :class:`FlyteIterator`, which converts each item only when it is reached.
``Iterator[JSON]`` is not this: it is a JSON-lines file (``json_iterator.py``).
"""

from __future__ import annotations

import collections.abc
import typing
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.types.type_engine import TypeEngine, TypeTransformer, TypeTransformerFailedError, type_name

if typing.TYPE_CHECKING:
    from flyte_core.context import FlyteContext

__all__ = ["FlyteIterator", "IteratorTransformer"]


class FlyteIterator:
    """The items of a list literal as Python values, each converted when the iteration reaches it.

    ``len()`` is the number of items; iterating again starts from the first item.
    """

    def __init__(self, ctx: FlyteContext | None, lv: Any, expected_python_type: Any, length: int | None = None) -> None:
        self._ctx = ctx
        self._literals = list(lv.collection.literals)
        self._item_type = _item_type(expected_python_type)
        self._length = len(self._literals) if length is None else length
        self._index = 0

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> FlyteIterator:
        self._index = 0
        return self

    def __next__(self) -> Any:
        if self._index >= self._length:
            raise StopIteration
        item = TypeEngine.to_python_value(self._ctx, self._literals[self._index], self._item_type)
        self._index += 1
        return item


class IteratorTransformer(TypeTransformer[collections.abc.Iterator[Any]]):
    """``Iterator[T]`` <-> a collection literal of ``T``."""

    def __init__(self) -> None:
        super().__init__("Typed Iterator", collections.abc.Iterator)  # type: ignore[arg-type]

    def assert_type(self, t: Any, v: Any) -> None:
        if not isinstance(v, collections.abc.Iterable) or isinstance(v, (str, bytes, dict)):
            raise TypeTransformerFailedError(
                f"{type_name(t)}: expected an iterator or iterable, got {type(v).__name__}"
            )

    def get_literal_type(self, t: Any) -> types_pb2.LiteralType:
        return types_pb2.LiteralType(collection_type=TypeEngine.to_literal_type(_item_type(t)))

    def to_literal(
        self, ctx: FlyteContext | None, python_val: Any, python_type: Any, expected: types_pb2.LiteralType
    ) -> literals_pb2.Literal:
        item_type = _item_type(python_type)
        item_literal_type = expected.collection_type if expected is not None else None
        if item_literal_type is None:
            item_literal_type = TypeEngine.to_literal_type(item_type)
        items = [TypeEngine.to_literal(ctx, item, item_type, item_literal_type) for item in python_val]
        return literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=items))

    def to_python_value(self, ctx: FlyteContext | None, lv: literals_pb2.Literal, expected_python_type: Any) -> Any:
        if not lv.HasField("collection"):
            raise TypeTransformerFailedError(
                f"cannot convert a {lv.WhichOneof('value') or 'empty'} literal to {type_name(expected_python_type)}: "
                "expected a collection"
            )
        return FlyteIterator(ctx, lv, expected_python_type)


def _item_type(t: Any) -> Any:
    args = typing.get_args(t)
    if not args:
        raise TypeTransformerFailedError(
            f"{type_name(t)} needs the type of its items, e.g. Iterator[int] (flyte_core converts each item)"
        )
    return args[0]

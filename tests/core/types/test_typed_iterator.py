"""``Iterator[T]`` as flytekit has it: a generator output becomes a list literal, an input a lazy FlyteIterator."""

from __future__ import annotations

import typing
from collections.abc import Iterator

import pytest

from flyte_core import task, workflow
from flyte_core.types.iterator import JSON, FlyteIterator
from flyte_core.types.type_engine import TypeEngine, TypeTransformerFailedError


@task
def numbers(n: int) -> Iterator[int]:
    for i in range(n):
        yield i * i


@task
def total(xs: Iterator[int]) -> int:
    assert isinstance(xs, FlyteIterator) and len(xs) == 4
    first = sum(xs)
    return first + sum(xs)  # iterating again starts over


@workflow
def squares(n: int) -> int:
    return total(xs=numbers(n=n))


def test_a_generator_output_feeds_an_iterator_input() -> None:
    assert squares(n=4) == 2 * (0 + 1 + 4 + 9)


def test_the_literal_type_is_a_collection_as_flytekit_writes_it() -> None:
    assert TypeEngine.to_literal_type(Iterator[int]) == TypeEngine.to_literal_type(list[int])
    assert TypeEngine.to_literal_type(typing.Iterator[str]) == TypeEngine.to_literal_type(list[str])


def test_items_are_converted_only_when_reached() -> None:
    lt = TypeEngine.to_literal_type(Iterator[int])
    lv = TypeEngine.to_literal(None, iter([1, 2, 3]), Iterator[int], lt)
    lv.collection.literals[1].scalar.primitive.string_value = "not an int"  # item 2 is no int now
    items = TypeEngine.to_python_value(None, lv, Iterator[int])
    assert next(items) == 1
    with pytest.raises(TypeTransformerFailedError):
        next(items)


def test_an_iterator_without_its_item_type_says_what_to_write() -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"needs the type of its items, e.g. Iterator\[int\]"):
        TypeEngine.to_literal_type(Iterator)


def test_iterator_of_json_stays_a_json_lines_file() -> None:
    assert TypeEngine.to_literal_type(Iterator[JSON]).blob.format == "jsonl"

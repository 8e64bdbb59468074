"""``Iterator[JSON]``: a stream of JSON values as a JSON-lines blob."""

from __future__ import annotations

import collections.abc
import typing

import pytest

from flyte_core import task, workflow
from flyte_core.types.iterator import JSON, JSONIterator, JSONIteratorTransformer
from flyte_core.types.type_engine import TypeEngine, TypeTransformerFailedError


def _values() -> typing.Iterator[JSON]:
    yield {"a": 1, "é": [1, 2]}
    yield 2.5
    yield "x"


def test_values_are_written_one_json_line_each(round_trip) -> None:
    lt, literal, back = round_trip(_values(), typing.Iterator[JSON])
    assert lt.blob.format == "jsonl"
    with open(literal.scalar.blob.uri, encoding="utf-8") as f:
        assert f.read() == '{"a": 1, "é": [1, 2]}\n2.5\n"x"\n'
    assert isinstance(back, JSONIterator)
    assert list(back) == [{"a": 1, "é": [1, 2]}, 2.5, "x"]


def test_collections_abc_iterator_of_json_is_the_same_type() -> None:
    assert TypeEngine.to_literal_type(collections.abc.Iterator[JSON]) == TypeEngine.to_literal_type(
        typing.Iterator[JSON]
    )


def test_an_empty_iterator_is_an_error(ctx) -> None:
    with pytest.raises(ValueError, match="The iterator is empty"):
        TypeEngine.to_literal(ctx, iter([]), typing.Iterator[JSON], TypeEngine.to_literal_type(typing.Iterator[JSON]))


def test_a_value_that_is_not_json_is_named_with_its_position(ctx) -> None:
    lt = TypeEngine.to_literal_type(typing.Iterator[JSON])
    with pytest.raises(TypeTransformerFailedError, match=r"item 1: expected a JSON value, got set"):
        TypeEngine.to_literal(ctx, iter([1, {2}]), typing.Iterator[JSON], lt)


def test_transformer_reverses_its_literal_type_to_iterator_of_json() -> None:
    # (the engine itself guesses FlyteFile[jsonl], the file transformer coming first, as in flytekit)
    lt = TypeEngine.to_literal_type(typing.Iterator[JSON])
    assert JSONIteratorTransformer().guess_python_type(lt) == typing.Iterator[JSON]


@task
def produce(n: int) -> typing.Iterator[JSON]:
    for i in range(n):
        yield {"i": i}


@task
def total(values: typing.Iterator[JSON]) -> int:
    return sum(v["i"] for v in values)


@workflow
def stream_wf(n: int) -> int:
    return total(values=produce(n=n))


def test_a_generator_task_feeds_another_task() -> None:
    assert stream_wf(n=4) == 6

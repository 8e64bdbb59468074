"""The pickle fallback: unknown types, ``pickle_untyped`` tasks and dicts msgpack cannot hold."""

from __future__ import annotations

import logging
import os
import typing

import pytest
from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import json_format

from flyte_core import kwtypes, task, workflow
from flyte_core.types.pickle import FlytePickle, FlytePickleTransformer, pickle_dict_literal
from flyte_core.types.type_engine import TypeEngine


class Unregistered:
    """No transformer claims this type."""

    def __init__(self, value: int) -> None:
        self.value = value


class WarnedAbout:
    pass


def test_a_type_no_transformer_claims_is_pickled(round_trip) -> None:
    lt, literal, back = round_trip(Unregistered(3), Unregistered)
    assert lt.blob.format == "PythonPickle"
    assert lt.blob.dimensionality == types_pb2.BlobType.BlobDimensionality.SINGLE
    assert json_format.MessageToDict(lt.metadata) == {"python_class_name": str(Unregistered)}
    assert literal.scalar.blob.metadata.type.format == "PythonPickle"
    assert os.path.isfile(literal.scalar.blob.uri)
    assert back.value == 3


def test_falling_back_to_pickle_warns_once_naming_the_type(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="flyte_core"):
        TypeEngine.get_transformer(WarnedAbout)
        TypeEngine.to_literal_type(WarnedAbout)
    warnings = [r.getMessage() for r in caplog.records if "PickleFile" in r.getMessage()]
    assert len(warnings) == 1
    assert str(WarnedAbout) in warnings[0]


def test_bytes_are_pickled_as_in_flytekit() -> None:
    assert isinstance(TypeEngine.get_transformer(bytes), FlytePickleTransformer)


def test_flyte_pickle_of_a_type_uses_the_pickle_transformer() -> None:
    assert isinstance(TypeEngine.get_transformer(FlytePickle[int]), FlytePickleTransformer)
    assert FlytePickle[int].python_type() is int


def test_pickle_literal_type_guesses_flyte_pickle() -> None:
    assert TypeEngine.guess_python_type(TypeEngine.to_literal_type(Unregistered)) is FlytePickle


def test_none_cannot_be_pickled(ctx) -> None:
    with pytest.raises(AssertionError, match="Cannot pickle None"):
        FlytePickleTransformer().to_literal(ctx, None, typing.Any, TypeEngine.to_literal_type(typing.Any))


def test_a_dict_msgpack_cannot_hold_is_pickled_when_allowed(round_trip) -> None:
    value = {"ids": {1, 2}}
    _, literal, back = round_trip(value, typing.Annotated[dict, kwtypes(allow_pickle=True)])
    assert dict(literal.metadata) == {"format": "pickle"}
    assert set(json_format.MessageToDict(literal.scalar.generic)) == {"pickle_file"}
    assert back == value


def test_a_dict_msgpack_cannot_hold_is_an_error_when_pickling_is_not_allowed(ctx) -> None:
    with pytest.raises(TypeError, match=r"\['ids'\]"):
        TypeEngine.to_literal(ctx, {"ids": {1, 2}}, dict, TypeEngine.to_literal_type(dict))


def test_pickle_dict_literal_is_read_by_the_dict_transformer(ctx) -> None:
    literal = pickle_dict_literal(ctx, {"a": object.__name__})
    assert isinstance(literal, literals_pb2.Literal)
    assert TypeEngine.to_python_value(ctx, literal, dict) == {"a": "object"}


@task(pickle_untyped=True)
def untyped_pair(x):  # type: ignore[no-untyped-def]
    return [x, x]


@task
def count(items: typing.Any) -> int:
    return len(items)


@workflow
def pickled_wf(x: typing.Any) -> int:
    return count(items=untyped_pair(x=x))


def test_untyped_task_inputs_and_outputs_travel_as_pickles() -> None:
    assert untyped_pair(x={1, 2}) == [{1, 2}, {1, 2}]
    assert pickled_wf(x=frozenset({3})) == 2

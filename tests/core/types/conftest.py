"""Fixtures for the structured-type transformer tests: a local execution context, round trips."""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

import pytest
from flyteidl.core import literals_pb2, types_pb2

from flyte_core.context import FlyteContext, FlyteContextManager
from flyte_core.types.type_engine import TypeEngine

RoundTrip = Callable[[Any, Any], tuple[types_pb2.LiteralType, literals_pb2.Literal, Any]]


@pytest.fixture
def ctx() -> FlyteContext:
    return FlyteContextManager.current_context()


@pytest.fixture
def round_trip(ctx: FlyteContext) -> RoundTrip:
    """``(literal type, literal, value read back)`` of a value through the type engine."""

    def run(value: Any, python_type: Any) -> tuple[types_pb2.LiteralType, literals_pb2.Literal, Any]:
        lt = TypeEngine.to_literal_type(python_type)
        literal = TypeEngine.to_literal(ctx, value, python_type, lt)
        return lt, literal, TypeEngine.to_python_value(ctx, literal, python_type)

    return typing.cast(RoundTrip, run)

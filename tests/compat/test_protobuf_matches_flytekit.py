"""Protobuf messages as task values, as flytekit's ProtobufTransformer writes them (expected/protobuf.json, written
by generate/protobuf.py from generate/protobuf_cases.py), read back, and usable in a workflow."""

from __future__ import annotations

import base64
import json
import pathlib
import sys

import pytest
from flyteidl.core import types_pb2

from flyte_core import task, workflow
from flyte_core.context import FlyteContextManager
from flyte_core.types.type_engine import TypeEngine

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE / "generate"))
from protobuf_cases import CASES, namespace  # noqa: E402

EXPECTED = json.loads((HERE / "expected" / "protobuf.json").read_text())
ENV = namespace()


def _b64(message: object) -> str:
    return base64.b64encode(message.SerializeToString(deterministic=True)).decode()  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "value_expr", "type_expr"), CASES, ids=[c[0] for c in CASES])
def test_protobuf_value_is_written_as_flytekit_writes_it_and_reads_back(
    name: str, value_expr: str, type_expr: str
) -> None:
    ctx = FlyteContextManager.current_context()
    python_type, value = eval(type_expr, ENV), eval(value_expr, ENV)
    literal_type = TypeEngine.to_literal_type(python_type)
    literal = TypeEngine.to_literal(ctx, value, python_type, literal_type)
    assert _b64(literal_type) == EXPECTED[name]["literal_type"]
    assert _b64(literal) == EXPECTED[name]["literal"]
    if name != "list-value":  # flytekit reads a list literal back as a list, not a ListValue
        assert TypeEngine.to_python_value(ctx, literal, python_type) == value
        assert TypeEngine.guess_python_type(literal_type) is python_type


@task
def fail_node(message: str) -> types_pb2.Error:
    return types_pb2.Error(failed_node_id="n0", message=message)


@task
def describe(err: types_pb2.Error) -> str:
    return f"{err.failed_node_id}: {err.message}"


@workflow
def errors(message: str) -> str:
    return describe(err=fail_node(message=message))


def test_a_message_passes_between_tasks() -> None:
    assert errors(message="boom") == "n0: boom"

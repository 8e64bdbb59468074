"""The literal types and literals of core Python values are the ones flytekit 1.16.31 writes.

Expected values come from tests/compat/expected/literals_core.json (see tests/compat/README.md).
"""

from __future__ import annotations

import base64
import datetime
import json
import pathlib
import sys

import pytest
from flyteidl.core import literals_pb2, types_pb2

import flyte_core
from flyte_core.types.type_engine import TypeEngine

COMPAT = pathlib.Path(__file__).parents[2] / "compat"
sys.path.insert(0, str(COMPAT / "generate"))
from literals_core_cases import NAMESPACE  # noqa: E402

EXPECTED = json.loads((COMPAT / "expected" / "literals_core.json").read_text())


@pytest.mark.parametrize("case", EXPECTED, ids=[c["id"] for c in EXPECTED])
def test_literal_type_and_literal_equal_flytekit(case: dict) -> None:
    namespace = NAMESPACE(flyte_core)
    python_type = eval(case["type"], namespace)
    value = eval(case["value"], namespace)
    lt = TypeEngine.to_literal_type(python_type)
    literal = TypeEngine.to_literal(None, value, python_type, lt)
    assert lt == types_pb2.LiteralType.FromString(base64.b64decode(case["literal_type"]))
    assert literal == literals_pb2.Literal.FromString(base64.b64decode(case["literal"]))


@pytest.mark.parametrize("case", EXPECTED, ids=[c["id"] for c in EXPECTED])
def test_flytekit_literal_reads_back_as_the_value(case: dict) -> None:
    namespace = NAMESPACE(flyte_core)
    python_type = eval(case["type"], namespace)
    value = eval(case["value"], namespace)
    literal = literals_pb2.Literal.FromString(base64.b64decode(case["literal"]))
    back = TypeEngine.to_python_value(None, literal, python_type)
    if isinstance(value, str) and not isinstance(back, str) and hasattr(back, "value"):
        back = back.value  # an enum given as its string value
    if isinstance(value, datetime.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)  # flytekit also reads naive datetimes back as UTC
    assert back == value

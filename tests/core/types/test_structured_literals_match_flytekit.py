"""Structured values give the literal types, literals and read-back values flytekit 1.16.31 gives.

Expected values: tests/compat/expected/literals_structured.json, written by
tests/compat/generate/literals_structured.py (see tests/compat/README.md).
"""

from __future__ import annotations

import ast
import base64
import json
import os
import pathlib
import sys
from typing import Any

import pytest
from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import json_format

import flyte_core
from flyte_core.types.dataclass import dataclass_json_schema
from flyte_core.types.type_engine import TypeEngine

COMPAT = pathlib.Path(__file__).parents[2] / "compat"
sys.path.insert(0, str(COMPAT / "generate"))
import literals_structured_cases as cases  # noqa: E402

EXPECTED = json.loads((COMPAT / "expected" / "literals_structured.json").read_text())


def _namespace() -> dict[str, Any]:
    return cases.NAMESPACE(flyte_core)


def _convert(case: dict[str, Any]) -> tuple[types_pb2.LiteralType, literals_pb2.Literal, Any, Any]:
    namespace = _namespace()
    python_type = eval(case["type"], namespace)
    lt = TypeEngine.to_literal_type(python_type)
    literal = TypeEngine.to_literal(None, eval(case["value"], namespace), python_type, lt)
    return lt, literal, python_type, TypeEngine.to_python_value(None, literal, python_type)


def _literal_type(case: dict[str, Any]) -> types_pb2.LiteralType:
    return types_pb2.LiteralType.FromString(base64.b64decode(case["literal_type"]))


@pytest.mark.parametrize("case", EXPECTED["cases"], ids=[c["id"] for c in EXPECTED["cases"]])
def test_literal_type_equals_flytekit(case: dict[str, Any]) -> None:
    lt, _, _, _ = _convert(case)
    assert lt == _literal_type(case)


@pytest.mark.parametrize("case", EXPECTED["cases"], ids=[c["id"] for c in EXPECTED["cases"]])
def test_literal_and_value_read_back_equal_flytekit(case: dict[str, Any]) -> None:
    _, literal, _, back = _convert(case)
    assert literal == literals_pb2.Literal.FromString(base64.b64decode(case["literal"]))
    if "read_back" in case:
        assert repr(back) == case["read_back"]


@pytest.mark.parametrize(
    "case", [c for c in EXPECTED["cases"] if c["schema"]], ids=[c["id"] for c in EXPECTED["cases"] if c["schema"]]
)
def test_json_schema_has_flytekit_keys_in_flytekit_order(case: dict[str, Any]) -> None:
    python_type = eval(case["type"], _namespace())
    assert json.dumps(dataclass_json_schema(python_type)) == case["schema"]


@pytest.mark.parametrize("case", EXPECTED["cases"], ids=[c["id"] for c in EXPECTED["cases"]])
def test_flytekit_literal_reads_back_as_flytekit_reads_it(case: dict[str, Any]) -> None:
    python_type = eval(case["type"], _namespace())
    literal = literals_pb2.Literal.FromString(base64.b64decode(case["literal"]))
    back = TypeEngine.to_python_value(None, literal, python_type)
    assert repr(back) == case.get("read_back", repr(eval(case["value"], _namespace())))


@pytest.mark.parametrize("case", EXPECTED["old_format"], ids=[c["id"] for c in EXPECTED["old_format"]])
def test_old_dataclass_format_writes_flytekits_json_struct(case: dict[str, Any], monkeypatch) -> None:
    monkeypatch.setenv("FLYTE_USE_OLD_DC_FORMAT", "true")
    _, literal, _, back = _convert(case)
    expected = literals_pb2.Literal.FromString(base64.b64decode(case["literal"]))
    assert json_format.MessageToDict(literal) == json_format.MessageToDict(expected)
    if "read_back" not in case:  # flytekit cannot read its own literal back (an untyped list field): we can
        return
    if isinstance(back, dict):  # a Struct keeps no key order
        assert back == ast.literal_eval(case["read_back"])
    else:
        assert repr(back) == case["read_back"]


def _blob_case_checks(case: dict[str, Any]) -> None:
    lt, literal, _, back = _convert(case)
    assert lt == _literal_type(case)
    if case["blob_type"]:
        blob_type = types_pb2.BlobType.FromString(base64.b64decode(case["blob_type"]))
        assert literal.scalar.blob.metadata.type == blob_type
        assert os.path.exists(literal.scalar.blob.uri)
    assert dict(literal.metadata) == case["literal_metadata"]
    assert repr(back) == case["read_back"]


@pytest.mark.parametrize("case", EXPECTED["blobs"], ids=[c["id"] for c in EXPECTED["blobs"]])
def test_pickled_values_match_flytekit(case: dict[str, Any]) -> None:
    _blob_case_checks(case)


@pytest.mark.parametrize("case", EXPECTED["numpy"], ids=[c["id"] for c in EXPECTED["numpy"]])
def test_numpy_arrays_match_flytekit(case: dict[str, Any], monkeypatch) -> None:
    np = pytest.importorskip("numpy")
    monkeypatch.setattr(cases, "NAMESPACE", lambda sdk, _ns=cases.NAMESPACE: {**_ns(sdk), "np": np})
    _blob_case_checks(case)


@pytest.mark.parametrize("case", EXPECTED["types"], ids=[c["id"] for c in EXPECTED["types"]])
def test_literal_types_match_flytekit(case: dict[str, Any]) -> None:
    assert TypeEngine.to_literal_type(eval(case["type"], _namespace())) == _literal_type(case)


@pytest.mark.parametrize("case", EXPECTED["pydantic"], ids=[c["id"] for c in EXPECTED["pydantic"]])
def test_pydantic_models_match_flytekit(case: dict[str, Any], monkeypatch) -> None:
    pydantic = pytest.importorskip("pydantic")
    namespace = {**_namespace(), "pydantic": pydantic}
    exec(compile(cases.PYDANTIC_SOURCE, "<pydantic cases>", "exec", dont_inherit=True), namespace)
    monkeypatch.setattr(cases, "NAMESPACE", lambda sdk: namespace)
    lt, literal, _, back = _convert(case)
    assert lt == _literal_type(case)
    assert literal == literals_pb2.Literal.FromString(base64.b64decode(case["literal"]))
    assert repr(back) == case["read_back"]

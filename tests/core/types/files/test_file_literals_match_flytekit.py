"""Files, directories and structured datasets give the literal types and literals flytekit 1.16.31 gives.

Expected values: tests/compat/expected/literals_files_and_datasets.json, written by
tests/compat/generate/literals_files_and_datasets.py (see tests/compat/README.md).
"""

from __future__ import annotations

import base64
import json
import os
import pathlib
import sys
import typing
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import json_format

import flyte_core
from flyte_core.context import ExecutionState, FlyteContextManager
from flyte_core.types.type_engine import TypeEngine

COMPAT = pathlib.Path(__file__).parents[3] / "compat"
sys.path.insert(0, str(COMPAT / "generate"))
import literals_files_and_datasets_cases as cases  # noqa: E402

EXPECTED = json.loads((COMPAT / "expected" / "literals_files_and_datasets.json").read_text())


@pytest.fixture
def namespace(tmp_path: Path) -> dict[str, Any]:
    pytest.importorskip("pandas")
    cases.prepare(str(tmp_path))
    return typing.cast(dict[str, Any], cases.NAMESPACE(flyte_core, str(tmp_path)))


@pytest.mark.parametrize("case", EXPECTED["literal_types"], ids=[c["id"] for c in EXPECTED["literal_types"]])
def test_literal_type_equals_flytekits(case: dict[str, Any], namespace: dict[str, Any]) -> None:
    lt = TypeEngine.to_literal_type(eval(case["type"], namespace))
    assert lt == types_pb2.LiteralType.FromString(base64.b64decode(case["literal_type"]))


@pytest.mark.parametrize("case", EXPECTED["literals"], ids=[c["id"] for c in EXPECTED["literals"]])
def test_literal_equals_flytekits(case: dict[str, Any], namespace: dict[str, Any], tmp_path: Path) -> None:
    python_type = eval(case["type"], namespace)
    root = FlyteContextManager.current_context()
    ctx = root
    if case["mode"] == "local":
        state = root.new_execution_state().with_params(mode=ExecutionState.Mode.LOCAL_TASK_EXECUTION)
        ctx = root.with_execution_state(state).build()
    with FlyteContextManager.with_context(ctx.new_builder()) as ctx:
        value = eval(case["value"], namespace)
        literal = TypeEngine.to_literal(ctx, value, python_type, TypeEngine.to_literal_type(python_type))
    if "files" in case:
        uri = literal.scalar.structured_dataset.uri
        assert sorted(os.listdir(uri)) == case["files"]
        literal.scalar.structured_dataset.uri = "{URI}"
    as_json = json.loads(json_format.MessageToJson(literal, sort_keys=True).replace(str(tmp_path), "{TMP}"))
    assert as_json == case["json"]
    if "literal" in case:
        assert literal == literals_pb2.Literal.FromString(base64.b64decode(case["literal"]))

"""Dynamic tasks run locally and compile to futures (DynamicJobSpec) like flytekit 1.16.31's.

Expected values come from tests/compat/expected/sdk_map_dynamic.json, written by
tests/compat/generate/sdk_map_dynamic.py from the modules in sdk_map_dynamic_cases.py.
"""

from __future__ import annotations

import json
import pathlib
import sys
from typing import Any

import pytest
from google.protobuf import json_format

from flyte_core.config import ImageConfig, SerializationSettings
from flyte_core.context import ExecutionState, FlyteContextManager
from flyte_core.types.type_engine import TypeEngine

COMPAT = pathlib.Path(__file__).parents[2] / "compat"
sys.path.insert(0, str(COMPAT / "generate"))
from sdk_map_dynamic_cases import SETTINGS, load_package  # noqa: E402

EXPECTED = json.loads((COMPAT / "expected" / "sdk_map_dynamic.json").read_text())
FUTURES = EXPECTED["dynamic_futures"]
DYNAMIC_RUNS = [r for r in EXPECTED["local_runs"] if r["module"] == "dynamics"]


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return load_package(str(tmp_path_factory.mktemp("compat")), "flyte_core")


def _canonical(value: Any) -> Any:
    """Drop what legitimately differs: the order of upstream node ids and the SDK version."""
    if isinstance(value, dict):
        out = {k: _canonical(v) for k, v in value.items()}
        if "upstreamNodeIds" in out:
            out["upstreamNodeIds"] = sorted(out["upstreamNodeIds"])
        if "runtime" in out:
            out["runtime"] = {k: v for k, v in out["runtime"].items() if k != "version"}
        return out
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _compile_in_container(task: Any, inputs: dict[str, Any]) -> Any:
    settings = SerializationSettings(
        image_config=ImageConfig.auto(img_name=SETTINGS["image"]),
        project=SETTINGS["project"],
        domain=SETTINGS["domain"],
        version=SETTINGS["version"],
    )
    ctx = FlyteContextManager.current_context()
    state = ctx.new_execution_state().with_params(mode=ExecutionState.Mode.TASK_EXECUTION)
    with FlyteContextManager.with_context(
        ctx._replace(execution_state=state, serialization_settings=settings)
    ) as exec_ctx:
        literal_map = TypeEngine.dict_to_literal_map(exec_ctx, inputs, task.python_interface.inputs)
        return task.dispatch_execute(exec_ctx, literal_map)


@pytest.mark.parametrize("case", FUTURES, ids=[f["task"] for f in FUTURES])
def test_futures_equal_flytekit(modules: dict[str, Any], case: dict[str, Any]) -> None:
    result = _compile_in_container(getattr(modules[case["module"]], case["task"]), case["inputs"])
    expected_type = "LiteralMap" if case["kind"] == "literal_map" else "DynamicJobSpec"
    assert type(result).__name__ == expected_type
    ours = json.loads(json_format.MessageToJson(result, sort_keys=True))
    assert _canonical(ours) == _canonical(case["value"])


def test_dynamic_wf_futures_have_four_nodes_and_list_bindings(modules: dict[str, Any]) -> None:
    spec = _compile_in_container(modules["dynamics"].squares, {"n": 3})
    assert [n.id for n in spec.nodes] == ["dn0", "dn1", "dn2", "dn3"]
    assert spec.min_successes == 4
    total = spec.nodes[3]
    refs = [(b.promise.node_id, b.promise.var) for b in total.inputs[0].binding.collection.bindings]
    assert refs == [("dn0", "o0"), ("dn1", "o0"), ("dn2", "o0")]
    assert spec.outputs[0].binding.promise.node_id == "dn3"


@pytest.mark.parametrize("run", DYNAMIC_RUNS, ids=[r["expression"] for r in DYNAMIC_RUNS])
def test_local_run_gives_flytekit_result(modules: dict[str, Any], run: dict[str, Any]) -> None:
    namespace = dict(vars(modules[run["module"]]))
    assert repr(eval(run["expression"], namespace)) == run["repr"]

"""Map tasks name, type, wire and run like flytekit 1.16.31's.

Expected values come from tests/compat/expected/sdk_map_dynamic.json, written by
tests/compat/generate/sdk_map_dynamic.py from the modules in sdk_map_dynamic_cases.py.
"""

from __future__ import annotations

import json
import pathlib
import sys
from typing import Any

import pytest
from flyteidl.core import identifier_pb2, workflow_pb2
from google.protobuf import json_format

from flyte_core.config import ImageConfig, SerializationSettings
from flyte_core.sdk.map_task import ArrayNodeMapTask

COMPAT = pathlib.Path(__file__).parents[2] / "compat"
sys.path.insert(0, str(COMPAT / "generate"))
from sdk_map_dynamic_cases import LOCAL_RUNS, MAP_WORKFLOWS, SETTINGS, load_package  # noqa: E402

EXPECTED = json.loads((COMPAT / "expected" / "sdk_map_dynamic.json").read_text())
MAP_RUNS = [r for r in EXPECTED["local_runs"] if r["module"] == "maps"]


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return load_package(str(tmp_path_factory.mktemp("compat")), "flyte_core")


def _settings() -> SerializationSettings:
    return SerializationSettings(
        image_config=ImageConfig.auto(img_name=SETTINGS["image"]),
        project=SETTINGS["project"],
        domain=SETTINGS["domain"],
        version=SETTINGS["version"],
    )


def _task_id(name: str) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(
        resource_type=identifier_pb2.TASK,
        project=SETTINGS["project"],
        domain=SETTINGS["domain"],
        name=name,
        version=SETTINGS["version"],
    )


def _canonical(node: dict[str, Any]) -> dict[str, Any]:
    node = dict(node)
    if "upstreamNodeIds" in node:
        node["upstreamNodeIds"] = sorted(node["upstreamNodeIds"])
    return node


def _node_json(node: Any) -> dict[str, Any]:
    entity = node.flyte_entity
    proto = workflow_pb2.Node(
        id=node.id,
        metadata=entity.construct_node_metadata(),
        inputs=node.bindings,
        upstream_node_ids=[n.id for n in node.upstream_nodes],
        array_node=entity.to_array_node_idl(node.bindings, _task_id(entity.name)),
    )
    return json.loads(json_format.MessageToJson(proto, sort_keys=True))


@pytest.mark.parametrize(("module", "wf_name"), MAP_WORKFLOWS, ids=[w for _, w in MAP_WORKFLOWS])
def test_workflow_array_nodes_equal_flytekit(modules: dict[str, Any], module: str, wf_name: str) -> None:
    wf = getattr(modules[module], wf_name)
    ours = [_canonical(_node_json(n)) for n in wf.nodes]
    expected = [_canonical(n) for n in EXPECTED["map_workflows"][f"{module}.{wf_name}"]]
    assert ours == expected


def _map_tasks(modules: dict[str, Any]) -> dict[str, ArrayNodeMapTask]:
    found = {}
    for module, wf_name in MAP_WORKFLOWS:
        for node in getattr(modules[module], wf_name).nodes:
            found[node.flyte_entity.name] = node.flyte_entity
    return found


def test_map_task_names_equal_flytekit(modules: dict[str, Any]) -> None:
    assert sorted(_map_tasks(modules)) == sorted(EXPECTED["map_task_templates"])


@pytest.mark.parametrize("name", sorted(EXPECTED["map_task_templates"]))
def test_map_task_template_parts_equal_flytekit(modules: dict[str, Any], name: str) -> None:
    expected = EXPECTED["map_task_templates"][name]
    task = _map_tasks(modules)[name]
    assert task.task_type == expected["type"]
    assert task.task_type_version == expected["taskTypeVersion"]
    assert json.loads(json_format.MessageToJson(task.interface, sort_keys=True)) == expected["interface"]
    assert task.get_command(_settings()) == expected["container"]["args"]


@pytest.mark.parametrize("run", MAP_RUNS, ids=[r["expression"] for r in MAP_RUNS])
def test_local_run_gives_flytekit_result_or_error_type(modules: dict[str, Any], run: dict[str, Any]) -> None:
    namespace = dict(vars(modules[run["module"]]))
    if "repr" in run:
        assert repr(eval(run["expression"], namespace)) == run["repr"]
    else:
        with pytest.raises(Exception) as info:
            eval(run["expression"], namespace)
        assert type(info.value).__name__ == run["error"]


def test_every_local_run_case_is_in_the_expected_file() -> None:
    assert [(r["module"], r["expression"]) for r in EXPECTED["local_runs"]] == LOCAL_RUNS

"""The sandbox's workflow compiler: the closure shape FlyteAdmin returns, and the errors it refuses with."""

from __future__ import annotations

import pytest
from flyteidl.admin import task_pb2 as admin_task_pb2
from flyteidl.core import identifier_pb2
from google.protobuf import json_format

from flyte_core import task, workflow
from flyte_core.config.images import ImageConfig
from flyte_core.config.serialization import SerializationSettings
from flyte_core.sandbox.compiler import CompileError, compile_workflow, workflow_requirements
from flyte_core.tools.translator import get_serializable

SETTINGS = SerializationSettings(
    project="p", domain="d", version="v1", image_config=ImageConfig.auto(img_name="img:v1")
)


@task
def double(n: float) -> float:
    return n * 2


@task
def square(n: float) -> float:
    return n * n


@workflow
def chained(a: float) -> float:
    return square(n=double(n=a))


class Registry:
    """Registered task templates and launch-plan interfaces, as the control plane would look them up."""

    def __init__(self) -> None:
        self.tasks: dict[str, object] = {}
        self.launch_plans: dict[str, object] = {}

    def get_task(self, identifier: identifier_pb2.Identifier):
        return self.tasks[identifier.name]

    def get_launch_plan_interface(self, identifier: identifier_pb2.Identifier):
        return self.launch_plans[identifier.name]


def serialize(entity):
    """The entity's admin spec and a registry holding every task it serialized."""
    mapping: dict = {}
    spec = get_serializable(mapping, SETTINGS, entity)
    registry = Registry()
    for translated in mapping.values():
        if isinstance(translated, admin_task_pb2.TaskSpec):
            registry.tasks[translated.template.id.name] = translated.template
    return spec, registry


def compile_entity(entity):
    spec, registry = serialize(entity)
    return compile_workflow(spec, registry.get_task, registry.get_launch_plan_interface)


def connections(compiled) -> dict:
    as_dict = json_format.MessageToDict(compiled.connections)
    return {
        direction: {node: entry["ids"] for node, entry in as_dict.get(direction, {}).items()}
        for direction in ("upstream", "downstream")
    }


def test_nodes_are_rebuilt_with_start_and_end_nodes_first() -> None:
    closure = compile_entity(chained)
    nodes = closure.primary.template.nodes
    assert [n.id for n in nodes] == ["start-node", "end-node", "n0", "n1"]
    assert json_format.MessageToDict(nodes[0]) == {"id": "start-node"}
    assert list(nodes[1].inputs) == list(closure.primary.template.outputs)
    assert nodes[1].inputs[0].binding.promise.node_id == "n1"


def test_workflow_input_promises_point_at_the_start_node() -> None:
    closure = compile_entity(chained)
    assert closure.primary.template.nodes[2].inputs[0].binding.promise.node_id == "start-node"


def test_connections_follow_the_promises() -> None:
    closure = compile_entity(chained)
    assert connections(closure.primary) == {
        "upstream": {"n0": ["start-node"], "n1": ["n0"], "end-node": ["n1"]},
        "downstream": {"start-node": ["n0"], "n0": ["n1"], "n1": ["end-node"]},
    }


def test_requirements_list_each_task_once_in_first_seen_order() -> None:
    spec, _ = serialize(chained)
    tasks, launch_plans = workflow_requirements(spec)
    assert [t.name for t in tasks] == [double.name, square.name]
    assert launch_plans == []


def test_closure_carries_the_referenced_tasks() -> None:
    closure = compile_entity(chained)
    assert [t.template.id.name for t in closure.tasks] == sorted([double.name, square.name])
    assert not closure.launch_plans


def test_unknown_task_names_the_node_and_says_to_register_it() -> None:
    spec, registry = serialize(chained)
    del registry.tasks[square.name]
    with pytest.raises(CompileError, match=rf"node 'n1': task '{square.name}' .* is not registered; register it"):
        compile_workflow(spec, registry.get_task, registry.get_launch_plan_interface)

"""The sandbox's workflow compiler: the closure FlyteAdmin returns from GetWorkflow, and what it refuses.

The ``*_as_propeller_golden`` tests rebuild flytesnacks workflows whose compiled closures are golden files of
flytepropeller's compiler tests (``flytepropeller/pkg/compiler/test/testdata/snacks-core/compiled``) and check
the node ids, renames, bindings and connections those files record.
"""

from __future__ import annotations

import dataclasses
import datetime
import typing

import pytest
from flyteidl.admin import task_pb2 as admin_task_pb2
from flyteidl.admin import workflow_pb2 as admin_workflow_pb2
from flyteidl.core import (
    dynamic_job_pb2,
    identifier_pb2,
    interface_pb2,
    literals_pb2,
    tasks_pb2,
    types_pb2,
    workflow_pb2,
)
from google.protobuf import json_format

from flyte_core import LaunchPlan, conditional, create_node, dynamic, map_task, task, workflow
from flyte_core.config.images import ImageConfig
from flyte_core.config.serialization import SerializationSettings
from flyte_core.context import ExecutionState, FlyteContextManager
from flyte_core.sandbox.compiler import (
    CompileError,
    closure_digest,
    compile_dynamic,
    compile_workflow,
    single_task_workflow,
    workflow_requirements,
)
from flyte_core.sdk.gate import approve, sleep, wait_for_input
from flyte_core.tools.translator import get_serializable
from flyte_core.types.type_engine import TypeEngine

SETTINGS = SerializationSettings(
    project="p", domain="d", version="v1", image_config=ImageConfig.auto(img_name="img:v1")
)
HOUR = datetime.timedelta(hours=1)

# ------------------------------------------------------------------------------------------------------------------
# Workflows (the first three are flytesnacks examples with golden compiled closures in flytepropeller)
# ------------------------------------------------------------------------------------------------------------------


@task
def double(n: float) -> float:
    return n * 2


@task
def square(n: float) -> float:
    return n * n


@task
def coin_toss(seed: int) -> bool:
    return seed % 2 == 0


@task
def calc_sum(a: float, b: float) -> float:
    return a + b


@task
def write() -> None: ...


@task
def read() -> int:
    return 1


@task
def on_error(a: float) -> None: ...


@workflow
def nested_conditions(my_input: float) -> float:
    return (
        conditional("fractions")
        .if_((my_input > 0.1) & (my_input < 1.0))
        .then(
            conditional("inner_fractions")
            .if_(my_input < 0.5)
            .then(double(n=my_input))
            .elif_((my_input > 0.5) & (my_input < 0.7))
            .then(square(n=my_input))
            .else_()
            .fail("Only <0.7 allowed")
        )
        .elif_((my_input > 1.0) & (my_input < 10.0))
        .then(square(n=my_input))
        .else_()
        .then(double(n=my_input))
    )


@workflow
def consume_outputs(my_input: float, seed: int = 5) -> float:
    is_heads = coin_toss(seed=seed)
    res = (
        conditional("double_or_square")
        .if_(is_heads.is_true())
        .then(square(n=my_input))
        .else_()
        .then(calc_sum(a=my_input, b=my_input))
    )
    return double(n=res)


@workflow
def chain_tasks_wf() -> int:
    write_node = create_node(write)
    read_node = create_node(read)
    write_node >> read_node
    return read_node.o0


@workflow
def chained(a: float) -> float:
    return square(n=double(n=a))


@workflow
def doubled(a: float) -> float:
    return double(n=a)


doubled_lp = LaunchPlan.get_or_create(doubled, name="doubled_lp")


@workflow
def calls_sub_workflow_and_launch_plan(a: float) -> float:
    return square(n=doubled_lp(a=doubled(a=a)))


@workflow(on_failure=on_error)
def with_failure_node(a: float) -> float:
    return double(n=a)


@workflow
def with_gates(a: float) -> float:
    approved = approve(double(n=a), "approve-double", timeout=HOUR)
    given = wait_for_input("given", timeout=HOUR, expected_type=float)
    nap = sleep(datetime.timedelta(seconds=1))
    result = calc_sum(a=approved, b=given)
    nap >> result
    return result


@workflow
def mapped(xs: list[float]) -> list[float]:
    return map_task(double)(n=xs)


@dynamic
def fan_out(n: int) -> list[float]:
    return [double(n=float(i)) for i in range(n)]


@dynamic
def calls_sub_workflows(n: int) -> float:
    return doubled(a=doubled(a=float(n)))


# ------------------------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------------------------


class Registry:
    """Registered task templates and launch-plan interfaces, looked up as the control plane does."""

    def __init__(self) -> None:
        self.tasks: dict[str, tasks_pb2.TaskTemplate] = {}
        self.launch_plans: dict[str, interface_pb2.TypedInterface] = {}

    def get_task(self, identifier: identifier_pb2.Identifier) -> tasks_pb2.TaskTemplate:
        return self.tasks[identifier.name]

    def get_launch_plan_interface(self, identifier: identifier_pb2.Identifier) -> interface_pb2.TypedInterface:
        return self.launch_plans[identifier.name]

    def compile(self, spec: admin_workflow_pb2.WorkflowSpec):
        return compile_workflow(spec, self.get_task, self.get_launch_plan_interface)


def serialize(entity: typing.Any) -> tuple[admin_workflow_pb2.WorkflowSpec, Registry]:
    """The entity's admin spec and a registry of every task and launch plan it serialized."""
    mapping: dict = {}
    spec = get_serializable(mapping, SETTINGS, entity)
    registry = Registry()
    for translated in mapping.values():
        if isinstance(translated, admin_task_pb2.TaskSpec):
            registry.tasks[translated.template.id.name] = translated.template
    registry.launch_plans["doubled_lp"] = get_serializable({}, SETTINGS, doubled).template.interface
    return spec, registry


def compile_entity(entity: typing.Any):
    spec, registry = serialize(entity)
    return registry.compile(spec)


def connections(compiled) -> dict[str, dict[str, list[str]]]:
    as_dict = json_format.MessageToDict(compiled.connections)
    return {
        direction: {node: entry["ids"] for node, entry in as_dict.get(direction, {}).items()}
        for direction in ("upstream", "downstream")
    }


def promise_node_ids(message) -> list[str]:
    """Every promise's node id anywhere in a message, in document order."""
    found: list[str] = []

    def walk(value: typing.Any) -> None:
        if isinstance(value, dict):
            if "promise" in value:
                found.append(value["promise"].get("nodeId", ""))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json_format.MessageToDict(message))
    return found


def run_dynamic(entity: typing.Any, **inputs: typing.Any) -> dynamic_job_pb2.DynamicJobSpec:
    """The futures a dynamic task writes in a container."""
    ctx = FlyteContextManager.current_context()
    state = ctx.new_execution_state().with_params(mode=ExecutionState.Mode.TASK_EXECUTION)
    with FlyteContextManager.with_context(ctx._replace(execution_state=state, serialization_settings=SETTINGS)) as c:
        literal_map = TypeEngine.dict_to_literal_map(c, inputs, entity.python_interface.inputs)
        return entity.dispatch_execute(c, literal_map)


# Hand-built workflows, for shapes and mistakes the SDK does not produce.

FLOAT = types_pb2.LiteralType(simple=types_pb2.SimpleType.FLOAT)
INTEGER = types_pb2.LiteralType(simple=types_pb2.SimpleType.INTEGER)
STRING = types_pb2.LiteralType(simple=types_pb2.SimpleType.STRING)
NONE = types_pb2.LiteralType(simple=types_pb2.SimpleType.NONE)


def variables(**types: types_pb2.LiteralType) -> interface_pb2.VariableMap:
    return interface_pb2.VariableMap(variables={name: interface_pb2.Variable(type=t) for name, t in types.items()})


def task_template(name: str, inputs: dict, outputs: dict) -> tasks_pb2.TaskTemplate:
    return tasks_pb2.TaskTemplate(
        id=identifier_pb2.Identifier(
            resource_type=identifier_pb2.ResourceType.TASK, project="p", domain="d", name=name
        ),
        type="python-task",
        interface=interface_pb2.TypedInterface(inputs=variables(**inputs), outputs=variables(**outputs)),
    )


def promise(node_id: str, var: str) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(promise=types_pb2.OutputReference(node_id=node_id, var=var))


def task_node(node_id: str, template: tasks_pb2.TaskTemplate, **bindings: literals_pb2.BindingData):
    return workflow_pb2.Node(
        id=node_id,
        inputs=[literals_pb2.Binding(var=var, binding=data) for var, data in bindings.items()],
        task_node=workflow_pb2.TaskNode(reference_id=template.id),
    )


def hand_built(
    nodes: list[workflow_pb2.Node], inputs: dict, outputs: dict | None = None, **output_bindings
) -> admin_workflow_pb2.WorkflowSpec:
    template = workflow_pb2.WorkflowTemplate(
        id=identifier_pb2.Identifier(resource_type=identifier_pb2.ResourceType.WORKFLOW, name="wf"),
        interface=interface_pb2.TypedInterface(inputs=variables(**inputs), outputs=variables(**(outputs or {}))),
        nodes=nodes,
        outputs=[literals_pb2.Binding(var=var, binding=data) for var, data in output_bindings.items()],
    )
    return admin_workflow_pb2.WorkflowSpec(template=template)


def registry_of(*templates: tasks_pb2.TaskTemplate) -> Registry:
    registry = Registry()
    for template in templates:
        registry.tasks[template.id.name] = template
    return registry


# ------------------------------------------------------------------------------------------------------------------
# The compiled shape
# ------------------------------------------------------------------------------------------------------------------


def test_nested_conditions_as_propeller_golden() -> None:
    closure = compile_entity(nested_conditions)
    template = closure.primary.template
    assert [n.id for n in template.nodes] == ["start-node", "end-node", "n0"]
    outer = template.nodes[2].branch_node.if_else
    inner = outer.case.then_node.branch_node.if_else
    assert outer.case.then_node.id == "n0-n0"
    assert [inner.case.then_node.id, inner.other[0].then_node.id] == ["n0-n0-n0", "n0-n0-n1"]
    assert [outer.other[0].then_node.id, outer.else_node.id] == ["n0-n1", "n0-n2"]
    assert set(promise_node_ids(template.nodes[2])) == {"start-node"}
    assert connections(closure.primary) == {
        "upstream": {
            "end-node": ["n0"],
            "n0": ["start-node"],
            "n0-n0": ["start-node"],
            "n0-n0-n0": ["start-node"],
            "n0-n0-n1": ["start-node"],
            "n0-n1": ["start-node"],
            "n0-n2": ["start-node"],
        },
        "downstream": {"n0": ["end-node"], "start-node": ["n0"]},
    }
    assert [t.template.id.name for t in closure.tasks] == [double.name, square.name]


def test_branch_consumed_downstream_as_propeller_golden() -> None:
    closure = compile_entity(consume_outputs)
    template = closure.primary.template
    assert [n.id for n in template.nodes] == ["start-node", "end-node", "n0", "n1", "n2"]
    branch = template.nodes[3]
    assert list(branch.upstream_node_ids) == ["n0"]
    assert [branch.branch_node.if_else.case.then_node.id, branch.branch_node.if_else.else_node.id] == ["n1-n0", "n1-n1"]
    assert promise_node_ids(template.nodes[1]) == ["n2"]
    assert connections(closure.primary) == {
        "upstream": {
            "end-node": ["n2"],
            "n0": ["start-node"],
            "n1": ["n0"],
            "n1-n0": ["start-node"],
            "n1-n1": ["start-node"],
            "n2": ["n1"],
        },
        "downstream": {"n0": ["n1"], "n1": ["n2"], "n2": ["end-node"], "start-node": ["n0"]},
    }
    assert [t.template.id.name for t in closure.tasks] == sorted(
        [calc_sum.name, coin_toss.name, double.name, square.name]
    )


def test_explicit_dependencies_as_propeller_golden() -> None:
    closure = compile_entity(chain_tasks_wf)
    assert [n.id for n in closure.primary.template.nodes] == ["start-node", "end-node", "n0", "n1"]
    assert connections(closure.primary) == {
        "upstream": {"end-node": ["n1"], "n0": ["start-node"], "n1": ["n0"]},
        "downstream": {"n0": ["n1"], "n1": ["end-node"], "start-node": ["n0"]},
    }
    # propeller fills absent interface maps of the tasks it compiled with empty ones
    write_template = next(t.template for t in closure.tasks if t.template.id.name == write.name)
    assert write_template.interface.HasField("outputs")


def test_start_node_is_bare_and_end_node_binds_the_workflow_outputs() -> None:
    closure = compile_entity(chained)
    template = closure.primary.template
    assert json_format.MessageToDict(template.nodes[0]) == {"id": "start-node"}
    end = template.nodes[1]
    assert end.id == "end-node" and list(end.inputs) == list(template.outputs)
    assert not end.HasField("metadata")
    assert template.interface.HasField("inputs") and template.interface.HasField("outputs")


def test_workflow_input_promises_point_at_the_start_node_and_node_outputs_keep_their_node() -> None:
    closure = compile_entity(chained)
    assert promise_node_ids(closure.primary.template) == ["n1", "start-node", "n0", "n1"]


def test_upstream_node_ids_are_sorted() -> None:
    t = task_template("t", {}, {})
    later = task_node("n2", t)
    later.upstream_node_ids.extend(["n1", "n0"])
    spec = hand_built([task_node("n0", t), task_node("n1", t), later], {})
    closure = registry_of(t).compile(spec)
    assert list(closure.primary.template.nodes[4].upstream_node_ids) == ["n0", "n1"]
    assert connections(closure.primary)["upstream"]["n2"] == ["n0", "n1"]


def test_nodes_reading_nothing_start_with_the_workflow_and_leaves_feed_the_end() -> None:
    t = task_template("t", {}, {"o": INTEGER})
    spec = hand_built([task_node("a", t), task_node("b", t)], {}, {"o": INTEGER}, o=promise("a", "o"))
    closure = registry_of(t).compile(spec)
    assert connections(closure.primary) == {
        "upstream": {"a": ["start-node"], "b": ["start-node"], "end-node": ["a", "b"]},
        "downstream": {"start-node": ["a", "b"], "a": ["end-node"], "b": ["end-node"]},
    }


def test_sub_workflows_are_compiled_with_their_own_connections() -> None:
    spec, registry = serialize(calls_sub_workflow_and_launch_plan)
    closure = registry.compile(spec)
    [sub] = closure.sub_workflows
    assert sub.template.id.name == doubled.name
    assert [n.id for n in sub.template.nodes] == ["start-node", "end-node", "n0"]
    assert promise_node_ids(sub.template.nodes[2]) == ["start-node"]
    assert connections(sub)["downstream"] == {"start-node": ["n0"], "n0": ["end-node"]}
    assert connections(closure.primary)["upstream"] == {
        "n0": ["start-node"],
        "n1": ["n0"],
        "n2": ["n1"],
        "end-node": ["n2"],
    }
    assert [t.template.id.name for t in closure.tasks] == sorted([double.name, square.name])


def test_a_sub_workflow_no_node_calls_is_kept_uncompiled() -> None:
    spec, registry = serialize(calls_sub_workflow_and_launch_plan)
    unused = spec.sub_workflows.add()
    unused.CopyFrom(spec.sub_workflows[0])
    unused.id.name = "unused"
    closure = registry.compile(spec)
    assert [n.id for n in closure.sub_workflows[1].template.nodes] == ["n0"]
    assert not closure.sub_workflows[1].HasField("connections")


def test_requirements_list_tasks_and_launch_plans_once_in_first_seen_order() -> None:
    spec, _ = serialize(calls_sub_workflow_and_launch_plan)
    tasks, launch_plans = workflow_requirements(spec)
    assert [t.name for t in tasks] == [double.name, square.name]
    assert [lp.name for lp in launch_plans] == ["doubled_lp"]


def test_requirements_include_branch_children_failure_nodes_and_array_sub_nodes() -> None:
    assert [t.name for t in workflow_requirements(serialize(nested_conditions)[0])[0]] == [double.name, square.name]
    assert [t.name for t in workflow_requirements(serialize(with_failure_node)[0])[0]] == [double.name, on_error.name]
    [mapped_task], _ = workflow_requirements(serialize(mapped)[0])
    assert mapped_task.name.endswith("-arraynode")


def test_launch_plan_nodes_take_the_registered_interface_and_closures_list_no_launch_plans() -> None:
    spec, registry = serialize(calls_sub_workflow_and_launch_plan)
    closure = registry.compile(spec)
    assert not closure.launch_plans
    assert closure.primary.template.nodes[3].workflow_node.launchplan_ref.name == "doubled_lp"


def test_failure_node_stays_apart_with_its_promises_resolved() -> None:
    closure = compile_entity(with_failure_node)
    template = closure.primary.template
    assert [n.id for n in template.nodes] == ["start-node", "end-node", "n0"]
    assert template.failure_node.id == "fn0"
    assert promise_node_ids(template.failure_node) == ["start-node"]
    assert connections(closure.primary)["upstream"]["fn0"] == ["start-node"]
    assert "fn0" not in connections(closure.primary)["downstream"].get("start-node", [])
    assert on_error.name in [t.template.id.name for t in closure.tasks]


def test_gate_nodes_compile_and_feed_their_outputs_downstream() -> None:
    closure = compile_entity(with_gates)
    assert connections(closure.primary) == {
        "upstream": {
            "n0": ["start-node"],
            "n1": ["n0"],
            "n2": ["start-node"],
            "n3": ["start-node"],
            "n4": ["n1", "n2", "n3"],
            "end-node": ["n4"],
        },
        "downstream": {
            "start-node": ["n0", "n2", "n3"],
            "n0": ["n1"],
            "n1": ["n4"],
            "n2": ["n4"],
            "n3": ["n4"],
            "n4": ["end-node"],
        },
    }


def test_map_task_array_nodes_bind_lists_and_keep_their_sub_node() -> None:
    closure = compile_entity(mapped)
    array = closure.primary.template.nodes[2]
    assert promise_node_ids(array) == ["start-node", ""]  # propeller does not rewrite the sub-node's bindings
    assert connections(closure.primary)["upstream"] == {"n0": ["start-node"], "end-node": ["n0"]}


def test_array_node_over_a_launch_plan_maps_lists_onto_its_scalar_inputs() -> None:
    lp_interface = interface_pb2.TypedInterface(inputs=variables(a=FLOAT), outputs=variables(o0=FLOAT))
    sub_node = workflow_pb2.Node(
        id="sub",
        inputs=[literals_pb2.Binding(var="a", binding=promise("", "xs"))],
        workflow_node=workflow_pb2.WorkflowNode(
            launchplan_ref=identifier_pb2.Identifier(resource_type=identifier_pb2.ResourceType.LAUNCH_PLAN, name="lp")
        ),
    )
    node = workflow_pb2.Node(id="n0", inputs=sub_node.inputs, array_node=workflow_pb2.ArrayNode(node=sub_node))
    node.array_node.is_original_sub_node_interface.value = True
    list_of_floats = types_pb2.LiteralType(collection_type=FLOAT)
    spec = hand_built([node], {"xs": list_of_floats}, {"o": list_of_floats}, o=promise("n0", "o0"))
    registry = Registry()
    registry.launch_plans["lp"] = lp_interface
    closure = registry.compile(spec)
    assert connections(closure.primary)["upstream"] == {"n0": ["start-node"], "end-node": ["n0"]}


def test_compiling_leaves_the_spec_untouched() -> None:
    spec, registry = serialize(consume_outputs)
    before = spec.SerializeToString(deterministic=True)
    registry.compile(spec)
    assert spec.SerializeToString(deterministic=True) == before


def test_digest_tells_identical_from_different_closures() -> None:
    first, second = compile_entity(chained), compile_entity(chained)
    assert closure_digest(first) == closure_digest(second)
    assert len(closure_digest(first)) == 32
    assert closure_digest(first) != closure_digest(compile_entity(consume_outputs))


# ------------------------------------------------------------------------------------------------------------------
# Dynamic workflows
# ------------------------------------------------------------------------------------------------------------------


def test_dynamic_futures_compile_under_the_parent_node_name_with_the_task_outputs() -> None:
    futures = run_dynamic(fan_out, n=2)
    interface = get_serializable({}, SETTINGS, fan_out).template.interface
    closure = compile_dynamic("n3", interface, futures, Registry().get_launch_plan_interface, project="p", domain="d")
    template = closure.primary.template
    assert (template.id.name, template.id.project, template.id.domain) == ("dynamic_n3", "p", "d")
    assert template.id.resource_type == identifier_pb2.ResourceType.WORKFLOW and len(template.id.version) == 10
    assert template.interface.outputs == interface.outputs
    assert template.interface.HasField("inputs") and not template.interface.inputs.variables
    assert [n.id for n in template.nodes] == ["start-node", "end-node", "dn0", "dn1"]
    assert [t.template.id.name for t in closure.tasks] == [double.name]
    assert connections(closure.primary)["upstream"]["end-node"] == ["dn0", "dn1"]


def test_dynamic_compilation_is_repeatable() -> None:
    futures = run_dynamic(fan_out, n=2)
    interface = get_serializable({}, SETTINGS, fan_out).template.interface
    lookup = Registry().get_launch_plan_interface
    assert closure_digest(compile_dynamic("n0", interface, futures, lookup)) == closure_digest(
        compile_dynamic("n0", interface, futures, lookup)
    )


def test_dynamic_sub_workflows_come_from_the_futures_and_are_compiled() -> None:
    futures = run_dynamic(calls_sub_workflows, n=1)
    interface = get_serializable({}, SETTINGS, calls_sub_workflows).template.interface
    closure = compile_dynamic("n0", interface, futures, Registry().get_launch_plan_interface)
    [sub] = closure.sub_workflows
    assert sub.template.id.name == doubled.name
    assert [n.id for n in sub.template.nodes] == ["start-node", "end-node", "n0"]
    assert connections(closure.primary)["upstream"]["dn1"] == ["dn0"]


def test_dynamic_task_missing_from_the_futures_is_named() -> None:
    futures = run_dynamic(fan_out, n=1)
    del futures.tasks[:]
    interface = get_serializable({}, SETTINGS, fan_out).template.interface
    with pytest.raises(CompileError, match=r"workflow 'dynamic_n0', node 'dn0': task .* \(DynamicJobSpec\.tasks\)"):
        compile_dynamic("n0", interface, futures, Registry().get_launch_plan_interface)


# ------------------------------------------------------------------------------------------------------------------
# Single-task executions
# ------------------------------------------------------------------------------------------------------------------


def test_single_task_workflow_wraps_the_task_as_flyteadmin_does() -> None:
    template = get_serializable({}, SETTINGS, calc_sum).template
    template.id.name = "maths.calc_sum"
    spec = single_task_workflow(template)
    wf = spec.template
    node_id = "mathscalcsum"
    assert (wf.id.name, wf.id.project, wf.id.domain, wf.id.version) == (".flytegen.maths.calc_sum", "p", "d", "v1")
    assert wf.id.resource_type == identifier_pb2.ResourceType.WORKFLOW
    assert wf.interface == template.interface
    [node] = wf.nodes
    assert (node.id, node.metadata.name) == (node_id, node_id)
    assert node.task_node.reference_id == template.id
    assert [(b.var, b.binding.promise.node_id, b.binding.promise.var) for b in node.inputs] == [
        ("a", "", "a"),
        ("b", "", "b"),
    ]
    assert [(b.var, b.binding.promise.node_id) for b in wf.outputs] == [("o0", node_id)]
    closure = registry_of(template).compile(spec)
    assert connections(closure.primary)["upstream"] == {node_id: ["start-node"], "end-node": [node_id]}


def test_single_task_retries_default_to_three_unless_the_task_sets_them() -> None:
    template = task_template("t", {}, {})
    assert single_task_workflow(template).template.nodes[0].metadata.retries.retries == 3
    template.metadata.retries.retries = 0
    assert single_task_workflow(template).template.nodes[0].metadata.retries.retries == 0


def test_single_task_node_id_keeps_unicode_letters_and_hashes_long_names() -> None:
    assert single_task_workflow(task_template("ab-c_d.é1", {}, {})).template.nodes[0].id == "ab-cdé1"
    long_id = single_task_workflow(task_template("x" * 31, {}, {})).template.nodes[0].id
    assert len(long_id) == 8 and long_id.startswith("f") and set(long_id) <= set("abcdefghijklmnopqrstuvwxyz123456")
    assert single_task_workflow(task_template("x" * 30, {}, {})).template.nodes[0].id == "x" * 30


def test_long_ids_hash_as_flytestdlib_does() -> None:
    from flyte_core.sandbox.compiler import fixed_length_unique_id

    # FNV-1a 32 of "foobar" is 0xbf9cf968 (the published test vector); base32 in flytestdlib's alphabet
    assert fixed_length_unique_id("foobar", 3) == "fx5ops1a"


# ------------------------------------------------------------------------------------------------------------------
# What does not compile
# ------------------------------------------------------------------------------------------------------------------


def test_unknown_task_names_the_node_and_says_to_register_it() -> None:
    spec, registry = serialize(chained)
    del registry.tasks[square.name]
    with pytest.raises(CompileError, match=rf"node 'n1': task '{square.name}' .* is not registered; register it"):
        registry.compile(spec)


def test_unknown_launch_plan_names_the_node_and_says_to_register_it() -> None:
    spec, registry = serialize(calls_sub_workflow_and_launch_plan)
    del registry.launch_plans["doubled_lp"]
    with pytest.raises(CompileError, match=r"node 'n1': launch plan 'doubled_lp' .* is not registered; register it"):
        registry.compile(spec)


def test_missing_sub_workflow_template_is_named() -> None:
    spec, registry = serialize(calls_sub_workflow_and_launch_plan)
    del spec.sub_workflows[:]
    with pytest.raises(CompileError, match=rf"node 'n0': calls sub-workflow workflow '{doubled.name}'.*include"):
        registry.compile(spec)


def test_promise_to_a_node_that_does_not_exist() -> None:
    spec, registry = serialize(chained)
    spec.template.nodes[1].inputs[0].binding.promise.node_id = "n7"
    with pytest.raises(CompileError, match=r"node 'n1': input 'n' reads output 'o0' of node 'n7', which is not in"):
        registry.compile(spec)


def test_promise_to_an_output_the_node_does_not_have() -> None:
    spec, registry = serialize(chained)
    spec.template.nodes[1].inputs[0].binding.promise.var = "o9"
    with pytest.raises(
        CompileError, match=r"node 'n1': input 'n' reads 'o9', which is not an output of node 'n0' \(there are: o0\)"
    ):
        registry.compile(spec)


def test_promise_to_a_workflow_input_that_does_not_exist() -> None:
    spec, registry = serialize(chained)
    spec.template.nodes[0].inputs[0].binding.promise.var = "b"
    with pytest.raises(
        CompileError, match=r"node 'n0': input 'n' reads 'b', which is not a workflow input \(there are: a\)"
    ):
        registry.compile(spec)


def test_missing_required_input_is_named() -> None:
    spec, registry = serialize(consume_outputs)
    del spec.template.nodes[2].inputs[:]
    with pytest.raises(
        CompileError, match=r"workflow '.*consume_outputs', node 'n2': input 'n' \(float\) is not bound"
    ):
        registry.compile(spec)


def test_unbound_optional_input_is_fine() -> None:
    optional = types_pb2.LiteralType(union_type=types_pb2.UnionType(variants=[INTEGER, NONE]))
    t = task_template("t", {"x": optional}, {})
    registry_of(t).compile(hand_built([task_node("n0", t)], {}))


def test_binding_an_input_the_task_does_not_have_lists_its_inputs() -> None:
    spec, registry = serialize(chained)
    extra = spec.template.nodes[0].inputs.add()
    extra.CopyFrom(spec.template.nodes[0].inputs[0])
    extra.var = "m"
    with pytest.raises(CompileError, match=r"node 'n0': binds input 'm', which it does not have \(its inputs: n\)"):
        registry.compile(spec)


def test_missing_workflow_output_binding_is_named() -> None:
    spec, registry = serialize(chained)
    del spec.template.outputs[:]
    with pytest.raises(CompileError, match=r"node 'end-node': input 'o0' \(float\) is not bound"):
        registry.compile(spec)


def test_type_mismatch_names_both_ends() -> None:
    spec, registry = serialize(chained)
    registry.tasks[square.name].interface.inputs.variables["n"].type.CopyFrom(STRING)
    with pytest.raises(
        CompileError, match=r"node 'n1': input 'n' is string but is bound to output of node 'n0' 'o0' of type float"
    ):
        registry.compile(spec)


def test_cycle_is_reported_with_its_path() -> None:
    t = task_template("t", {"x": INTEGER, "y": INTEGER}, {"o": INTEGER})
    a = task_node("a", t, x=promise("", "i"), y=promise("b", "o"))
    b = task_node("b", t, x=promise("a", "o"), y=promise("", "i"))
    spec = hand_built([a, b], {"i": INTEGER})
    with pytest.raises(CompileError, match=r"workflow 'wf' has a cycle: start-node -> a -> b -> a;"):
        registry_of(t).compile(spec)


def test_nodes_only_reachable_from_each_other_can_never_run() -> None:
    t = task_template("t", {"x": INTEGER}, {"o": INTEGER})
    spec = hand_built([task_node("a", t, x=promise("b", "o")), task_node("b", t, x=promise("a", "o"))], {})
    with pytest.raises(CompileError, match=r"workflow 'wf' has nodes that can never run: a, b"):
        registry_of(t).compile(spec)


def test_upstream_node_that_does_not_exist_is_named() -> None:
    t = task_template("t", {}, {})
    node = task_node("a", t)
    node.upstream_node_ids.append("ghost")
    with pytest.raises(CompileError, match=r"node 'a': lists upstream node 'ghost', which is not in the workflow"):
        registry_of(t).compile(hand_built([node], {}))


@pytest.mark.parametrize("reserved", ["start-node", "end-node"])
def test_reserved_node_ids_are_refused(reserved: str) -> None:
    t = task_template("t", {}, {})
    with pytest.raises(CompileError, match=rf"node '{reserved}': uses a reserved node id; rename the node"):
        registry_of(t).compile(hand_built([task_node(reserved, t)], {}))


def test_duplicate_node_ids_are_refused() -> None:
    t = task_template("t", {}, {})
    with pytest.raises(CompileError, match=r"node 'a': is defined more than once"):
        registry_of(t).compile(hand_built([task_node("a", t), task_node("a", t)], {}))


def test_workflow_without_nodes_is_refused() -> None:
    with pytest.raises(CompileError, match=r"workflow 'wf' has no nodes"):
        Registry().compile(hand_built([], {}))


def test_branch_without_else_or_error_is_refused() -> None:
    spec, registry = serialize(nested_conditions)
    spec.template.nodes[0].branch_node.if_else.ClearField("else_node")
    with pytest.raises(CompileError, match=r"node 'n0': is a branch with neither an else node nor an error"):
        registry.compile(spec)


def test_condition_comparing_different_types_is_refused() -> None:
    spec, registry = serialize(nested_conditions)
    right = spec.template.nodes[0].branch_node.if_else.other[0].condition.conjunction.left_expression
    right.comparison.right_value.primitive.integer = 1
    with pytest.raises(CompileError, match=r"node 'n0': compares float with integer"):
        registry.compile(spec)


def test_branch_children_must_bind_their_inputs() -> None:
    spec, registry = serialize(consume_outputs)
    del spec.template.nodes[1].branch_node.if_else.else_node.inputs[1:]
    with pytest.raises(CompileError, match=r"node 'n1-n1': input 'b' \(float\) is not bound"):
        registry.compile(spec)


def test_every_problem_is_reported_at_once() -> None:
    spec, registry = serialize(chained)
    spec.template.nodes[0].inputs[0].binding.promise.var = "b"
    spec.template.nodes[1].inputs[0].binding.promise.var = "o9"
    with pytest.raises(CompileError) as raised:
        registry.compile(spec)
    assert len(str(raised.value).splitlines()) == 2


# ------------------------------------------------------------------------------------------------------------------
# Which bindings are type-compatible (propeller's AreTypesCastable)
# ------------------------------------------------------------------------------------------------------------------


def blob(fmt: str, multipart: bool = False) -> types_pb2.LiteralType:
    dimensionality = types_pb2.BlobType.MULTIPART if multipart else types_pb2.BlobType.SINGLE
    return types_pb2.LiteralType(blob=types_pb2.BlobType(format=fmt, dimensionality=dimensionality))


def dataset(fmt: str = "", **columns: types_pb2.LiteralType) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(
        structured_dataset_type=types_pb2.StructuredDatasetType(
            format=fmt,
            columns=[types_pb2.StructuredDatasetType.DatasetColumn(name=n, literal_type=t) for n, t in columns.items()],
        )
    )


def union(*variants: types_pb2.LiteralType) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(union_type=types_pb2.UnionType(variants=variants))


def enum(*values: str) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(enum_type=types_pb2.EnumType(values=values))


def list_of(t: types_pb2.LiteralType) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(collection_type=t)


def dict_of(t: types_pb2.LiteralType) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(map_value_type=t)


CASTS = [
    (INTEGER, INTEGER, True),
    (INTEGER, FLOAT, False),
    (FLOAT, STRING, False),
    (list_of(INTEGER), list_of(INTEGER), True),
    (list_of(INTEGER), list_of(FLOAT), False),
    (list_of(NONE), list_of(FLOAT), True),
    (INTEGER, list_of(INTEGER), False),
    (dict_of(INTEGER), dict_of(INTEGER), True),
    (dict_of(STRING), dict_of(INTEGER), False),
    (INTEGER, union(INTEGER, NONE), True),
    (NONE, union(INTEGER, NONE), True),
    (union(INTEGER, NONE), INTEGER, False),
    (union(INTEGER), INTEGER, True),
    (union(INTEGER, NONE), union(INTEGER, STRING, NONE), True),
    (union(INTEGER, FLOAT), union(INTEGER, STRING), False),
    (FLOAT, union(INTEGER, STRING), False),
    (blob("csv"), blob("csv"), True),
    (blob("csv"), blob(""), True),
    (blob("csv"), blob("parquet"), False),
    (blob("", multipart=True), blob(""), True),
    (dataset("parquet", a=INTEGER, b=STRING), dataset("", a=INTEGER), True),
    (dataset("parquet"), dataset("csv"), False),
    (dataset("", a=INTEGER), dataset("", a=STRING), False),
    (NONE, dataset(), True),
    (enum("red", "blue"), STRING, True),
    (STRING, enum("red", "blue"), True),
    (enum("red"), enum("red"), True),
    (enum("red"), enum("blue"), False),
    (NONE, NONE, True),
    (INTEGER, NONE, False),
]


@pytest.mark.parametrize(("source", "target", "castable"), CASTS)
def test_promise_binding_type_compatibility(
    source: types_pb2.LiteralType, target: types_pb2.LiteralType, castable: bool
) -> None:
    t = task_template("t", {"x": target}, {})
    spec = hand_built([task_node("n0", t, x=promise("", "i"))], {"i": source})
    if castable:
        registry_of(t).compile(spec)
    else:
        with pytest.raises(CompileError, match=r"node 'n0': input 'x' is .* but is bound to workflow input 'i'"):
            registry_of(t).compile(spec)


def test_constants_are_checked_against_the_input_type() -> None:
    t = task_template("t", {"x": INTEGER}, {})
    constant = literals_pb2.BindingData(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value="a")))
    with pytest.raises(CompileError, match=r"node 'n0': input 'x' is integer but is bound to a string value"):
        registry_of(t).compile(hand_built([task_node("n0", t, x=constant)], {}))


def test_enum_constants_must_be_one_of_the_values() -> None:
    t = task_template("t", {"x": enum("red", "blue")}, {})
    green = literals_pb2.BindingData(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value="green")))
    with pytest.raises(CompileError, match=r"input 'x' is an enum of \['red', 'blue'\] but is bound to 'green'"):
        registry_of(t).compile(hand_built([task_node("n0", t, x=green)], {}))


def test_list_bindings_need_a_list_input_and_check_each_item() -> None:
    t = task_template("t", {"x": list_of(INTEGER)}, {})
    items = literals_pb2.BindingData(
        collection=literals_pb2.BindingDataCollection(bindings=[promise("", "i"), promise("", "s")])
    )
    spec = hand_built([task_node("n0", t, x=items)], {"i": INTEGER, "s": STRING})
    with pytest.raises(CompileError, match=r"input 'x' is integer but is bound to workflow input 's' of type string"):
        registry_of(t).compile(spec)
    scalar_input = task_template("t", {"x": INTEGER}, {})
    with pytest.raises(CompileError, match=r"input 'x' is integer but is bound to a list of values"):
        registry_of(scalar_input).compile(spec)


def test_a_list_bound_to_an_optional_list_picks_the_list_variant() -> None:
    t = task_template("t", {"x": union(list_of(INTEGER), NONE)}, {})
    items = literals_pb2.BindingData(collection=literals_pb2.BindingDataCollection(bindings=[promise("", "i")]))
    closure = registry_of(t).compile(hand_built([task_node("n0", t, x=items)], {"i": INTEGER}))
    assert connections(closure.primary)["upstream"]["n0"] == ["start-node"]


# ------------------------------------------------------------------------------------------------------------------
# More references that do not resolve
# ------------------------------------------------------------------------------------------------------------------


def test_unknown_failure_node_task_is_named() -> None:
    spec, registry = serialize(with_failure_node)
    del registry.tasks[on_error.name]
    with pytest.raises(CompileError, match=rf"node 'fn0': task '{on_error.name}' .* is not registered"):
        registry.compile(spec)


def test_launch_plan_node_binding_an_input_the_launch_plan_lacks() -> None:
    spec, registry = serialize(calls_sub_workflow_and_launch_plan)
    registry.launch_plans["doubled_lp"] = interface_pb2.TypedInterface(
        inputs=variables(b=FLOAT), outputs=variables(o0=FLOAT)
    )
    with pytest.raises(CompileError, match=r"node 'n1': binds input 'a', which it does not have \(it has no inputs\)"):
        registry.compile(spec)


def test_dynamic_launch_plan_must_be_registered() -> None:
    lp_node = workflow_pb2.Node(
        id="dn0",
        workflow_node=workflow_pb2.WorkflowNode(
            launchplan_ref=identifier_pb2.Identifier(resource_type=identifier_pb2.ResourceType.LAUNCH_PLAN, name="lp")
        ),
    )
    futures = dynamic_job_pb2.DynamicJobSpec(nodes=[lp_node], min_successes=1)
    with pytest.raises(CompileError, match=r"node 'dn0': launch plan 'lp' .* is not registered; register it first"):
        compile_dynamic("n0", interface_pb2.TypedInterface(), futures, Registry().get_launch_plan_interface)


def test_requirements_of_a_spec_missing_a_sub_workflow_name_the_node() -> None:
    spec, _ = serialize(calls_sub_workflow_and_launch_plan)
    del spec.sub_workflows[:]
    with pytest.raises(CompileError, match=r"node 'n0': calls sub-workflow"):
        workflow_requirements(spec)


def test_the_same_sub_workflow_given_twice_is_refused() -> None:
    spec, registry = serialize(calls_sub_workflow_and_launch_plan)
    spec.sub_workflows.add().CopyFrom(spec.sub_workflows[0])
    with pytest.raises(CompileError, match=rf"sub-workflow workflow '{doubled.name}' .* is given twice"):
        registry.compile(spec)


@dataclasses.dataclass
class Summary:
    total: float


@task
def summarize(x: float) -> Summary:
    return Summary(total=x)


@task
def big(x: float) -> str:
    return "big"


@task
def small(x: float) -> str:
    return "small"


@workflow
def sized(x: float = 1.0) -> str:
    summary = summarize(x=x)
    return conditional("size").if_(summary.total > 20.0).then(big(x=x)).else_().then(small(x=x))


def test_a_condition_on_a_dataclass_attribute_compiles() -> None:
    closure = compile_entity(sized)
    branch = next(n for n in closure.primary.template.nodes if n.HasField("branch_node"))
    assert branch.branch_node.if_else.case.then_node.id == f"{branch.id}-n0"

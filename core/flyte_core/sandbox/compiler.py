"""The sandbox's workflow compiler: what FlyteAdmin does to a workflow on CreateWorkflow, and FlytePropeller to
a dynamic task's futures, before either runs (``flytepropeller/pkg/compiler`` at Flyte v1.16).

The compiled closure has the shape a real FlyteAdmin returns from GetWorkflow, so the node ids the engine
reports are the ones clients look up: every workflow's nodes are rebuilt as ``[start-node, end-node, <user
nodes>]``, promises on workflow inputs (node id ``""``) point at ``start-node``, branch children are renamed
``<branch node id>-<child id>`` (nested branches recursively), ``upstream_node_ids`` are sorted and
``connections`` holds the upstream/downstream sets the engine schedules by. A workflow that cannot run is a
``CompileError`` listing every problem found, each naming the workflow, the node and the variable.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from flyteidl.admin import workflow_pb2 as admin_workflow_pb2
from flyteidl.core import (
    compiler_pb2,
    condition_pb2,
    dynamic_job_pb2,
    identifier_pb2,
    interface_pb2,
    literals_pb2,
    tasks_pb2,
    types_pb2,
    workflow_pb2,
)
from flyteidl.core.identifier_pb2 import Identifier
from google.protobuf.message import Message

__all__ = [
    "END_NODE_ID",
    "START_NODE_ID",
    "CompileError",
    "closure_digest",
    "compile_dynamic",
    "compile_workflow",
    "single_task_workflow",
    "workflow_requirements",
]

START_NODE_ID = "start-node"
"""The node whose outputs are the workflow's inputs."""
END_NODE_ID = "end-node"
"""The node whose inputs are the workflow's outputs."""

_TASK = identifier_pb2.ResourceType.TASK
_WORKFLOW = identifier_pb2.ResourceType.WORKFLOW
_NONE = types_pb2.SimpleType.NONE
_STRING = types_pb2.SimpleType.STRING
_STRUCT = types_pb2.SimpleType.STRUCT

_SINGLE_TASK_RETRIES = 3
"""flyteadmin's ``defaultRetryStrategy`` for a task executed directly whose template sets no retries."""
_MAX_UNIQUE_ID_LENGTH = 30
"""``flytestdlib/utils.MaxUniqueIDLength``: longer single-task node ids are replaced by a hash."""


_M = TypeVar("_M", bound=Message)


class CompileError(ValueError):
    """A workflow that cannot be compiled; the message names the workflow, node and variable (INVALID_ARGUMENT)."""


# ----------------------------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------------------------


def workflow_requirements(
    spec: admin_workflow_pb2.WorkflowSpec,
) -> tuple[list[Identifier], list[Identifier]]:
    """(task ids, launch plan ids) the primary and sub-workflows reference: task nodes, branch children (nested),
    array-node sub-nodes, failure nodes; launch-plan refs. Deduplicated, in first-seen order."""
    tasks: dict[tuple[object, ...], Identifier] = {}
    launch_plans: dict[tuple[object, ...], Identifier] = {}
    for ref in _references(spec.template, spec.sub_workflows):
        (tasks if ref.is_task else launch_plans).setdefault(_key(ref.target), ref.target)
    return [_copy(i) for i in tasks.values()], [_copy(i) for i in launch_plans.values()]


def compile_workflow(
    spec: admin_workflow_pb2.WorkflowSpec,
    get_task: Callable[[Identifier], tasks_pb2.TaskTemplate],
    get_launch_plan_interface: Callable[[Identifier], interface_pb2.TypedInterface],
) -> compiler_pb2.CompiledWorkflowClosure:
    """flyteadmin's CreateWorkflow compile: primary + sub-workflows (recursively) + every referenced task
    (CompiledTask{template}); launch_plans left empty as flyteadmin leaves it.

    Tasks are listed in flyteadmin's order (project, domain, name, version). Raises ``CompileError`` naming
    every node whose task or launch plan is not registered, or every problem the workflows have.
    """
    tasks: dict[tuple[object, ...], tasks_pb2.TaskTemplate] = {}
    launch_plans: dict[tuple[object, ...], interface_pb2.TypedInterface] = {}
    problems: list[str] = []
    for ref in _references(spec.template, spec.sub_workflows):
        if ref.is_task:
            _look_up(ref, get_task, tasks, problems)
        else:
            _look_up(ref, get_launch_plan_interface, launch_plans, problems)
    if problems:
        raise CompileError("\n".join(problems))
    ordered = sorted(tasks.values(), key=lambda task: _sort_key(task.id))
    return _compile(spec.template, spec.sub_workflows, ordered, launch_plans)


def compile_dynamic(
    parent_node_id: str,
    interface: interface_pb2.TypedInterface,
    futures: dynamic_job_pb2.DynamicJobSpec,
    get_launch_plan_interface: Callable[[Identifier], interface_pb2.TypedInterface],
    *,
    project: str = "",
    domain: str = "",
) -> compiler_pb2.CompiledWorkflowClosure:
    """propeller's dynamic handling: a WorkflowTemplate (id named after the parent node, the task's interface,
    the futures' nodes and outputs) compiled with the futures' embedded tasks and sub-workflows.

    As in propeller, the template's interface is the task's outputs only (its inputs are the parent's), its name
    is ``dynamic_<parent node id>`` and node ids are left as the task wrote them (the engine makes them unique
    per parent and attempt when it runs them). Tasks come from ``futures.tasks`` only; launch plans are looked
    up. The version, random in propeller, is derived from the futures so a resumed execution gets the same one.
    """
    template = workflow_pb2.WorkflowTemplate(
        id=Identifier(
            resource_type=_WORKFLOW,
            project=project,
            domain=domain,
            name=f"dynamic_{parent_node_id}",
            version=hashlib.sha256(futures.SerializeToString(deterministic=True)).hexdigest()[:10],
        ),
        nodes=futures.nodes,
        outputs=futures.outputs,
    )
    template.interface.outputs.CopyFrom(interface.outputs)
    tasks: dict[tuple[object, ...], tasks_pb2.TaskTemplate] = {}
    for task in futures.tasks:
        tasks.setdefault(_key(task.id), _copied(task))
    launch_plans: dict[tuple[object, ...], interface_pb2.TypedInterface] = {}
    problems: list[str] = []
    for ref in _references(template, futures.subworkflows):
        if not ref.is_task:
            _look_up(ref, get_launch_plan_interface, launch_plans, problems)
        elif _key(ref.target) not in tasks:
            problems.append(
                f"workflow '{ref.workflow}', node '{ref.node_id}': {_describe(ref.target)} is not among the tasks "
                "the dynamic task returned (DynamicJobSpec.tasks)"
            )
    if problems:
        raise CompileError("\n".join(problems))
    return _compile(template, futures.subworkflows, list(tasks.values()), launch_plans)


def single_task_workflow(task: tasks_pb2.TaskTemplate) -> admin_workflow_pb2.WorkflowSpec:
    """flyteadmin's wrapper for executing a task directly (``single_task_execution.go``).

    The workflow is ``.flytegen.<task name>`` (the task's org, project, domain and version) with the task's
    interface and one node: its id is the task name keeping only '-' and (Unicode) letters and digits, replaced
    by ``f`` + a base32 FNV-1a hash when longer than 30 bytes; its inputs read the workflow inputs, the workflow
    outputs read its outputs; its retries are the template's ``metadata.retries`` when set, else 3.
    """
    node_id = fixed_length_unique_id(
        "".join(ch for ch in task.id.name if ch == "-" or unicodedata.category(ch)[0] in "LN"),
        _MAX_UNIQUE_ID_LENGTH,
    )
    retries = (
        task.metadata.retries
        if task.HasField("metadata") and task.metadata.HasField("retries")
        else literals_pb2.RetryStrategy(retries=_SINGLE_TASK_RETRIES)
    )
    workflow_id = Identifier(
        resource_type=_WORKFLOW,
        org=task.id.org,
        project=task.id.project,
        domain=task.id.domain,
        name=f".flytegen.{task.id.name}",
        version=task.id.version,
    )
    node = workflow_pb2.Node(
        id=node_id,
        metadata=workflow_pb2.NodeMetadata(name=node_id, retries=retries),
        inputs=_promise_bindings(task.interface.inputs, ""),
        task_node=workflow_pb2.TaskNode(reference_id=task.id),
    )
    template = workflow_pb2.WorkflowTemplate(
        id=workflow_id,
        interface=task.interface,
        nodes=[node],
        outputs=_promise_bindings(task.interface.outputs, node_id),
    )
    return admin_workflow_pb2.WorkflowSpec(template=template)


def closure_digest(closure: compiler_pb2.CompiledWorkflowClosure) -> bytes:
    """A stable digest (sha256 of the deterministic serialization): tells identical from conflicting
    re-registration."""
    return hashlib.sha256(closure.SerializeToString(deterministic=True)).digest()


# ----------------------------------------------------------------------------------------------------------------
# References (GetRequirements)
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reference:
    """A task or launch plan a node refers to, with where it was found (for error messages)."""

    workflow: str
    node_id: str
    target: Identifier
    is_task: bool


def _references(
    template: workflow_pb2.WorkflowTemplate, sub_workflows: Iterable[workflow_pb2.WorkflowTemplate]
) -> Iterator[_Reference]:
    """Every task and launch-plan reference of a workflow and of the sub-workflows it calls (recursively)."""
    index = _sub_workflow_index(sub_workflows)
    followed: set[tuple[object, ...]] = {_key(template.id)}

    def in_workflow(workflow: workflow_pb2.WorkflowTemplate) -> Iterator[_Reference]:
        for node in workflow.nodes:
            yield from in_node(workflow, node)
        if workflow.HasField("failure_node"):
            yield from in_node(workflow, workflow.failure_node)

    def in_node(workflow: workflow_pb2.WorkflowTemplate, node: workflow_pb2.Node) -> Iterator[_Reference]:
        target = node.WhichOneof("target")
        if target == "task_node" and node.task_node.HasField("reference_id"):
            yield _Reference(workflow.id.name, node.id, node.task_node.reference_id, True)
        elif target == "workflow_node":
            if node.workflow_node.HasField("launchplan_ref"):
                yield _Reference(workflow.id.name, node.id, node.workflow_node.launchplan_ref, False)
            elif node.workflow_node.HasField("sub_workflow_ref"):
                ref = node.workflow_node.sub_workflow_ref
                sub = index.get(_key(ref))
                if sub is None:
                    raise CompileError(
                        f"workflow '{workflow.id.name}', node '{node.id}': calls sub-workflow "
                        f"{_describe(ref)}, which is not among the spec's sub_workflows; include its template"
                    )
                if _key(ref) not in followed:
                    followed.add(_key(ref))
                    yield from in_workflow(sub)
        elif target == "branch_node":
            for child in _branch_children(node):
                yield from in_node(workflow, child)
        elif target == "array_node":
            yield from in_node(workflow, node.array_node.node)

    yield from in_workflow(template)


def _look_up(
    ref: _Reference, getter: Callable[[Identifier], _M], found: dict[tuple[object, ...], _M], problems: list[str]
) -> None:
    """Fetch what ``ref`` names into ``found`` once; a ``KeyError`` from ``getter`` becomes a problem to report."""
    key = _key(ref.target)
    if key in found:
        return
    try:
        found[key] = _copied(getter(ref.target))
    except KeyError:
        problems.append(
            f"workflow '{ref.workflow}', node '{ref.node_id}': {_describe(ref.target)} is not registered; "
            "register it first"
        )


def _sub_workflow_index(
    sub_workflows: Iterable[workflow_pb2.WorkflowTemplate],
) -> dict[tuple[object, ...], workflow_pb2.WorkflowTemplate]:
    """Sub-workflow templates by id; two with the same id are an error, as in propeller's NewWorkflowIndex."""
    index: dict[tuple[object, ...], workflow_pb2.WorkflowTemplate] = {}
    for sub in sub_workflows:
        if _key(sub.id) in index:
            raise CompileError(f"sub-workflow {_describe(sub.id)} is given twice; include each sub-workflow once")
        index[_key(sub.id)] = sub
    return index


def _branch_children(node: workflow_pb2.Node) -> list[workflow_pb2.Node]:
    """The then-nodes of a branch's cases and its else node, in order."""
    if_else = node.branch_node.if_else
    children = [if_else.case.then_node] if if_else.case.HasField("then_node") else []
    children += [block.then_node for block in if_else.other if block.HasField("then_node")]
    if if_else.HasField("else_node"):
        children.append(if_else.else_node)
    return children


# ----------------------------------------------------------------------------------------------------------------
# Compilation (CompileWorkflow / ValidateWorkflow)
# ----------------------------------------------------------------------------------------------------------------


def _compile(
    template: workflow_pb2.WorkflowTemplate,
    sub_workflows: Iterable[workflow_pb2.WorkflowTemplate],
    tasks: list[tasks_pb2.TaskTemplate],
    launch_plans: dict[tuple[object, ...], interface_pb2.TypedInterface],
) -> compiler_pb2.CompiledWorkflowClosure:
    """Compile ``template`` and the sub-workflows its nodes call into a closure carrying ``tasks``."""
    closure = compiler_pb2.CompiledWorkflowClosure()
    closure.primary.template.CopyFrom(template)
    closure.sub_workflows.extend(compiler_pb2.CompiledWorkflow(template=sub) for sub in sub_workflows)
    closure.tasks.extend(compiler_pb2.CompiledTask(template=task) for task in tasks)
    catalog = _Catalog(
        tasks={_key(t.template.id): t.template for t in closure.tasks},
        launch_plans=launch_plans,
        sub_workflows={},
    )
    for sub in closure.sub_workflows:
        if _key(sub.template.id) in catalog.sub_workflows:
            raise CompileError(
                f"sub-workflow {_describe(sub.template.id)} is given twice; include each sub-workflow once"
            )
        catalog.sub_workflows[_key(sub.template.id)] = sub
    _WorkflowCompiler(catalog, closure.primary).compile()
    if catalog.errors:
        raise CompileError("\n".join(dict.fromkeys(catalog.errors)))
    return closure


@dataclass
class _Catalog:
    """What the workflows being compiled may refer to, and the problems found so far."""

    tasks: dict[tuple[object, ...], tasks_pb2.TaskTemplate]
    launch_plans: dict[tuple[object, ...], interface_pb2.TypedInterface]
    sub_workflows: dict[tuple[object, ...], compiler_pb2.CompiledWorkflow]
    compiled: set[tuple[object, ...]] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


@dataclass
class _Node:
    """A node being compiled: its message (edited in place) and, once known, its effective interface."""

    proto: workflow_pb2.Node
    interface: interface_pb2.TypedInterface | None = None
    children: list[_Node] | None = None

    @property
    def id(self) -> str:
        return self.proto.id


_UPSTREAM, _DOWNSTREAM, _BOTH = "upstream", "downstream", "both"


class _WorkflowCompiler:
    """Compiles one workflow template in place (``ValidateWorkflow``), sub-workflows through new instances."""

    def __init__(self, catalog: _Catalog, compiled: compiler_pb2.CompiledWorkflow) -> None:
        self._catalog = catalog
        self._compiled = compiled
        self._template = compiled.template
        self._name = self._template.id.name
        self._nodes: dict[str, _Node] = {}
        self._upstream: dict[str, set[str]] = {}
        self._downstream: dict[str, set[str]] = {}

    # -- the workflow ----------------------------------------------------------------------------------------

    def compile(self) -> None:
        template = self._template
        if not template.nodes:
            self._error(None, "has no nodes; a workflow must call at least one task, sub-workflow or launch plan")
            return
        self._validate_interface(None, template.interface)
        start = _Node(workflow_pb2.Node(id=START_NODE_ID))
        start.interface = interface_pb2.TypedInterface(outputs=template.interface.inputs)
        end = _Node(workflow_pb2.Node(id=END_NODE_ID, inputs=template.outputs))
        end.interface = interface_pb2.TypedInterface(inputs=template.interface.outputs)
        self._nodes = {START_NODE_ID: start, END_NODE_ID: end}
        user_nodes: list[_Node] = []
        for proto in template.nodes:
            node = _Node(_copied(proto))
            if not node.id:
                self._error(None, "has a node without an id; give every node an id")
                continue
            if node.id in self._nodes:
                reserved = node.id in (START_NODE_ID, END_NODE_ID)
                self._error(
                    node.id,
                    "uses a reserved node id; rename the node"
                    if reserved
                    else "is defined more than once; node ids must be unique in a workflow",
                )
                continue
            self._nodes[node.id] = node
            user_nodes.append(node)
            self._validate_node(node)
        for node in list(self._nodes.values()):
            if node.id != START_NODE_ID:
                self._add_edges(node, _BOTH)
        if template.HasField("failure_node"):
            failure = _Node(template.failure_node)
            self._validate_node(failure)
            self._add_edges(failure, _UPSTREAM)
        for node in user_nodes:
            if node.id not in self._upstream:
                self._add_execution_edge(START_NODE_ID, node.id)
            if node.id not in self._downstream:
                self._add_execution_edge(node.id, END_NODE_ID)
        self._validate_reachable()

        del template.nodes[:]
        template.nodes.extend([start.proto, end.proto, *(node.proto for node in user_nodes)])
        del template.outputs[:]
        template.outputs.extend(end.proto.inputs)
        connections = self._compiled.connections
        connections.SetInParent()
        for adjacency, target in ((self._upstream, connections.upstream), (self._downstream, connections.downstream)):
            for node_id, ids in adjacency.items():
                target[node_id].ids.extend(sorted(ids))

    def _validate_reachable(self) -> None:
        """A cycle, or nodes the start node does not lead to, as propeller's ``validateReachable`` reports them."""
        visited: set[str] = set()
        visiting: list[str] = []

        def visit(node_id: str) -> list[str] | None:
            if node_id in visiting:
                return [*visiting, node_id]
            if node_id in visited:
                return None
            visited.add(node_id)
            visiting.append(node_id)
            for next_id in sorted(self._downstream.get(node_id, ())):
                cycle = visit(next_id)
                if cycle is not None:
                    return cycle
            visiting.pop()
            return None

        cycle = visit(START_NODE_ID)
        if cycle is not None:
            self._error(None, f"has a cycle: {' -> '.join(cycle)}; a node cannot depend on its own outputs")
            return
        unreachable = sorted(set(self._nodes) - visited - {END_NODE_ID})
        if unreachable:
            self._error(
                None,
                f"has nodes that can never run: {', '.join(unreachable)} (they depend on each other in a cycle "
                "or on nodes that do not exist)",
            )

    # -- nodes (ValidateNode, ValidateUnderlyingInterface) -----------------------------------------------------

    def _validate_node(self, node: _Node) -> bool:
        errors_before = len(self._catalog.errors)
        if not node.id:
            self._error(None, "has a node without an id; give every node an id")
        if node.id in (START_NODE_ID, END_NODE_ID):
            return True
        if self._interface(node) is not None:
            self._effective_outputs(node)
        upstream = sorted(node.proto.upstream_node_ids)
        del node.proto.upstream_node_ids[:]
        node.proto.upstream_node_ids.extend(upstream)
        target = node.proto.WhichOneof("target")
        if target == "branch_node":
            for child in self._validate_branch(node):
                self._add_edges(child, _UPSTREAM)
        elif target == "workflow_node" and node.proto.workflow_node.HasField("sub_workflow_ref"):
            key = _key(node.proto.workflow_node.sub_workflow_ref)
            sub = self._catalog.sub_workflows.get(key)
            if sub is not None and key not in self._catalog.compiled:
                self._catalog.compiled.add(key)
                _WorkflowCompiler(self._catalog, sub).compile()
        return len(self._catalog.errors) == errors_before

    def _interface(self, node: _Node) -> interface_pb2.TypedInterface | None:
        """The node's effective interface (task's, launch plan's, sub-workflow's, branch's...), computed once."""
        if node.interface is not None:
            return node.interface
        proto = node.proto
        target = proto.WhichOneof("target")
        iface: interface_pb2.TypedInterface | None = None
        if target == "task_node":
            iface = self._task_interface(node)
        elif target == "workflow_node":
            iface = self._workflow_node_interface(node)
        elif target == "branch_node":
            iface = self._branch_interface(node)
        elif target == "gate_node":
            iface = self._gate_interface(node)
        elif target == "array_node":
            iface = self._array_interface(node)
        else:
            self._error(node.id, "has no target; a node must run a task, a workflow, a branch, a gate or an array")
        if iface is not None:
            self._validate_interface(node.id, iface)
            node.interface = iface
        return iface

    def _task_interface(self, node: _Node) -> interface_pb2.TypedInterface | None:
        task_node = node.proto.task_node
        if not task_node.HasField("reference_id"):
            self._error(node.id, "is a task node without a task reference_id")
            return None
        task = self._catalog.tasks.get(_key(task_node.reference_id))
        if task is None:
            self._error(
                node.id, f"runs {_describe(task_node.reference_id)}, which is not registered; register it first"
            )
            return None
        if not task.HasField("interface"):
            return _empty_interface()
        return task.interface

    def _workflow_node_interface(self, node: _Node) -> interface_pb2.TypedInterface | None:
        workflow_node = node.proto.workflow_node
        if workflow_node.HasField("launchplan_ref"):
            ref = workflow_node.launchplan_ref
            if _key(ref) == _key(self._template.id):
                return self._template.interface
            launch_plan = self._catalog.launch_plans.get(_key(ref))
            if launch_plan is None:
                self._error(node.id, f"calls {_describe(ref)}, which is not registered; register it first")
                return None
            # flyteadmin exposes the launch plan's required inputs plus those the node binds; a TypedInterface
            # does not say which are required, so only what the node binds is checked.
            bound = {binding.var for binding in node.proto.inputs}
            iface = interface_pb2.TypedInterface(outputs=launch_plan.outputs)
            iface.inputs.SetInParent()
            for name, variable in launch_plan.inputs.variables.items():
                if name in bound:
                    iface.inputs.variables[name].CopyFrom(variable)
            return iface
        if workflow_node.HasField("sub_workflow_ref"):
            sub = self._catalog.sub_workflows.get(_key(workflow_node.sub_workflow_ref))
            if sub is None:
                self._error(
                    node.id,
                    f"calls sub-workflow {_describe(workflow_node.sub_workflow_ref)}, which is not among the "
                    "spec's sub_workflows; include its template",
                )
                return None
            return sub.template.interface
        self._error(node.id, "is a workflow node with neither a launchplan_ref nor a sub_workflow_ref")
        return None

    def _gate_interface(self, node: _Node) -> interface_pb2.TypedInterface | None:
        gate = node.proto.gate_node
        kind = gate.WhichOneof("condition")
        if kind == "approve":
            # Approving copies the node's inputs to its outputs.
            resolved = self._validate_bindings(node, node.proto.inputs, None, False, _UPSTREAM)
            return interface_pb2.TypedInterface(inputs=resolved, outputs=resolved)
        if kind == "signal":
            if not gate.signal.HasField("type"):
                self._error(node.id, "is a signal gate without a signal type")
                return None
            if not gate.signal.output_variable_name:
                self._error(node.id, "is a signal gate without an output_variable_name")
                return None
            iface = _empty_interface()
            iface.outputs.variables[gate.signal.output_variable_name].type.CopyFrom(gate.signal.type)
            return iface
        if kind == "sleep":
            return _empty_interface()
        self._error(node.id, "is a gate node without a condition (approve, signal or sleep)")
        return None

    def _array_interface(self, node: _Node) -> interface_pb2.TypedInterface | None:
        array_node = node.proto.array_node
        underlying = self._interface(_Node(array_node.node))
        if underlying is None:
            return None
        if not (
            array_node.HasField("is_original_sub_node_interface") and array_node.is_original_sub_node_interface.value
        ):
            # A map task's template already has the list interface flytekit made for it.
            return underlying
        # The sub-node calls the target with its own interface: every input not bound to one value is a list.
        bound = set(array_node.bound_inputs)
        iface = _empty_interface()
        for name, variable in underlying.inputs.variables.items():
            if name in bound:
                iface.inputs.variables[name].CopyFrom(variable)
            else:
                iface.inputs.variables[name].type.collection_type.CopyFrom(variable.type)
        for name, variable in underlying.outputs.variables.items():
            iface.outputs.variables[name].type.collection_type.CopyFrom(variable.type)
        return iface

    def _validate_interface(self, node_id: str | None, iface: interface_pb2.TypedInterface) -> None:
        """Inputs and outputs are present (empty when absent, as propeller fills them) and every variable typed."""
        iface.inputs.SetInParent()
        iface.outputs.SetInParent()
        for direction, variables in (("input", iface.inputs.variables), ("output", iface.outputs.variables)):
            for name, variable in variables.items():
                if not name:
                    self._error(node_id, f"has an {direction} without a name")
                elif not variable.HasField("type"):
                    self._error(node_id, f"{direction} '{name}' has no type")

    def _effective_outputs(self, node: _Node) -> dict[str, interface_pb2.Variable]:
        """The node's outputs after its output aliases."""
        aliases: dict[str, str] = {}
        for alias in node.proto.output_aliases:
            if alias.var in aliases:
                self._error(node.id, f"aliases output '{alias.var}' twice; give each output one alias")
            else:
                aliases[alias.var] = alias.alias
        if node.interface is None:
            return {}
        outputs: dict[str, interface_pb2.Variable] = {}
        for name, variable in node.interface.outputs.variables.items():
            outputs[aliases.pop(name, name)] = variable
        for var, alias in aliases.items():
            self._error(node.id, f"aliases output '{var}' as '{alias}', but it has no output '{var}'")
        return outputs

    # -- branches ------------------------------------------------------------------------------------------------

    def _children(self, node: _Node) -> list[_Node]:
        """The branch's children, renamed ``<branch id>-<child id>`` the first time they are seen."""
        if node.children is None:
            node.children = [_Node(child) for child in _branch_children(node.proto)]
            for child in node.children:
                child.proto.id = f"{node.id}-{child.proto.id}"
        return node.children

    def _branch_interface(self, node: _Node) -> interface_pb2.TypedInterface | None:
        """Outputs every child has (same types), inputs the variables the branch node binds (for its conditions)."""
        if_else = node.proto.branch_node.if_else
        if not node.proto.branch_node.HasField("if_else") or not if_else.HasField("case"):
            self._error(node.id, "is a branch without an if case")
            return None
        if not if_else.case.HasField("then_node"):
            self._error(node.id, "is a branch whose if case has no then node")
            return None
        errors_before = len(self._catalog.errors)
        outputs: dict[str, interface_pb2.Variable] | None = None
        common: set[str] = set()
        for child in self._children(node):
            child_iface = self._interface(child)
            if child_iface is None:
                continue
            if outputs is None:
                outputs = dict(child_iface.outputs.variables)
                common = set(outputs)
                continue
            common &= set(child_iface.outputs.variables)
            for name in sorted(common):
                theirs = child_iface.outputs.variables[name].type
                if theirs != outputs[name].type:
                    self._error(
                        child.id,
                        f"output '{name}' is {_type_name(theirs)} but other branches of '{node.id}' give "
                        f"{_type_name(outputs[name].type)}; every branch must return the same types",
                    )
        resolved = self._validate_bindings(node, node.proto.inputs, None, False, _UPSTREAM)
        if outputs is None or len(self._catalog.errors) != errors_before:
            return None
        iface = interface_pb2.TypedInterface(inputs=resolved)
        iface.outputs.SetInParent()
        for name in common:
            iface.outputs.variables[name].CopyFrom(outputs[name])
        return iface

    def _validate_branch(self, node: _Node) -> list[_Node]:
        """Conditions, cases and a default; the children that validate."""
        if_else = node.proto.branch_node.if_else
        blocks = [if_else.case] if if_else.HasField("case") else []
        if not blocks:
            self._error(node.id, "is a branch without an if case")
        blocks += list(if_else.other)
        for block in blocks:
            self._validate_condition(node, block.condition if block.HasField("condition") else None)
            if not block.HasField("then_node"):
                self._error(node.id, "has a case without a then node")
        if not if_else.HasField("else_node") and not if_else.HasField("error"):
            self._error(node.id, "is a branch with neither an else node nor an error for when no case matches")
        return [child for child in self._children(node) if self._validate_node(child)]

    def _validate_condition(self, node: _Node, expression: condition_pb2.BooleanExpression | None) -> None:
        if expression is None:
            self._error(node.id, "has a case without a condition")
            return
        kind = expression.WhichOneof("expr")
        if kind == "comparison":
            right = self._operand_type(node, expression.comparison.right_value)
            left = self._operand_type(node, expression.comparison.left_value)
            # propeller wants identical operand types; only plain simple types are compared here.
            if left is not None and right is not None and _differ_simply(left, right):
                self._error(
                    node.id,
                    f"compares {_type_name(left)} with {_type_name(right)}; "
                    "a condition's operands must have the same type",
                )
        elif kind == "conjunction":
            self._validate_condition(node, expression.conjunction.left_expression)
            self._validate_condition(node, expression.conjunction.right_expression)
        else:
            self._error(node.id, "has a condition that is neither a comparison nor a conjunction")

    def _operand_type(self, node: _Node, operand: condition_pb2.Operand) -> types_pb2.LiteralType | None:
        kind = operand.WhichOneof("val")
        if kind == "primitive":
            return _primitive_type(operand.primitive)
        if kind == "scalar":
            return _scalar_type(operand.scalar)
        if kind == "var":
            if node.interface is not None and operand.var in node.interface.inputs.variables:
                return node.interface.inputs.variables[operand.var].type
            if operand.var not in {binding.var for binding in node.proto.inputs}:
                self._error(node.id, f"has a condition on '{operand.var}', which the branch node does not bind")
            return None
        self._error(node.id, "has a condition operand with no value")
        return None

    # -- bindings and edges (AddEdges, ValidateBindings) -----------------------------------------------------

    def _add_edges(self, node: _Node, direction: str) -> None:
        """Edges from the node's explicit upstream ids (top-level nodes) and from the promises it binds."""
        if node.interface is None:
            return
        if direction in (_DOWNSTREAM, _BOTH):
            for upstream in node.proto.upstream_node_ids:
                if upstream and upstream not in self._nodes:
                    self._error(node.id, f"lists upstream node '{upstream}', which is not in the workflow")
                    continue
                self._add_execution_edge(upstream, node.id)
        self._validate_bindings(node, node.proto.inputs, node.interface.inputs, True, direction)

    def _add_execution_edge(self, provider: str, dependent: str) -> None:
        provider = provider or START_NODE_ID
        self._downstream.setdefault(provider, set()).add(dependent)
        self._upstream.setdefault(dependent, set()).add(provider)

    def _validate_bindings(
        self,
        node: _Node,
        bindings: Iterable[literals_pb2.Binding],
        params: interface_pb2.VariableMap | None,
        check_types: bool,
        direction: str,
    ) -> interface_pb2.VariableMap:
        """Check the bindings against ``params`` (every required one bound, once), add their edges, and return
        the variables they resolve to."""
        resolved = interface_pb2.VariableMap()
        provided: set[str] = set()
        for binding in bindings:
            param = params.variables.get(binding.var) if params is not None else None
            if param is None and check_types:
                self._error(node.id, f"binds input '{binding.var}', which it does not have{_names(params)}")
            elif not binding.HasField("binding"):
                self._error(node.id, f"input '{binding.var}' has an empty binding")
            elif binding.var in provided:
                self._error(node.id, f"input '{binding.var}' is bound more than once")
            else:
                provided.add(binding.var)
                expected = param.type if param is not None else types_pb2.LiteralType(simple=_NONE)
                errors: list[str] = []
                result = self._validate_binding(node, binding.var, binding.binding, expected, check_types, errors)
                self._catalog.errors.extend(errors)
                if result is not None:
                    resolved_type, upstream = result
                    for provider in upstream:
                        if direction == _BOTH:
                            self._add_execution_edge(provider, node.id)
                        elif direction == _DOWNSTREAM:
                            self._downstream.setdefault(provider, set()).add(node.id)
                        else:
                            self._upstream.setdefault(node.id, set()).add(provider)
                    resolved.variables[binding.var].type.CopyFrom(resolved_type)
        if params is not None:
            for name, variable in params.variables.items():
                if name not in provided and not _is_optional(variable.type):
                    self._error(node.id, f"input '{name}' ({_type_name(variable.type)}) is not bound; pass a value")
        return resolved

    def _validate_binding(
        self,
        node: _Node,
        var: str,
        data: literals_pb2.BindingData,
        expected: types_pb2.LiteralType,
        check_types: bool,
        errors: list[str],
    ) -> tuple[types_pb2.LiteralType, list[str]] | None:
        """(the type the binding resolves to, the nodes it reads from), or None with the problems in ``errors``."""
        kind = data.WhichOneof("value")
        if kind not in ("scalar", "promise") and expected.HasField("union_type"):
            match: tuple[types_pb2.LiteralType, tuple[types_pb2.LiteralType, list[str]]] | None = None
            for variant in expected.union_type.variants:
                result = self._validate_binding(node, var, data, variant, check_types, [])
                if result is None:
                    continue
                if match is not None:
                    errors.append(
                        self._message(
                            node.id,
                            f"input '{var}' ({_type_name(expected)}) is bound to a value that matches both "
                            f"{_type_name(match[0])} and {_type_name(variant)}",
                        )
                    )
                    return None
                match = (variant, result)
            if match is None:
                errors.append(
                    self._message(
                        node.id, f"input '{var}' ({_type_name(expected)}) is bound to a value of none of its types"
                    )
                )
                return None
            return match[1]
        if kind in ("collection", "map"):
            is_list = kind == "collection"
            inner_field = "collection_type" if is_list else "map_value_type"
            if check_types and not expected.HasField(inner_field):
                errors.append(
                    self._message(
                        node.id,
                        f"input '{var}' is {_type_name(expected)} but is bound to a "
                        f"{'list' if is_list else 'dict'} of values",
                    )
                )
                return None
            inner_expected = getattr(expected, inner_field) if expected.HasField(inner_field) else expected
            items = data.collection.bindings if is_list else data.map.bindings.values()
            errors_before = len(errors)
            upstream: list[str] = []
            inner = types_pb2.LiteralType()
            for item in items:
                result = self._validate_binding(node, var, item, inner_expected, check_types, errors)
                if result is not None:
                    inner, item_upstream = result
                    upstream += item_upstream
            if len(errors) != errors_before:
                return None
            resolved = types_pb2.LiteralType()
            getattr(resolved, inner_field).CopyFrom(inner)
            return resolved, upstream
        if kind == "promise":
            return self._validate_promise(node, var, data.promise, expected, check_types, errors)
        if kind == "scalar":
            literal_type = _scalar_type(data.scalar)
            if literal_type is None:
                errors.append(self._message(node.id, f"input '{var}' is bound to a value of unknown type"))
                return None
            if check_types and not _castable(literal_type, expected):
                errors.append(
                    self._message(
                        node.id,
                        f"input '{var}' is {_type_name(expected)} but is bound to a {_type_name(literal_type)} value",
                    )
                )
                return None
            if expected.HasField("enum_type") and data.scalar.HasField("primitive"):
                value = data.scalar.primitive.string_value
                if value not in expected.enum_type.values:
                    errors.append(
                        self._message(
                            node.id,
                            f"input '{var}' is an enum of {list(expected.enum_type.values)} but is bound to {value!r}",
                        )
                    )
                    return None
            return literal_type, []
        if kind == "offloaded_metadata":
            inferred = data.offloaded_metadata.inferred_type
            if check_types and data.offloaded_metadata.HasField("inferred_type") and not _castable(inferred, expected):
                errors.append(
                    self._message(
                        node.id,
                        f"input '{var}' is {_type_name(expected)} but is bound to a {_type_name(inferred)} value",
                    )
                )
                return None
            return inferred, []
        errors.append(self._message(node.id, f"input '{var}' has an empty binding"))
        return None

    def _validate_promise(
        self,
        node: _Node,
        var: str,
        promise: types_pb2.OutputReference,
        expected: types_pb2.LiteralType,
        check_types: bool,
        errors: list[str],
    ) -> tuple[types_pb2.LiteralType, list[str]] | None:
        provider_id = promise.node_id or START_NODE_ID
        provider = self._nodes.get(provider_id)
        if provider is None:
            errors.append(
                self._message(
                    node.id,
                    f"input '{var}' reads output '{promise.var}' of node '{promise.node_id}', which is not in the "
                    "workflow (or comes later)",
                )
            )
            return None
        if provider.interface is None:
            return None  # the provider's own problem is already reported
        outputs = self._effective_outputs(provider)
        output = outputs.get(promise.var)
        if output is None:
            what = "a workflow input" if provider_id == START_NODE_ID else f"an output of node '{provider_id}'"
            known = ", ".join(sorted(outputs)) or "none"
            errors.append(
                self._message(node.id, f"input '{var}' reads '{promise.var}', which is not {what} (there are: {known})")
            )
            return None
        source = output.type
        for attr in promise.attr_path:
            if source.HasField("collection_type"):
                source = source.collection_type
            elif source.HasField("map_value_type"):
                source = source.map_value_type
            elif source.HasField("structure") and source.structure.dataclass_type:
                name = attr.string_value
                if name not in source.structure.dataclass_type:
                    errors.append(
                        self._message(
                            node.id, f"input '{var}' reads field '{name}' of '{promise.var}', which has no such field"
                        )
                    )
                    return None
                source = source.structure.dataclass_type[name]
        if check_types and not _castable(source, expected):
            origin = "workflow input" if provider_id == START_NODE_ID else f"output of node '{provider_id}'"
            errors.append(
                self._message(
                    node.id,
                    f"input '{var}' is {_type_name(expected)} but is bound to {origin} '{promise.var}' "
                    f"of type {_type_name(source)}",
                )
            )
            return None
        promise.node_id = provider_id
        return source, [provider_id]  # the type after the attribute path: what the input receives

    # -- errors ------------------------------------------------------------------------------------------------

    def _message(self, node_id: str | None, text: str) -> str:
        where = f"workflow '{self._name}'" + (f", node '{node_id}'" if node_id is not None else "")
        return f"{where}: {text}" if node_id is not None else f"{where} {text}"

    def _error(self, node_id: str | None, text: str) -> None:
        self._catalog.errors.append(self._message(node_id, text))


# ----------------------------------------------------------------------------------------------------------------
# Types (validators/typing.go: AreTypesCastable)
# ----------------------------------------------------------------------------------------------------------------


def _castable(upstream: types_pb2.LiteralType, downstream: types_pb2.LiteralType) -> bool:
    """Whether a value of ``upstream`` type may be bound to a ``downstream`` variable, as propeller decides."""
    single_variant = upstream.HasField("union_type") and len(upstream.union_type.variants) == 1
    if single_variant and _casts_from(downstream, upstream.union_type.variants[0]):
        return True
    return _casts_from(downstream, upstream)


def _casts_from(downstream: types_pb2.LiteralType, upstream: types_pb2.LiteralType) -> bool:
    kind = downstream.WhichOneof("type")
    if kind == "collection_type":
        if upstream.HasField("collection_type"):
            inner = upstream.collection_type
            return _is_none(inner) or _casts_from(downstream.collection_type, inner)
        return False
    if kind == "map_value_type":
        if upstream.HasField("map_value_type"):
            inner = upstream.map_value_type
            return _is_none(inner) or _casts_from(downstream.map_value_type, inner)
        return False
    if kind == "blob":
        if not upstream.HasField("blob"):
            return False
        formats = (upstream.blob.format, downstream.blob.format)
        return "" in formats or formats[0] == formats[1]
    if kind == "schema":
        return _schema_casts(downstream, upstream)
    if kind == "union_type":
        variants = downstream.union_type.variants
        if upstream.HasField("union_type"):
            return all(any(_castable(u, d) for d in variants) for u in upstream.union_type.variants)
        return sum(1 for d in variants if _castable(upstream, d)) == 1
    if kind == "structured_dataset_type":
        return _structured_dataset_casts(downstream.structured_dataset_type, upstream)
    if _is_none(downstream):
        return _is_none(upstream)
    return _trivially_castable(downstream, upstream)


def _trivially_castable(downstream: types_pb2.LiteralType, upstream: types_pb2.LiteralType) -> bool:
    """Same type, ignoring metadata, annotations and structure; enums and strings convert into each other."""
    if upstream.HasField("enum_type") and downstream.WhichOneof("type") == "simple" and downstream.simple == _STRING:
        return True
    if downstream.HasField("enum_type") and upstream.WhichOneof("type") == "simple" and upstream.simple == _STRING:
        return True
    up_tag = upstream.structure.tag if upstream.HasField("structure") else ""
    down_tag = downstream.structure.tag if downstream.HasField("structure") else ""
    if up_tag and up_tag != down_tag:
        return False
    if _simple(upstream) == _STRUCT and _simple(downstream) == _STRUCT:
        # propeller compares the JSON schemas of dataclasses here (same or super type); allow rather than guess.
        return True
    return _bare(upstream) == _bare(downstream)


def _bare(literal_type: types_pb2.LiteralType) -> types_pb2.LiteralType:
    bare = types_pb2.LiteralType()
    bare.CopyFrom(literal_type)
    for name in ("metadata", "annotation", "structure"):
        bare.ClearField(name)
    return bare


def _schema_casts(downstream: types_pb2.LiteralType, upstream: types_pb2.LiteralType) -> bool:
    wanted = {column.name: column.type for column in downstream.schema.columns}
    if upstream.HasField("schema"):
        have = {column.name: column.type for column in upstream.schema.columns}
        return not have or not wanted or all(have.get(name) == kind for name, kind in wanted.items())
    if upstream.HasField("structured_dataset_type"):
        dataset = upstream.structured_dataset_type
        if dataset.format and dataset.format.lower() != "parquet":
            return False
        have_simple = {column.name: column.literal_type for column in dataset.columns}
        return (
            not have_simple
            or not wanted
            or all(
                name in have_simple and _schema_column_matches(kind, have_simple[name]) for name, kind in wanted.items()
            )
        )
    return False


def _structured_dataset_casts(downstream: types_pb2.StructuredDatasetType, upstream: types_pb2.LiteralType) -> bool:
    if _is_none(upstream):
        return True
    wanted = {column.name: column.literal_type for column in downstream.columns}
    if upstream.HasField("schema"):
        if downstream.format and downstream.format.lower() != "parquet":
            return False
        have = {column.name: column.type for column in upstream.schema.columns}
        return (
            not have
            or not wanted
            or all(name in have and _schema_column_matches(have[name], lt) for name, lt in wanted.items())
        )
    if not upstream.HasField("structured_dataset_type"):
        return False
    dataset = upstream.structured_dataset_type
    if dataset.format and downstream.format and dataset.format.lower() != downstream.format.lower():
        return False
    have_types = {column.name: column.literal_type for column in dataset.columns}
    return (
        not have_types
        or not wanted
        or all(name in have_types and _casts_from(lt, have_types[name]) for name, lt in wanted.items())
    )


_SCHEMA_COLUMN_SIMPLE = {
    types_pb2.SchemaType.SchemaColumn.INTEGER: types_pb2.SimpleType.INTEGER,
    types_pb2.SchemaType.SchemaColumn.FLOAT: types_pb2.SimpleType.FLOAT,
    types_pb2.SchemaType.SchemaColumn.STRING: types_pb2.SimpleType.STRING,
    types_pb2.SchemaType.SchemaColumn.BOOLEAN: types_pb2.SimpleType.BOOLEAN,
    types_pb2.SchemaType.SchemaColumn.DATETIME: types_pb2.SimpleType.DATETIME,
    types_pb2.SchemaType.SchemaColumn.DURATION: types_pb2.SimpleType.DURATION,
}


def _schema_column_matches(column_type: int, literal_type: types_pb2.LiteralType) -> bool:
    return _SCHEMA_COLUMN_SIMPLE.get(column_type) == _simple(literal_type)


def _simple(literal_type: types_pb2.LiteralType) -> int | None:
    return literal_type.simple if literal_type.WhichOneof("type") == "simple" else None


def _differ_simply(left: types_pb2.LiteralType, right: types_pb2.LiteralType) -> bool:
    """Both are simple types other than none, and not the same one."""
    kinds = {_simple(left), _simple(right)}
    return len(kinds) == 2 and None not in kinds and _NONE not in kinds


def _is_none(literal_type: types_pb2.LiteralType) -> bool:
    return _simple(literal_type) == _NONE


def _is_optional(literal_type: types_pb2.LiteralType) -> bool:
    return literal_type.HasField("union_type") and any(_is_none(v) for v in literal_type.union_type.variants)


def _primitive_type(primitive: literals_pb2.Primitive) -> types_pb2.LiteralType:
    simple = {
        "integer": types_pb2.SimpleType.INTEGER,
        "float_value": types_pb2.SimpleType.FLOAT,
        "string_value": types_pb2.SimpleType.STRING,
        "boolean": types_pb2.SimpleType.BOOLEAN,
        "datetime": types_pb2.SimpleType.DATETIME,
        "duration": types_pb2.SimpleType.DURATION,
    }.get(primitive.WhichOneof("value") or "", _NONE)
    return types_pb2.LiteralType(simple=simple)


def _scalar_type(scalar: literals_pb2.Scalar) -> types_pb2.LiteralType | None:
    """The type of a constant, as propeller infers it (``literalTypeForScalar``)."""
    kind = scalar.WhichOneof("value")
    if kind == "primitive":
        return _primitive_type(scalar.primitive)
    if kind == "blob":
        return types_pb2.LiteralType(blob=scalar.blob.metadata.type) if scalar.blob.HasField("metadata") else None
    if kind == "binary":
        return types_pb2.LiteralType(simple=types_pb2.SimpleType.BINARY)
    if kind == "schema":
        return types_pb2.LiteralType(schema=scalar.schema.type)
    if kind == "structured_dataset":
        return types_pb2.LiteralType(structured_dataset_type=scalar.structured_dataset.metadata.structured_dataset_type)
    if kind == "none_type":
        return types_pb2.LiteralType(simple=_NONE)
    if kind == "error":
        return types_pb2.LiteralType(simple=types_pb2.SimpleType.ERROR)
    if kind == "generic":
        return types_pb2.LiteralType(simple=_STRUCT)
    if kind == "union":
        return types_pb2.LiteralType(union_type=types_pb2.UnionType(variants=[scalar.union.type]))
    return None


def _type_name(literal_type: types_pb2.LiteralType) -> str:
    """A short, readable name of a type for error messages (``list[integer]``, ``union[string | none]``)."""
    kind = literal_type.WhichOneof("type")
    if kind == "simple":
        return types_pb2.SimpleType.Name(literal_type.simple).lower()
    if kind == "collection_type":
        return f"list[{_type_name(literal_type.collection_type)}]"
    if kind == "map_value_type":
        return f"dict[string, {_type_name(literal_type.map_value_type)}]"
    if kind == "union_type":
        return f"union[{' | '.join(_type_name(v) for v in literal_type.union_type.variants)}]"
    if kind == "enum_type":
        return f"enum[{', '.join(literal_type.enum_type.values)}]"
    if kind == "blob":
        dimensionality = "multipart" if literal_type.blob.dimensionality else "single"
        return f"blob({literal_type.blob.format or 'any format'}, {dimensionality})"
    if kind == "structured_dataset_type":
        return f"structured dataset({literal_type.structured_dataset_type.format or 'any format'})"
    if kind == "schema":
        return "schema"
    return "untyped"


# ----------------------------------------------------------------------------------------------------------------
# Small pieces
# ----------------------------------------------------------------------------------------------------------------


def _key(identifier: Identifier) -> tuple[object, ...]:
    return (
        identifier.resource_type,
        identifier.org,
        identifier.project,
        identifier.domain,
        identifier.name,
        identifier.version,
    )


def _sort_key(identifier: Identifier) -> tuple[object, ...]:
    """propeller's ``IdentifierSet.List`` order: resource type, project, domain, name, version."""
    return (identifier.resource_type, identifier.project, identifier.domain, identifier.name, identifier.version)


def _describe(identifier: Identifier) -> str:
    kind = {_TASK: "task", _WORKFLOW: "workflow", identifier_pb2.ResourceType.LAUNCH_PLAN: "launch plan"}.get(
        identifier.resource_type, "entity"
    )
    return (
        f"{kind} '{identifier.name}' (project '{identifier.project}', domain '{identifier.domain}', "
        f"version '{identifier.version}')"
    )


def _names(params: interface_pb2.VariableMap | None) -> str:
    names = sorted(params.variables) if params is not None else []
    return f" (its inputs: {', '.join(names)})" if names else " (it has no inputs)"


def _empty_interface() -> interface_pb2.TypedInterface:
    iface = interface_pb2.TypedInterface()
    iface.inputs.SetInParent()
    iface.outputs.SetInParent()
    return iface


def _copy(identifier: Identifier) -> Identifier:
    copied = Identifier()
    copied.CopyFrom(identifier)
    return copied


def _copied(message: _M) -> _M:
    """A standalone copy, so compiling never edits the caller's messages."""
    copied = type(message)()
    copied.CopyFrom(message)
    return copied


def _promise_bindings(variables: interface_pb2.VariableMap, node_id: str) -> list[literals_pb2.Binding]:
    """One promise binding per variable, reading the same-named output of ``node_id`` (sorted by name)."""
    return [
        literals_pb2.Binding(
            var=name, binding=literals_pb2.BindingData(promise=types_pb2.OutputReference(node_id=node_id, var=name))
        )
        for name in sorted(variables.variables)
    ]


_BASE32_ALPHABET = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "abcdefghijklmnopqrstuvwxyz123456")


def fixed_length_unique_id(value: str, max_length: int) -> str:
    """flytestdlib's ``FixedLengthUniqueID``: ``value`` if short enough, else ``f`` + base32(FNV-1a 32 of it)."""
    data = value.encode()
    if len(data) <= max_length:
        return value
    digest = 0x811C9DC5
    for byte in data:
        digest = ((digest ^ byte) * 0x01000193) & 0xFFFFFFFF
    encoded = base64.b32encode(digest.to_bytes(4, "big")).decode().rstrip("=")
    return "f" + encoded.translate(_BASE32_ALPHABET)

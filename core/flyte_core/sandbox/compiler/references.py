"""What a workflow refers to (``GetRequirements``): every task and launch plan its nodes (and the sub-workflows
they call, branch children, array sub-nodes and failure nodes) name, looked up once each; and the identifier keys,
descriptions and message copies the whole compiler uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from flyteidl.core import identifier_pb2, workflow_pb2
from flyteidl.core.identifier_pb2 import Identifier
from google.protobuf.message import Message

from flyte_core.sandbox.compiler.graph import CompileError

_TASK = identifier_pb2.ResourceType.TASK
_WORKFLOW = identifier_pb2.ResourceType.WORKFLOW

_M = TypeVar("_M", bound=Message)


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


def _copy(identifier: Identifier) -> Identifier:
    copied = Identifier()
    copied.CopyFrom(identifier)
    return copied


def _copied(message: _M) -> _M:
    """A standalone copy, so compiling never edits the caller's messages."""
    copied = type(message)()
    copied.CopyFrom(message)
    return copied

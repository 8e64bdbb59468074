"""The compile entry points: the tasks and launch plans a workflow spec needs, the closure flyteadmin's
CreateWorkflow makes of it, the closure propeller makes of a dynamic task's futures, and the digest that tells
identical from conflicting re-registration.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from flyteidl.admin import workflow_pb2 as admin_workflow_pb2
from flyteidl.core import compiler_pb2, dynamic_job_pb2, interface_pb2, tasks_pb2, workflow_pb2
from flyteidl.core.identifier_pb2 import Identifier

from flyte_core.sandbox.compiler.graph import CompileError, _Catalog
from flyte_core.sandbox.compiler.references import (
    _WORKFLOW,
    _copied,
    _copy,
    _describe,
    _key,
    _look_up,
    _references,
    _sort_key,
)
from flyte_core.sandbox.compiler.workflow import _WorkflowCompiler


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


def closure_digest(closure: compiler_pb2.CompiledWorkflowClosure) -> bytes:
    """A stable digest (sha256 of the deterministic serialization): tells identical from conflicting
    re-registration."""
    return hashlib.sha256(closure.SerializeToString(deterministic=True)).digest()


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

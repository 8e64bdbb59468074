"""What each kind of node does once it is ready: tasks (and dynamic tasks), branches, sub-workflows, launch plans,
gates, array nodes and the end node (flytepropeller's ``nodes/*`` handlers).

A handler is asked to ``prepare`` a node whose inputs were just written (a cached task finishes there, before
it is ever queued), to ``progress`` it at every pass while it is active, and to ``abort`` what it runs.
"""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING, Protocol

from flyteidl.core import (
    catalog_pb2,
    compiler_pb2,
    dynamic_job_pb2,
    execution_pb2,
    identifier_pb2,
    literals_pb2,
    tasks_pb2,
    types_pb2,
    workflow_pb2,
)
from flyteidl.event import event_pb2

from flyte_core.sandbox.engine import reporting, tasks
from flyte_core.sandbox.engine.bindings import materialize
from flyte_core.sandbox.engine.conditions import BranchError, decide_branch
from flyte_core.sandbox.engine.naming import generated_name, unique_node_id
from flyte_core.sandbox.engine.runner import AttemptResult
from flyte_core.sandbox.engine.state import (
    ACTIVE,
    ItemState,
    NodeState,
    error_record,
    execution_error,
    new_error,
)

if TYPE_CHECKING:
    from flyte_core.sandbox.engine.workflow import ExecutionRun, Scope

_log = logging.getLogger("flyte_core.sandbox.engine")

ExecutionError = execution_pb2.ExecutionError
CacheStatus = catalog_pb2.CatalogCacheStatus
NONE_LITERAL = literals_pb2.Literal(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void()))


class NodeHandler(Protocol):
    def prepare(
        self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, inputs: literals_pb2.LiteralMap
    ) -> bool:
        """The node's inputs are written: True if that finished it (e.g. a cache hit), else it gets QUEUED."""
        ...

    def progress(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None: ...

    def abort(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, reason: str) -> None: ...


def handler_for(node: workflow_pb2.Node) -> NodeHandler:
    kind = node.WhichOneof("target")
    if kind == "task_node":
        return _TASK
    if kind == "branch_node":
        return _BRANCH
    if kind == "workflow_node":
        return _LAUNCH_PLAN if node.workflow_node.HasField("launchplan_ref") else _SUB_WORKFLOW
    if kind == "gate_node":
        return _GATE
    if kind == "array_node":
        return _ARRAY
    return _END


def branch_children(node: workflow_pb2.Node) -> list[workflow_pb2.Node]:
    if_else = node.branch_node.if_else
    children = [if_else.case.then_node, *(case.then_node for case in if_else.other)]
    if if_else.HasField("else_node"):
        children.append(if_else.else_node)
    return children


def _inputs(scope: Scope, unique_id: str) -> literals_pb2.LiteralMap:
    run = scope.run
    return run.read_map(run.blobs.uri(f"{run.data_dir(unique_id)}/inputs.pb"))


def _copy_outputs(run: ExecutionRun, source: str | None, unique_id: str, attempt: int) -> str | None:
    """A child DAG's outputs, copied into the node's own output prefix (as propeller does for sub-workflows)."""
    if source is None:
        return None
    return run.write_map(f"{run.attempt_dir(unique_id, attempt)}/outputs.pb", run.read_map(source))


# -- the end node -------------------------------------------------------------------------------------------------


class _EndHandler:
    def prepare(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, inputs: object) -> bool:
        return False

    def progress(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None:
        run = scope.run
        uri = run.write_map(f"{run.attempt_dir(unique_id, 0)}/outputs.pb", _inputs(scope, unique_id))
        scope.succeed(node, unique_id, st, uri)

    def abort(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, reason: str) -> None:
        pass


# -- task nodes ---------------------------------------------------------------------------------------------------


class _TaskHandler:
    def prepare(
        self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, inputs: literals_pb2.LiteralMap
    ) -> bool:
        try:
            template = scope.task(node.task_node.reference_id)
        except KeyError as exc:
            scope.fail(node, unique_id, st, ExecutionError(code="TaskNotFound", message=str(exc.args[0])))
            return True
        keyed = tasks.cache_template(node, template)
        if keyed is None:
            st.cache_status = CacheStatus.CACHE_DISABLED
            return False
        run = scope.run
        if run.spec.overwrite_cache:
            st.cache_status = CacheStatus.CACHE_SKIPPED
            return False
        outputs = _cached(run, keyed, inputs)
        if outputs is not None:
            st.cache_status = CacheStatus.CACHE_HIT
            uri = run.write_map(f"{run.attempt_dir(unique_id, 0)}/outputs.pb", outputs)
            scope.succeed(
                node, unique_id, st, uri, reporting.NodeDetails(task_metadata=_cache_metadata(run, keyed, st))
            )
            return True
        st.cache_status = CacheStatus.CACHE_MISS
        if keyed.metadata.cache_serializable:
            reservation = tasks.reservation_key(keyed, inputs)
            st.cache_waiting = not run.context.reservations.acquire(reservation, run.reservation_owner())
        return False

    def progress(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None:
        run = scope.run
        template = scope.task(node.task_node.reference_id)
        if st.dynamic:
            _progress_dynamic(scope, node, unique_id, st, template)
            return
        if st.cache_waiting and not self._wait_for_reservation(scope, node, unique_id, st, template):
            return
        task = _node_task_run(run, node, unique_id, st, template)
        for _ in range(tasks.MAX_SYSTEM_FAILURES + task.max_attempts + 1):
            if not self._step(scope, node, unique_id, st, template, task):
                return

    def _wait_for_reservation(
        self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, template: tasks_pb2.TaskTemplate
    ) -> bool:
        """A cache-serializable task another execution is computing: its outputs once cached, else wait."""
        run = scope.run
        keyed = tasks.cache_template(node, template)
        assert keyed is not None
        inputs = _inputs(scope, unique_id)
        outputs = _cached(run, keyed, inputs)
        if outputs is not None:
            st.cache_waiting = False
            st.cache_status = CacheStatus.CACHE_HIT
            uri = run.write_map(f"{run.attempt_dir(unique_id, 0)}/outputs.pb", outputs)
            scope.succeed(
                node, unique_id, st, uri, reporting.NodeDetails(task_metadata=_cache_metadata(run, keyed, st))
            )
            return False
        if run.context.reservations.acquire(tasks.reservation_key(keyed, inputs), run.reservation_owner()):
            st.cache_waiting = False
            run.changed()
            return True
        run.poll_later()
        return False

    def _step(
        self,
        scope: Scope,
        node: workflow_pb2.Node,
        unique_id: str,
        st: NodeState,
        template: tasks_pb2.TaskTemplate,
        task: tasks.TaskRun,
    ) -> bool:
        """One move of the current attempt; True when the next move may follow at once (a retry to start)."""
        run = scope.run
        timeout = task.timeout
        if unique_id not in run.live:
            if tasks.forget_orphan(run, st):
                st.phase_version += 1
                run.changed()
            if timeout is not None and time.time() > st.queued_at + 2 * timeout:
                self._time_out(scope, node, unique_id, st, task, timeout)
                return False
            if not run.acquire_slot(unique_id):
                if timeout is not None:
                    run.wake_at(st.queued_at + 2 * timeout)
                return False
            error = tasks.start_attempt(run, task)
            if error is not None:
                run.release_unused_slot()
                self._finish_failed(scope, node, unique_id, st, template, error)
                return False
            st.task_phase = "RUNNING"
            run.report_task(reporting.task_event(_task_attempt(run, task, st), "RUNNING", st.phase_version))
            if st.phase == "QUEUED":
                details = reporting.NodeDetails(
                    task_metadata=_cache_metadata(run, tasks.cache_template(node, template), st)
                )
                scope.report(node, unique_id, st, "RUNNING", details)
            run.changed()
        code = run.take_exit(unique_id)
        if code is None:
            if timeout is None or st.started_at is None:
                return False
            now = time.time()
            if now > st.queued_at + 2 * timeout:
                run.kill(unique_id)
                tasks.forget_orphan(run, st)
                self._time_out(scope, node, unique_id, st, task, timeout)
                return False
            if now > st.started_at + timeout:
                run.kill(unique_id)
                tasks.forget_orphan(run, st)
                result = AttemptResult("failed", tasks.timeout_error(timeout), recoverable=True)
            else:
                run.wake_at(min(st.started_at + timeout, st.queued_at + 2 * timeout))
                return False
        else:
            result = tasks.result_of(run, task, code)
        run.changed()
        attempt = _task_attempt(run, task, st)
        if result.outcome == "succeeded":
            output_uri = f"{task.output_uri(run.blobs)}/outputs.pb"
            run.report_task(reporting.task_event(attempt, "SUCCEEDED", st.phase_version, output_uri=output_uri))
            st.task_phase = "SUCCEEDED"
            keyed = tasks.cache_template(node, template)
            _populate_cache(run, keyed, st, _inputs(scope, unique_id), output_uri)
            details = reporting.NodeDetails(
                task_metadata=_cache_metadata(run, keyed, st), deck_uri=_deck(run, task.output_uri(run.blobs))
            )
            scope.succeed(node, unique_id, st, output_uri, details)
            return False
        if result.outcome == "dynamic":
            output_uri = f"{task.output_uri(run.blobs)}/outputs.pb"
            run.report_task(reporting.task_event(attempt, "SUCCEEDED", st.phase_version, output_uri=output_uri))
            st.task_phase = "SUCCEEDED"
            st.dynamic = True
            _progress_dynamic(scope, node, unique_id, st, template)
            return False
        assert result.error is not None
        run.report_task(reporting.task_event(attempt, "FAILED", st.phase_version, error=result.error))
        final = tasks.next_attempt(st, result, task.max_attempts)
        if final is None:
            return True
        self._finish_failed(scope, node, unique_id, st, template, final)
        return False

    def _time_out(
        self,
        scope: Scope,
        node: workflow_pb2.Node,
        unique_id: str,
        st: NodeState,
        task: tasks.TaskRun,
        timeout: float,
    ) -> None:
        run = scope.run
        run.cancel_slot_request(unique_id)
        if st.task_phase == "RUNNING":
            event = reporting.task_event(_task_attempt(run, task, st), "ABORTED", st.phase_version, reason="timed out")
            run.report_task(event)
        _release_reservation(scope, node, unique_id, st)
        error = ExecutionError(
            code="Timeout",
            message=f"task active timeout [{tasks.describe_timeout(2 * timeout)}] expired",
            kind=ExecutionError.USER,
        )
        scope.fail(node, unique_id, st, error, phase="TIMED_OUT")

    def _finish_failed(
        self,
        scope: Scope,
        node: workflow_pb2.Node,
        unique_id: str,
        st: NodeState,
        template: tasks_pb2.TaskTemplate,
        error: execution_pb2.ExecutionError,
    ) -> None:
        _release_reservation(scope, node, unique_id, st)
        details = reporting.NodeDetails(
            task_metadata=_cache_metadata(scope.run, tasks.cache_template(node, template), st)
        )
        scope.fail(node, unique_id, st, error, details)

    def abort(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, reason: str) -> None:
        run = scope.run
        if st.dynamic:
            child = _dynamic_scope(scope, node, unique_id, st)
            if child is not None:
                child.abort_active(reason)
            return
        run.cancel_slot_request(unique_id)
        run.kill(unique_id)
        tasks.forget_orphan(run, st)
        if st.task_phase == "RUNNING":
            template = scope.task(node.task_node.reference_id)
            task = _node_task_run(run, node, unique_id, st, template)
            run.report_task(
                reporting.task_event(_task_attempt(run, task, st), "ABORTED", st.phase_version, reason=reason)
            )
            st.task_phase = "ABORTED"
        _release_reservation(scope, node, unique_id, st)


def _node_task_run(
    run: ExecutionRun, node: workflow_pb2.Node, unique_id: str, st: NodeState, template: tasks_pb2.TaskTemplate
) -> tasks.TaskRun:
    data_dir = run.data_dir(unique_id)
    return tasks.TaskRun(
        template=template,
        key=unique_id,
        unique_id=unique_id,
        record=st,
        input_uri=run.blobs.uri(f"{data_dir}/inputs.pb"),
        input_prefix=run.blobs.uri(data_dir),
        output_dir=lambda attempt: run.attempt_dir(unique_id, attempt),
        raw_prefix=lambda attempt: run.raw_prefix(unique_id, attempt),
        log_path=lambda attempt: run.log_path(unique_id, attempt),
        name_key=unique_id,
        max_attempts=tasks.max_attempts(node, template),
        timeout=tasks.timeout_seconds(node, template),
    )


def _task_attempt(run: ExecutionRun, task: tasks.TaskRun, record: NodeState | ItemState) -> reporting.TaskAttempt:
    return reporting.TaskAttempt(
        task_id=task.template.id,
        node=identifier_pb2.NodeExecutionIdentifier(node_id=task.unique_id, execution_id=run.execution),
        retry_attempt=record.attempt,
        task_type=task.template.type,
        generated_name=generated_name(run.execution.name, task.name_key, record.attempt),
        input_uri=task.input_uri,
        interruptible=task.template.metadata.interruptible,
        logs=[reporting.log_link(task.log_path(record.attempt))],
    )


def _deck(run: ExecutionRun, output_prefix: str) -> str:
    uri = f"{output_prefix}/deck.html"
    return uri if run.blobs.exists(uri) else ""


def _cached(
    run: ExecutionRun, keyed: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap
) -> literals_pb2.LiteralMap | None:
    try:
        return run.host.cached_outputs(keyed, inputs)
    except Exception:
        return None


def _populate_cache(
    run: ExecutionRun,
    keyed: tasks_pb2.TaskTemplate | None,
    record: NodeState | ItemState,
    inputs: literals_pb2.LiteralMap,
    output_uri: str,
) -> None:
    if keyed is None or record.cache_status == CacheStatus.CACHE_HIT:
        return
    try:
        outputs = run.read_map(output_uri) if run.blobs.exists(output_uri) else literals_pb2.LiteralMap()
        run.host.cache_outputs(keyed, inputs, outputs)
        record.cache_status = CacheStatus.CACHE_POPULATED
    except Exception:
        record.cache_status = CacheStatus.CACHE_PUT_FAILURE
    if isinstance(record, NodeState):
        run.context.reservations.release(tasks.reservation_key(keyed, inputs), run.reservation_owner())


def _release_reservation(scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None:
    if node.WhichOneof("target") != "task_node":
        return
    keyed = tasks.cache_template(node, scope.task(node.task_node.reference_id))
    if keyed is not None and keyed.metadata.cache_serializable:
        reservation = tasks.reservation_key(keyed, _inputs(scope, unique_id))
        scope.run.context.reservations.release(reservation, scope.run.reservation_owner())


def _cache_metadata(
    run: ExecutionRun, keyed: tasks_pb2.TaskTemplate | None, record: NodeState | ItemState
) -> event_pb2.TaskNodeMetadata:
    metadata = event_pb2.TaskNodeMetadata(cache_status=record.cache_status)
    if keyed is not None:
        metadata.catalog_key.CopyFrom(tasks.catalog_metadata(keyed, run.execution))
    return metadata


# -- dynamic tasks ------------------------------------------------------------------------------------------------


def _dynamic_closure(
    scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, template: tasks_pb2.TaskTemplate
) -> tuple[compiler_pb2.CompiledWorkflowClosure, str]:
    """The compiled dynamic workflow (compiled once, then kept next to ``futures.pb``) and the futures' URI."""
    run = scope.run
    prefix = run.attempt_dir(unique_id, st.attempt)
    futures_uri = run.blobs.uri(f"{prefix}/futures.pb")
    compiled_path = f"{prefix}/dynamic_compiled.pb"
    if run.blobs.exists(compiled_path):
        return compiler_pb2.CompiledWorkflowClosure.FromString(run.blobs.read_bytes(compiled_path)), futures_uri
    futures = dynamic_job_pb2.DynamicJobSpec.FromString(run.blobs.read_bytes(futures_uri))
    closure = run.host.compile_dynamic(unique_id, template.interface, futures)
    run.blobs.write_bytes(compiled_path, closure.SerializeToString())
    return closure, futures_uri


def _dynamic_scope(scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> Scope | None:
    try:
        closure, _ = _dynamic_closure(scope, node, unique_id, st, scope.task(node.task_node.reference_id))
    except Exception:
        return None
    return scope.child(st, unique_id, closure.primary, closure, _inputs(scope, unique_id), dynamic_chain=True)


def _progress_dynamic(
    scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, template: tasks_pb2.TaskTemplate
) -> None:
    run = scope.run
    keyed = tasks.cache_template(node, template)
    try:
        closure, futures_uri = _dynamic_closure(scope, node, unique_id, st, template)
    except Exception as exc:
        error = ExecutionError(code="DynamicWorkflowBuildFailed", message=str(exc), kind=ExecutionError.USER)
        scope.fail(node, unique_id, st, error, reporting.NodeDetails(is_dynamic=True))
        return
    if st.phase != "DYNAMIC_RUNNING":
        metadata = _cache_metadata(run, keyed, st)
        metadata.dynamic_workflow.CopyFrom(
            event_pb2.DynamicWorkflowNodeMetadata(
                id=closure.primary.template.id, compiled_workflow=closure, dynamic_job_spec_uri=futures_uri
            )
        )
        details = reporting.NodeDetails(task_metadata=metadata, is_dynamic=True, is_parent=True)
        scope.report(node, unique_id, st, "DYNAMIC_RUNNING", details)
    inputs = _inputs(scope, unique_id)
    child = scope.child(st, unique_id, closure.primary, closure, inputs, dynamic_chain=True)
    status = child.advance()
    if status.phase == "SUCCEEDED":
        outputs = _copy_outputs(run, child.outputs_uri(), unique_id, st.attempt)
        if outputs is not None:
            _populate_cache(run, keyed, st, inputs, outputs)
        details = reporting.NodeDetails(task_metadata=_cache_metadata(run, keyed, st), is_dynamic=True, is_parent=True)
        scope.succeed(node, unique_id, st, outputs, details)
    elif status.phase == "FAILED":
        assert status.error is not None
        details = reporting.NodeDetails(is_dynamic=True, is_parent=True)
        scope.fail(node, unique_id, st, execution_error(status.error), details)


# -- branch nodes -------------------------------------------------------------------------------------------------


class _BranchHandler:
    def prepare(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, inputs: object) -> bool:
        return False

    def progress(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None:
        if st.taken is None:
            try:
                chosen, skipped = decide_branch(node.branch_node, _inputs(scope, unique_id))
            except BranchError as exc:
                scope.fail(
                    node, unique_id, st, ExecutionError(code=exc.code, message=str(exc), kind=ExecutionError.USER)
                )
                return
            st.taken = chosen.id
            for child in skipped:  # as propeller: marked skipped, never reported
                child_id = scope.unique_id(child.id, (unique_id, st.attempt))
                scope.run.state.nodes[child_id] = NodeState(
                    spec=child.id, parent=unique_id, retry_group=str(st.attempt), phase="SKIPPED"
                )
            scope.report(node, unique_id, st, "RUNNING")
        child = next(c for c in branch_children(node) if c.id == st.taken)
        child_st = scope.drive(child, (unique_id, st.attempt))
        if child_st.phase == "SUCCEEDED":
            scope.succeed(node, unique_id, st, child_st.outputs)
        elif child_st.phase in ("FAILED", "TIMED_OUT", "ABORTED"):
            error = child_st.error or new_error("BranchChildFailed", f"branch '{child.id}' {child_st.phase}")
            scope.fail(node, unique_id, st, execution_error(error))

    def abort(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, reason: str) -> None:
        if st.taken is None:
            return
        child = next(c for c in branch_children(node) if c.id == st.taken)
        child_id = scope.unique_id(child.id, (unique_id, st.attempt))
        child_st = scope.run.state.nodes.get(child_id)
        if child_st is not None and child_st.phase in ACTIVE:
            scope.abort_node(child, child_id, child_st, reason)


# -- sub-workflows and launch plans ------------------------------------------------------------------------------------


class _SubWorkflowHandler:
    def prepare(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, inputs: object) -> bool:
        try:
            scope.sub_workflow(node.workflow_node.sub_workflow_ref)
        except KeyError as exc:
            scope.fail(node, unique_id, st, ExecutionError(code="SubWorkflowNotFound", message=str(exc.args[0])))
            return True
        return False

    def _child(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> Scope:
        workflow = scope.sub_workflow(node.workflow_node.sub_workflow_ref)
        return scope.child(st, unique_id, workflow, scope.closure, _inputs(scope, unique_id), scope.dynamic_chain)

    def progress(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None:
        if st.phase == "QUEUED":
            scope.report(node, unique_id, st, "RUNNING")
        child = self._child(scope, node, unique_id, st)
        status = child.advance()
        if status.phase == "SUCCEEDED":
            scope.succeed(node, unique_id, st, _copy_outputs(scope.run, child.outputs_uri(), unique_id, st.attempt))
        elif status.phase == "FAILED":
            assert status.error is not None
            scope.fail(node, unique_id, st, execution_error(status.error))

    def abort(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, reason: str) -> None:
        self._child(scope, node, unique_id, st).abort_active(reason)


def _execution_id(child: dict[str, str]) -> identifier_pb2.WorkflowExecutionIdentifier:
    return identifier_pb2.WorkflowExecutionIdentifier(**child)


def _child_result(
    run: ExecutionRun, child: dict[str, str], output_path: str
) -> tuple[str | None, execution_pb2.ExecutionError | None] | None:
    """A launched execution's outcome: (outputs URI, None), (None, error), or None while it runs."""
    execution_id = _execution_id(child)
    record = run.host.get_execution(execution_id)
    phase = execution_pb2.WorkflowExecution.Phase.Name(record.closure.phase)
    if phase == "SUCCEEDED":
        return run.write_map(output_path, run.host.get_execution_outputs(execution_id)), None
    if phase in ("FAILED", "TIMED_OUT"):
        if record.closure.HasField("error"):
            return None, record.closure.error
        return None, ExecutionError(
            code="RemoteChildWorkflowExecutionFailed",
            message=f"execution {child['name']} {phase}",
            kind=ExecutionError.USER,
        )
    if phase == "ABORTED":
        cause = record.closure.abort_metadata.cause or record.closure.abort_cause
        return None, ExecutionError(
            code="RemoteChildWorkflowExecutionFailed",
            message=f"execution {child['name']} was aborted: {cause}",
            kind=ExecutionError.USER,
        )
    run.poll_later()
    return None


def _launch(
    run: ExecutionRun, launch_plan: identifier_pb2.Identifier, inputs: literals_pb2.LiteralMap, node_id: str
) -> dict[str, str]:
    parent = identifier_pb2.NodeExecutionIdentifier(node_id=node_id, execution_id=run.execution)
    child = run.host.launch_child_execution(launch_plan, inputs, parent)
    run.count_child()
    return {"project": child.project, "domain": child.domain, "name": child.name}


class _LaunchPlanHandler:
    def prepare(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, inputs: object) -> bool:
        return False

    def progress(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None:
        run = scope.run
        if st.child is None:
            if not run.can_start():
                return
            try:
                st.child = _launch(run, node.workflow_node.launchplan_ref, _inputs(scope, unique_id), unique_id)
            except Exception as exc:
                error = ExecutionError(code="LaunchPlanExecutionFailed", message=str(exc), kind=ExecutionError.USER)
                scope.fail(node, unique_id, st, error)
                return
            scope.report(node, unique_id, st, "RUNNING", self._details(st))
        outcome = _child_result(run, st.child, f"{run.attempt_dir(unique_id, st.attempt)}/outputs.pb")
        if outcome is None:
            return
        outputs, error = outcome
        if error is None:
            scope.succeed(node, unique_id, st, outputs, self._details(st))
        else:
            details = self._details(st)
            scope.fail(node, unique_id, st, error, details)

    def _details(self, st: NodeState) -> reporting.NodeDetails:
        assert st.child is not None
        return reporting.NodeDetails(
            workflow_metadata=event_pb2.WorkflowNodeMetadata(execution_id=_execution_id(st.child))
        )

    def abort(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, reason: str) -> None:
        if st.child is not None:
            _terminate_child(scope.run, st.child, reason)


def _terminate_child(run: ExecutionRun, child: dict[str, str], reason: str) -> None:
    try:
        run.host.terminate_execution(_execution_id(child), reason)
    except Exception as exc:  # the child may have ended already; the parent's abort goes on
        _log.warning("cannot abort the child execution %s: %s", child["name"], exc)


# -- gate nodes ---------------------------------------------------------------------------------------------------


class _GateHandler:
    def prepare(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, inputs: object) -> bool:
        return False

    def progress(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None:
        run = scope.run
        gate = node.gate_node
        if st.phase == "QUEUED":
            st.started_at = time.time()
            scope.report(node, unique_id, st, "RUNNING")
        output_path = f"{run.attempt_dir(unique_id, st.attempt)}/outputs.pb"
        kind = gate.WhichOneof("condition")
        if kind == "sleep":
            assert st.started_at is not None
            wake = st.started_at + gate.sleep.duration.ToTimedelta().total_seconds()
            if time.time() >= wake:
                scope.succeed(node, unique_id, st, None)
            else:
                run.wake_at(wake)
            return
        if kind == "signal":
            value = run.host.get_or_create_signal(run.execution, gate.signal.signal_id, gate.signal.type)
            if value is None or value.WhichOneof("value") is None:
                run.poll_later()
                return
            outputs = literals_pb2.LiteralMap(literals={gate.signal.output_variable_name: value})
            scope.succeed(node, unique_id, st, run.write_map(output_path, outputs))
            return
        if kind == "approve":
            boolean = types_pb2.LiteralType(simple=types_pb2.BOOLEAN)
            value = run.host.get_or_create_signal(run.execution, gate.approve.signal_id, boolean)
            if value is None or value.WhichOneof("value") is None:
                run.poll_later()
                return
            if not (value.HasField("scalar") and value.scalar.primitive.WhichOneof("value") == "boolean"):
                error = ExecutionError(
                    code="RuntimeExecutionError", message=f"received a non-boolean approve signal value [{value}]"
                )
                scope.fail(node, unique_id, st, error)
            elif not value.scalar.primitive.boolean:
                error = ExecutionError(
                    code="ReceivedRejectSignal",
                    message="received a reject signal to disapprove the node input values",
                    kind=ExecutionError.USER,
                )
                scope.fail(node, unique_id, st, error)
            else:
                scope.succeed(node, unique_id, st, run.write_map(output_path, _inputs(scope, unique_id)))
            return
        scope.fail(
            node,
            unique_id,
            st,
            ExecutionError(
                code="BadSpecificationError",
                message="gateNode does not have a supported condition reference",
                kind=ExecutionError.SYSTEM,
            ),
        )

    def abort(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, reason: str) -> None:
        pass


# -- array nodes --------------------------------------------------------------------------------------------------


class _ArrayHandler:
    """Map tasks and other array nodes: one sub-node per element, reported as the external resources of one task
    execution of the array node (propeller's ArrayNode with its default event version)."""

    def prepare(
        self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, inputs: literals_pb2.LiteralMap
    ) -> bool:
        array = node.array_node
        bound = set(array.bound_inputs)
        size: int | None = None
        for name, literal in inputs.literals.items():
            if name in bound:
                continue
            literal = materialize(literal, scope.run.blobs)
            if literal.WhichOneof("value") != "collection":
                continue
            length = len(literal.collection.literals)
            if size is None:
                size = length
            elif size != length:
                error = ExecutionError(
                    code="InvalidArrayLength",
                    message=f"input arrays have different lengths: expecting '{size}' found '{length}'",
                    kind=ExecutionError.USER,
                )
                scope.fail(node, unique_id, st, error)
                return True
        if size is None:
            error = ExecutionError(
                code="InvalidArrayLength", message="no input array provided", kind=ExecutionError.USER
            )
            scope.fail(node, unique_id, st, error)
            return True
        sub = array.node
        if sub.WhichOneof("target") == "task_node":
            try:
                template = scope.task(sub.task_node.reference_id)
            except KeyError as exc:
                scope.fail(node, unique_id, st, ExecutionError(code="TaskNotFound", message=str(exc.args[0])))
                return True
            st.array_outputs = list(template.interface.outputs.variables)
        elif not (sub.WhichOneof("target") == "workflow_node" and sub.workflow_node.HasField("launchplan_ref")):
            error = ExecutionError(
                code="BadSpecificationError",
                message=f"array node '{node.id}': the sandbox runs array nodes over tasks and launch plans only",
                kind=ExecutionError.USER,
            )
            scope.fail(node, unique_id, st, error)
            return True
        st.items = [ItemState() for _ in range(size)]
        return False

    # -- per element --

    def _item_inputs(
        self, scope: Scope, node: workflow_pb2.Node, unique_id: str, index: int
    ) -> literals_pb2.LiteralMap:
        bound = set(node.array_node.bound_inputs)
        item = literals_pb2.LiteralMap()
        for name, literal in _inputs(scope, unique_id).literals.items():
            value = materialize(literal, scope.run.blobs) if name not in bound else literal
            if name not in bound and value.WhichOneof("value") == "collection":
                item.literals[name].CopyFrom(value.collection.literals[index])
            else:
                item.literals[name].CopyFrom(literal)
        return item

    def _task_run(
        self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, index: int, item: ItemState
    ) -> tasks.TaskRun:
        run = scope.run
        sub = node.array_node.node
        template = scope.task(sub.task_node.reference_id)
        data_dir = run.data_dir(unique_id)
        item_dir = f"{run.attempt_dir(unique_id, st.attempt)}/{index}"
        if node.array_node.data_mode == workflow_pb2.ArrayNode.INDIVIDUAL_INPUT_FILES:
            input_uri = run.blobs.uri(f"{item_dir}/inputs.pb")
        else:
            input_uri = run.blobs.uri(f"{data_dir}/inputs.pb")
        return tasks.TaskRun(
            template=template,
            key=f"{unique_id}/{index}",
            unique_id=unique_id,
            record=item,
            input_uri=input_uri,
            input_prefix=run.blobs.uri(data_dir),
            output_dir=lambda attempt: f"{item_dir}/{attempt}",
            raw_prefix=lambda attempt: run.raw_prefix(unique_id, st.attempt, index, attempt),
            log_path=lambda attempt: run.log_path(unique_id, index, attempt),
            name_key=f"{unique_id}-n{index}",
            max_attempts=tasks.max_attempts(sub, template),
            timeout=tasks.timeout_seconds(sub, template),
            extra_env={"BATCH_JOB_ARRAY_INDEX_VAR_NAME": "FLYTE_K8S_ARRAY_INDEX", "FLYTE_K8S_ARRAY_INDEX": str(index)},
        )

    def _external(
        self, run: ExecutionRun, unique_id: str, index: int, item: ItemState, phase: str, task: tasks.TaskRun | None
    ) -> event_pb2.ExternalResourceInfo:
        name = generated_name(run.execution.name, f"{unique_id}-n{index}", item.attempt)
        info = event_pb2.ExternalResourceInfo(
            external_id=f"{name}-n{index}-{item.attempt}",
            index=index,
            retry_attempt=item.attempt,
            phase=execution_pb2.TaskExecution.Phase.Value(phase),
            cache_status=item.cache_status,
        )
        if task is not None:
            info.logs.append(reporting.log_link(task.log_path(item.attempt), name=f"Task Logs-{index}"))
        if item.child is not None:
            info.workflow_node_metadata.execution_id.CopyFrom(_execution_id(item.child))
        return info

    def _progress_task_item(
        self,
        scope: Scope,
        node: workflow_pb2.Node,
        unique_id: str,
        st: NodeState,
        index: int,
        item: ItemState,
        externals: list[event_pb2.ExternalResourceInfo],
    ) -> None:
        run = scope.run
        task = self._task_run(scope, node, unique_id, st, index, item)
        keyed = tasks.cache_template(node.array_node.node, task.template)
        if item.phase == "NOT_STARTED":
            inputs = self._item_inputs(scope, node, unique_id, index)
            if keyed is not None and run.spec.overwrite_cache:
                item.cache_status = CacheStatus.CACHE_SKIPPED
            elif keyed is not None:
                outputs = _cached(run, keyed, inputs)
                if outputs is not None:
                    item.cache_status = CacheStatus.CACHE_HIT
                    item.outputs = run.write_map(f"{task.output_dir(0)}/outputs.pb", outputs)
                    item.phase = "SUCCEEDED"
                    externals.append(self._external(run, unique_id, index, item, "SUCCEEDED", None))
                    run.changed()
                    return
                item.cache_status = CacheStatus.CACHE_MISS
            if node.array_node.data_mode == workflow_pb2.ArrayNode.INDIVIDUAL_INPUT_FILES:
                run.write_map(run.blobs.relative(task.input_uri), inputs)
            item.phase = "QUEUED"
            run.changed()
        for _ in range(tasks.MAX_SYSTEM_FAILURES + task.max_attempts + 1):
            if not self._step_item(scope, node, unique_id, index, item, task, keyed, externals):
                return

    def _step_item(
        self,
        scope: Scope,
        node: workflow_pb2.Node,
        unique_id: str,
        index: int,
        item: ItemState,
        task: tasks.TaskRun,
        keyed: tasks_pb2.TaskTemplate | None,
        externals: list[event_pb2.ExternalResourceInfo],
    ) -> bool:
        run = scope.run
        if task.key not in run.live:
            if tasks.forget_orphan(run, item):
                item.phase_version += 1
            if not run.acquire_slot(task.key):
                return False
            error = tasks.start_attempt(run, task)
            if error is not None:
                run.release_unused_slot()
                item.phase = "FAILED"
                item.error = error_record(error)
                externals.append(self._external(run, unique_id, index, item, "FAILED", task))
                run.changed()
                return False
            item.phase = "RUNNING"
            item.task_phase = "RUNNING"
            externals.append(self._external(run, unique_id, index, item, "RUNNING", task))
            run.changed()
        code = run.take_exit(task.key)
        if code is None:
            if task.timeout is None or item.started_at is None:
                return False
            if time.time() <= item.started_at + task.timeout:
                run.wake_at(item.started_at + task.timeout)
                return False
            run.kill(task.key)
            tasks.forget_orphan(run, item)
            result = AttemptResult("failed", tasks.timeout_error(task.timeout), recoverable=True)
        else:
            result = tasks.result_of(run, task, code)
        run.changed()
        if result.outcome == "succeeded":
            item.outputs = f"{task.output_uri(run.blobs)}/outputs.pb"
            item.phase = "SUCCEEDED"
            item.task_phase = "SUCCEEDED"
            _populate_cache(run, keyed, item, self._item_inputs(scope, node, unique_id, index), item.outputs)
            externals.append(self._external(run, unique_id, index, item, "SUCCEEDED", task))
            return False
        if result.outcome == "dynamic":
            result = AttemptResult(
                "failed",
                ExecutionError(
                    code="DynamicInArrayNode",
                    message="a dynamic task cannot run in an array node",
                    kind=ExecutionError.USER,
                ),
            )
        assert result.error is not None
        item.error = error_record(result.error)
        item.task_phase = "FAILED"
        externals.append(self._external(run, unique_id, index, item, "FAILED", task))
        final = tasks.next_attempt(item, result, task.max_attempts)
        if final is None:
            item.phase = "QUEUED"
            return True
        item.error = error_record(final)
        item.phase = "FAILED"
        return False

    def _progress_launch_plan_item(
        self,
        scope: Scope,
        node: workflow_pb2.Node,
        unique_id: str,
        st: NodeState,
        index: int,
        item: ItemState,
        externals: list[event_pb2.ExternalResourceInfo],
    ) -> None:
        run = scope.run
        item_dir = f"{run.attempt_dir(unique_id, st.attempt)}/{index}/{item.attempt}"
        if item.child is None:
            if not run.can_start():
                item.phase = "QUEUED"
                return
            sub_id = unique_node_id(f"n{index}", unique_id, st.attempt)
            inputs = self._item_inputs(scope, node, unique_id, index)
            try:
                item.child = _launch(run, node.array_node.node.workflow_node.launchplan_ref, inputs, sub_id)
            except Exception as exc:
                item.phase = "FAILED"
                item.error = new_error("LaunchPlanExecutionFailed", str(exc))
                externals.append(self._external(run, unique_id, index, item, "FAILED", None))
                run.changed()
                return
            item.phase = "RUNNING"
            externals.append(self._external(run, unique_id, index, item, "RUNNING", None))
            run.changed()
        outcome = _child_result(run, item.child, f"{item_dir}/outputs.pb")
        if outcome is None:
            return
        outputs, error = outcome
        if error is None:
            item.outputs = outputs
            item.phase = "SUCCEEDED"
        else:
            item.error = error_record(error)
            item.phase = "FAILED"
        externals.append(self._external(run, unique_id, index, item, item.phase, None))
        run.changed()

    # -- the whole array --

    def _task_attempt(self, scope: Scope, node: workflow_pb2.Node, unique_id: str) -> reporting.TaskAttempt:
        run = scope.run
        sub = node.array_node.node
        if sub.WhichOneof("target") == "task_node":
            task_id = scope.task(sub.task_node.reference_id).id
        else:
            task_id = sub.workflow_node.launchplan_ref
        return reporting.TaskAttempt(
            task_id=task_id,
            node=identifier_pb2.NodeExecutionIdentifier(node_id=unique_id, execution_id=run.execution),
            retry_attempt=0,
            task_type="container_array",
            generated_name=generated_name(run.execution.name, unique_id, 0),
            input_uri=run.blobs.uri(f"{run.data_dir(unique_id)}/inputs.pb"),
            plugin="k8s-array",
        )

    def progress(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None:
        run = scope.run
        array = node.array_node
        items = st.items or []
        attempt = self._task_attempt(scope, node, unique_id)
        if st.phase == "QUEUED":
            scope.report(node, unique_id, st, "RUNNING")
            run.report_task(reporting.task_event(attempt, "QUEUED", 0))
            st.task_phase = "QUEUED"
        if array.WhichOneof("parallelism_option") == "parallelism" and array.parallelism > 0:
            parallelism = array.parallelism
        else:
            parallelism = max(len(items), 1)
        over_tasks = array.node.WhichOneof("target") == "task_node"
        externals: list[event_pb2.ExternalResourceInfo] = []
        busy = sum(1 for item in items if item.phase in ("QUEUED", "RUNNING"))
        for index, item in enumerate(items):
            if item.phase in ("SUCCEEDED", "FAILED", "ABORTED"):
                continue
            if item.phase == "NOT_STARTED":
                if busy >= parallelism:
                    continue
                busy += 1
            if over_tasks:
                self._progress_task_item(scope, node, unique_id, st, index, item, externals)
            else:
                self._progress_launch_plan_item(scope, node, unique_id, st, index, item, externals)
            if item.phase in ("SUCCEEDED", "FAILED"):
                busy -= 1
        self._judge(scope, node, unique_id, st, attempt, externals)

    def _minimum(self, array: workflow_pb2.ArrayNode, size: int) -> int:
        which = array.WhichOneof("success_criteria")
        if which == "min_successes":
            return array.min_successes
        if which == "min_success_ratio":
            return math.ceil(array.min_success_ratio * size)
        return size

    def _judge(
        self,
        scope: Scope,
        node: workflow_pb2.Node,
        unique_id: str,
        st: NodeState,
        attempt: reporting.TaskAttempt,
        externals: list[event_pb2.ExternalResourceInfo],
    ) -> None:
        run = scope.run
        items = st.items or []
        succeeded = sum(1 for item in items if item.phase == "SUCCEEDED")
        failed = [index for index, item in enumerate(items) if item.phase == "FAILED"]
        running = sum(1 for item in items if item.phase not in ("SUCCEEDED", "FAILED", "ABORTED"))
        minimum = self._minimum(node.array_node, len(items))
        if len(items) - len(failed) < minimum and not (node.array_node.run_all_sub_nodes and running):
            externals += self._abort_items(scope, unique_id, st, "the array node failed")
            error = self._error(items, failed, minimum)
            st.phase_version = 0
            run.report_task(reporting.task_event(attempt, "FAILED", 0, error=error, external_resources=externals))
            st.task_phase = "FAILED"
            scope.fail(node, unique_id, st, error)
            return
        if succeeded >= minimum and running == 0:
            outputs = self._gather(run, st)
            uri = run.write_map(f"{run.attempt_dir(unique_id, st.attempt)}/outputs.pb", outputs)
            run.report_task(reporting.task_event(attempt, "SUCCEEDED", 0, output_uri=uri, external_resources=externals))
            st.task_phase = "SUCCEEDED"
            scope.succeed(node, unique_id, st, uri)
            return
        if externals:
            st.phase_version += 1
            run.report_task(reporting.task_event(attempt, "RUNNING", st.phase_version, external_resources=externals))
            st.task_phase = "RUNNING"

    def _error(self, items: list[ItemState], failed: list[int], minimum: int) -> execution_pb2.ExecutionError:
        first = items[failed[0]].error if failed else None
        lines = [f"{len(failed)} of {len(items)} items failed; at least {minimum} had to succeed"]
        for index in failed[:10]:
            error = items[index].error or new_error("", "")
            lines.append(f"[{index}]: {error['code'] + ': ' if error['code'] else ''}{error['message']}")
        if len(failed) > 10:
            lines.append(f"... and {len(failed) - 10} more")
        return ExecutionError(
            code=first["code"] if first else "ArrayNodeFailed",
            message="\n".join(lines),
            kind=first["kind"] if first else ExecutionError.USER,
        )

    def _gather(self, run: ExecutionRun, st: NodeState) -> literals_pb2.LiteralMap:
        """The items' outputs as collections (None for items that failed), by output name."""
        items = st.items or []
        per_item = [
            run.read_map(item.outputs) if item.phase == "SUCCEEDED" and item.outputs else None for item in items
        ]
        names = list(st.array_outputs or [])
        if not names:
            for outputs in per_item:
                for name in outputs.literals if outputs is not None else ():
                    if name not in names:
                        names.append(name)
        gathered = literals_pb2.LiteralMap()
        for name in names:
            collection = gathered.literals[name].collection
            for outputs in per_item:
                if outputs is not None and name in outputs.literals:
                    collection.literals.add().CopyFrom(outputs.literals[name])
                else:
                    collection.literals.add().CopyFrom(NONE_LITERAL)
        return gathered

    def _abort_items(
        self, scope: Scope, unique_id: str, st: NodeState, reason: str
    ) -> list[event_pb2.ExternalResourceInfo]:
        run = scope.run
        aborted = []
        for index, item in enumerate(st.items or []):
            if item.phase not in ("QUEUED", "RUNNING"):
                continue
            key = f"{unique_id}/{index}"
            run.cancel_slot_request(key)
            run.kill(key)
            tasks.forget_orphan(run, item)
            if item.child is not None:
                _terminate_child(run, item.child, reason)
            item.phase = "ABORTED"
            aborted.append(self._external(run, unique_id, index, item, "ABORTED", None))
            run.changed()
        return aborted

    def abort(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, reason: str) -> None:
        externals = self._abort_items(scope, unique_id, st, reason)
        if st.task_phase in ("QUEUED", "RUNNING"):
            attempt = self._task_attempt(scope, node, unique_id)
            event = reporting.task_event(attempt, "ABORTED", 0, reason=reason, external_resources=externals)
            scope.run.report_task(event)
            st.task_phase = "ABORTED"


# -- failure nodes ------------------------------------------------------------------------------------------------


def add_failure_error(scope: Scope, node: workflow_pb2.Node, inputs: literals_pb2.LiteralMap) -> None:
    """A failure node's ``err`` input: the error the workflow failed with (as a FlyteError)."""
    if "err" not in inputs.literals:
        return
    status = scope.status
    message = status.error["message"] if status.error else ""
    error = literals_pb2.Literal(
        scalar=literals_pb2.Scalar(error=types_pb2.Error(failed_node_id=status.failed_node or "", message=message))
    )
    variant = _error_variant(scope, node)
    if variant is not None:
        error = literals_pb2.Literal(scalar=literals_pb2.Scalar(union=literals_pb2.Union(value=error, type=variant)))
    inputs.literals["err"].CopyFrom(error)


def _error_variant(scope: Scope, node: workflow_pb2.Node) -> types_pb2.LiteralType | None:
    """The ERROR variant of the failure task's ``err`` input when it is a union (``Optional[FlyteError]``)."""
    if node.WhichOneof("target") != "task_node":
        return None
    try:
        variables = scope.task(node.task_node.reference_id).interface.inputs.variables
    except KeyError:
        return None
    if "err" not in variables or variables["err"].type.WhichOneof("type") != "union_type":
        return None
    return next(
        (v for v in variables["err"].type.union_type.variants if v.simple == types_pb2.ERROR),
        None,
    )


_TASK = _TaskHandler()
_BRANCH = _BranchHandler()
_SUB_WORKFLOW = _SubWorkflowHandler()
_LAUNCH_PLAN = _LaunchPlanHandler()
_GATE = _GateHandler()
_ARRAY = _ArrayHandler()
_END = _EndHandler()

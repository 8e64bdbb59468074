"""Task nodes: a task's attempts as local processes, the task cache, and dynamic tasks (the workflow their
``futures.pb`` compiles to runs under their node) — flytepropeller's ``nodes/task`` and ``nodes/dynamic``."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TypeAlias

from flyteidl.core import (
    catalog_pb2,
    compiler_pb2,
    dynamic_job_pb2,
    execution_pb2,
    identifier_pb2,
    literals_pb2,
    tasks_pb2,
    workflow_pb2,
)
from flyteidl.event import event_pb2

from flyte_core.sandbox.engine import attempts, reporting
from flyte_core.sandbox.engine.naming import generated_name
from flyte_core.sandbox.engine.runner import AttemptResult
from flyte_core.sandbox.engine.state import ItemState, NodeState, execution_error

if TYPE_CHECKING:
    from flyte_core.sandbox.engine.workflow import ExecutionRun, Scope

ExecutionError: TypeAlias = execution_pb2.ExecutionError
CacheStatus: TypeAlias = catalog_pb2.CatalogCacheStatus


class TaskHandler:
    """A task node: the task cache first, then attempts until one succeeds or no retry is left; a dynamic
    task then runs the workflow it returned."""

    def prepare(
        self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, inputs: literals_pb2.LiteralMap
    ) -> bool:
        try:
            template = scope.task(node.task_node.reference_id)
        except KeyError as exc:
            scope.fail(node, unique_id, st, ExecutionError(code="TaskNotFound", message=str(exc.args[0])))
            return True
        if template.type == ECHO_TASK_TYPE:
            _echo(scope, node, unique_id, st, template, inputs)
            return True
        keyed = attempts.cache_template(node, template)
        if keyed is None:
            st.cache_status = CacheStatus.CACHE_DISABLED
            return False
        run = scope.run
        if run.spec.overwrite_cache:
            st.cache_status = CacheStatus.CACHE_SKIPPED
            return False
        outputs = cached_outputs(run, keyed, inputs)
        if outputs is not None:
            st.cache_status = CacheStatus.CACHE_HIT
            details = reporting.NodeDetails(task_metadata=cache_metadata(run, keyed, st))
            _succeed_without_running(scope, node, unique_id, st, outputs, details)
            return True
        st.cache_status = CacheStatus.CACHE_MISS
        if keyed.metadata.cache_serializable:
            reservation = attempts.reservation_key(keyed, inputs)
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
        for _ in range(attempts.MAX_SYSTEM_FAILURES + task.max_attempts + 1):
            if not self._step(scope, node, unique_id, st, template, task):
                return

    def _wait_for_reservation(
        self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, template: tasks_pb2.TaskTemplate
    ) -> bool:
        """A cache-serializable task another execution is computing: its outputs once cached, else wait."""
        run = scope.run
        keyed = attempts.cache_template(node, template)
        assert keyed is not None
        inputs = scope.run.node_inputs(unique_id)
        outputs = cached_outputs(run, keyed, inputs)
        if outputs is not None:
            st.cache_waiting = False
            st.cache_status = CacheStatus.CACHE_HIT
            details = reporting.NodeDetails(task_metadata=cache_metadata(run, keyed, st))
            _succeed_without_running(scope, node, unique_id, st, outputs, details)
            return False
        if run.context.reservations.acquire(attempts.reservation_key(keyed, inputs), run.reservation_owner()):
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
        task: attempts.TaskRun,
    ) -> bool:
        """One move of the current attempt; True when the next move may follow at once (a retry to start)."""
        run = scope.run
        timeout = task.timeout
        if unique_id not in run.live:
            if attempts.forget_orphan(run, st):
                st.phase_version += 1
                run.changed()
            if timeout is not None and time.time() > st.queued_at + 2 * timeout:
                self._time_out(scope, node, unique_id, st, task, timeout)
                return False
            if not run.acquire_slot(unique_id):
                if timeout is not None:
                    run.wake_at(st.queued_at + 2 * timeout)
                return False
            error = attempts.start_attempt(run, task)
            if error is not None:
                run.release_unused_slot()
                self._finish_failed(scope, node, unique_id, st, template, error)
                return False
            st.task_phase = "RUNNING"
            run.report_task(reporting.task_event(_task_attempt(run, task, st), "RUNNING", st.phase_version))
            if st.phase == "QUEUED":
                details = reporting.NodeDetails(
                    task_metadata=cache_metadata(run, attempts.cache_template(node, template), st)
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
                attempts.forget_orphan(run, st)
                self._time_out(scope, node, unique_id, st, task, timeout)
                return False
            if now > st.started_at + timeout:
                run.kill(unique_id)
                attempts.forget_orphan(run, st)
                result = AttemptResult("failed", attempts.timeout_error(timeout), recoverable=True)
            else:
                run.wake_at(min(st.started_at + timeout, st.queued_at + 2 * timeout))
                return False
        else:
            result = attempts.result_of(run, task, code)
        run.changed()
        attempt = _task_attempt(run, task, st)
        if result.outcome == "succeeded":
            output_uri = f"{task.output_uri(run.blobs)}/outputs.pb"
            run.report_task(reporting.task_event(attempt, "SUCCEEDED", st.phase_version, output_uri=output_uri))
            st.task_phase = "SUCCEEDED"
            keyed = attempts.cache_template(node, template)
            populate_cache(run, keyed, st, scope.run.node_inputs(unique_id), output_uri)
            details = reporting.NodeDetails(
                task_metadata=cache_metadata(run, keyed, st), deck_uri=_deck(run, task.output_uri(run.blobs))
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
        final = attempts.next_attempt(st, result, task.max_attempts)
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
        task: attempts.TaskRun,
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
            message=f"task active timeout [{attempts.describe_timeout(2 * timeout)}] expired",
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
            task_metadata=cache_metadata(scope.run, attempts.cache_template(node, template), st)
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
        attempts.forget_orphan(run, st)
        if st.task_phase == "RUNNING":
            template = scope.task(node.task_node.reference_id)
            task = _node_task_run(run, node, unique_id, st, template)
            run.report_task(
                reporting.task_event(_task_attempt(run, task, st), "ABORTED", st.phase_version, reason=reason)
            )
            st.task_phase = "ABORTED"
        _release_reservation(scope, node, unique_id, st)


ECHO_TASK_TYPE = "echo"
"""flytepropeller's echo plugin: the task's input is its output, no process runs (flytekit's ``Echo``)."""


def _echo(
    scope: Scope,
    node: workflow_pb2.Node,
    unique_id: str,
    st: NodeState,
    template: tasks_pb2.TaskTemplate,
    inputs: literals_pb2.LiteralMap,
) -> None:
    """Copy the input to the output, with the echo plugin's rules: as many outputs as inputs, at most one."""
    input_names = list(template.interface.inputs.variables)
    output_names = list(template.interface.outputs.variables)
    problem = ""
    if len(input_names) != len(output_names):
        problem = f"the number of input [{len(input_names)}] and output [{len(output_names)}] variables does not match"
    elif len(input_names) > 1:
        problem = "this plugin does not currently support more than one input variable"
    if problem:
        message = f"echo task '{template.id.name}': {problem}"
        scope.fail(node, unique_id, st, ExecutionError(code="EchoPluginError", message=message))
        return
    outputs = literals_pb2.LiteralMap()
    for input_name, output_name in zip(input_names, output_names, strict=True):
        outputs.literals[output_name].CopyFrom(inputs.literals[input_name])
    _succeed_without_running(scope, node, unique_id, st, outputs)


def _succeed_without_running(
    scope: Scope,
    node: workflow_pb2.Node,
    unique_id: str,
    st: NodeState,
    outputs: literals_pb2.LiteralMap,
    details: reporting.NodeDetails | None = None,
) -> None:
    """Succeed a task node whose outputs are known without a process (a cache hit, an echo task): they are
    written where attempt 0's would be."""
    run = scope.run
    scope.succeed(node, unique_id, st, run.write_map(f"{run.attempt_dir(unique_id, 0)}/outputs.pb", outputs), details)


def _node_task_run(
    run: ExecutionRun, node: workflow_pb2.Node, unique_id: str, st: NodeState, template: tasks_pb2.TaskTemplate
) -> attempts.TaskRun:
    data_dir = run.data_dir(unique_id)
    return attempts.TaskRun(
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
        max_attempts=attempts.max_attempts(node, template),
        timeout=attempts.timeout_seconds(node, template),
    )


def _task_attempt(run: ExecutionRun, task: attempts.TaskRun, record: NodeState | ItemState) -> reporting.TaskAttempt:
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


def cached_outputs(
    run: ExecutionRun, keyed: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap
) -> literals_pb2.LiteralMap | None:
    try:
        return run.host.cached_outputs(keyed, inputs)
    except Exception:
        return None


def populate_cache(
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
        run.context.reservations.release(attempts.reservation_key(keyed, inputs), run.reservation_owner())


def _release_reservation(scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None:
    if node.WhichOneof("target") != "task_node":
        return
    keyed = attempts.cache_template(node, scope.task(node.task_node.reference_id))
    if keyed is not None and keyed.metadata.cache_serializable:
        reservation = attempts.reservation_key(keyed, scope.run.node_inputs(unique_id))
        scope.run.context.reservations.release(reservation, scope.run.reservation_owner())


def cache_metadata(
    run: ExecutionRun, keyed: tasks_pb2.TaskTemplate | None, record: NodeState | ItemState
) -> event_pb2.TaskNodeMetadata:
    metadata = event_pb2.TaskNodeMetadata(cache_status=record.cache_status)
    if keyed is not None:
        metadata.catalog_key.CopyFrom(attempts.catalog_metadata(keyed, run.execution))
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
    return scope.child(st, unique_id, closure.primary, closure, scope.run.node_inputs(unique_id), dynamic_chain=True)


def _progress_dynamic(
    scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, template: tasks_pb2.TaskTemplate
) -> None:
    run = scope.run
    keyed = attempts.cache_template(node, template)
    try:
        closure, futures_uri = _dynamic_closure(scope, node, unique_id, st, template)
    except Exception as exc:
        error = ExecutionError(code="DynamicWorkflowBuildFailed", message=str(exc), kind=ExecutionError.USER)
        scope.fail(node, unique_id, st, error, reporting.NodeDetails(is_dynamic=True))
        return
    if st.phase != "DYNAMIC_RUNNING":
        metadata = cache_metadata(run, keyed, st)
        metadata.dynamic_workflow.CopyFrom(
            event_pb2.DynamicWorkflowNodeMetadata(
                id=closure.primary.template.id, compiled_workflow=closure, dynamic_job_spec_uri=futures_uri
            )
        )
        details = reporting.NodeDetails(task_metadata=metadata, is_dynamic=True, is_parent=True)
        scope.report(node, unique_id, st, "DYNAMIC_RUNNING", details)
    inputs = scope.run.node_inputs(unique_id)
    child = scope.child(st, unique_id, closure.primary, closure, inputs, dynamic_chain=True)
    status = child.advance()
    if status.phase == "SUCCEEDED":
        outputs = run.copy_outputs(child.outputs_uri(), unique_id, st.attempt)
        if outputs is not None:
            populate_cache(run, keyed, st, inputs, outputs)
        details = reporting.NodeDetails(task_metadata=cache_metadata(run, keyed, st), is_dynamic=True, is_parent=True)
        scope.succeed(node, unique_id, st, outputs, details)
    elif status.phase == "FAILED":
        assert status.error is not None
        details = reporting.NodeDetails(is_dynamic=True, is_parent=True)
        scope.fail(node, unique_id, st, execution_error(status.error), details)

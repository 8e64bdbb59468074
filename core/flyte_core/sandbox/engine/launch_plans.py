"""Launch-plan nodes: a child execution the host creates and the node waits for (``nodes/subworkflow/launchplan``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, TypeAlias

from flyteidl.core import execution_pb2, identifier_pb2, literals_pb2, workflow_pb2
from flyteidl.event import event_pb2

from flyte_core.sandbox.engine import reporting
from flyte_core.sandbox.engine.state import NodeState

if TYPE_CHECKING:
    from flyte_core.sandbox.engine.workflow import ExecutionRun, Scope

_log = logging.getLogger("flyte_core.sandbox.engine")

ExecutionError: TypeAlias = execution_pb2.ExecutionError


def execution_id(child: dict[str, str]) -> identifier_pb2.WorkflowExecutionIdentifier:
    return identifier_pb2.WorkflowExecutionIdentifier(**child)


def child_result(
    run: ExecutionRun, child: dict[str, str], output_path: str
) -> tuple[str | None, execution_pb2.ExecutionError | None] | None:
    """A launched execution's outcome: (outputs URI, None), (None, error), or None while it runs."""
    identifier = execution_id(child)
    try:
        record = run.host.get_execution(identifier)
        phase = execution_pb2.WorkflowExecution.Phase.Name(record.closure.phase)
        if phase == "SUCCEEDED":
            return run.write_map(output_path, run.host.get_execution_outputs(identifier)), None
    except Exception as exc:  # the control plane may be busy: look again later
        _log.warning("cannot get the child execution %s: %s", child["name"], exc)
        run.poll_later()
        return None
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


def launch(
    run: ExecutionRun, launch_plan: identifier_pb2.Identifier, inputs: literals_pb2.LiteralMap, node_id: str
) -> dict[str, str]:
    parent = identifier_pb2.NodeExecutionIdentifier(node_id=node_id, execution_id=run.execution)
    child = run.host.launch_child_execution(launch_plan, inputs, parent)
    run.count_child()
    return {"project": child.project, "domain": child.domain, "name": child.name}


class LaunchPlanHandler:
    """A launch-plan node: the host creates the child execution; the node polls it and takes its outputs."""

    def prepare(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, inputs: object) -> bool:
        return False

    def progress(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None:
        run = scope.run
        if st.child is None:
            if not run.can_start():
                return
            try:
                st.child = launch(run, node.workflow_node.launchplan_ref, scope.run.node_inputs(unique_id), unique_id)
            except Exception as exc:
                error = ExecutionError(code="LaunchPlanExecutionFailed", message=str(exc), kind=ExecutionError.USER)
                scope.fail(node, unique_id, st, error)
                return
            scope.report(node, unique_id, st, "RUNNING", self._details(st))
        outcome = child_result(run, st.child, f"{run.attempt_dir(unique_id, st.attempt)}/outputs.pb")
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
            workflow_metadata=event_pb2.WorkflowNodeMetadata(execution_id=execution_id(st.child))
        )

    def abort(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, reason: str) -> None:
        if st.child is not None:
            terminate_child(scope.run, st.child, reason)


def terminate_child(run: ExecutionRun, child: dict[str, str], reason: str) -> None:
    try:
        run.host.terminate_execution(execution_id(child), reason)
    except Exception as exc:  # the child may have ended already; the parent's abort goes on
        _log.warning("cannot abort the child execution %s: %s", child["name"], exc)

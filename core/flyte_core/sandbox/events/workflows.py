"""Workflow execution events applied to their execution (flyteadmin's ``CreateWorkflowEvent``): the allowed
phase changes, ``started_at`` / ``duration`` / ``updated_at``, and the outputs or the error into the closure.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.event import event_pb2

from flyte_core.sandbox.blobs import BlobStore
from flyte_core.sandbox.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from flyte_core.sandbox.events.records import (
    TERMINAL_WORKFLOW_PHASES,
    WorkflowPhase,
    _duration,
    _occurred,
    _offload,
    _require_execution_id,
    describe_execution,
    epoch,
    execution_key,
)
from flyte_core.sandbox.state import SandboxState


def apply_workflow_event(
    state: SandboxState, blobs: BlobStore, event: event_pb2.WorkflowExecutionEvent
) -> execution_pb2.Execution:
    """Apply a workflow execution event to its execution (flyteadmin's ``CreateWorkflowEvent``)."""
    if not event.HasField("execution_id"):
        raise InvalidArgument("workflow execution event has no execution_id")
    _require_execution_id(event.execution_id, "a workflow execution event")
    key = execution_key(event.execution_id)
    with state.transaction():
        row = state.find("executions", "phase, started_at, record", **key)
        if row is None:
            raise NotFound(f"execution {describe_execution(event.execution_id)} does not exist")
        current = WorkflowPhase.Phase.Value(row["phase"])
        new = event.phase
        name = describe_execution(event.execution_id)
        if new != WorkflowPhase.QUEUED and current == new:
            raise AlreadyExists(f"This phase {row['phase']} was already recorded for workflow execution {name}")
        if current in TERMINAL_WORKFLOW_PHASES:
            raise FailedPrecondition(
                f"Invalid phase change from {row['phase']} to {WorkflowPhase.Phase.Name(new)} for workflow "
                f"execution {name}: it is already terminal"
            )
        if current == WorkflowPhase.RUNNING and new == WorkflowPhase.QUEUED:
            raise FailedPrecondition(f"Cannot go from RUNNING to QUEUED for workflow execution {name}")
        if current == WorkflowPhase.ABORTING and new not in TERMINAL_WORKFLOW_PHASES:
            raise FailedPrecondition(
                f"Invalid phase change from aborting to {WorkflowPhase.Phase.Name(new)} for workflow execution {name}"
            )

        execution = execution_pb2.Execution.FromString(row["record"])
        closure = execution.closure
        occurred = _occurred(event)
        closure.phase = new
        closure.updated_at.CopyFrom(occurred)
        columns: dict[str, Any] = {"phase": WorkflowPhase.Phase.Name(new), "updated_at": epoch(occurred)}
        if new == WorkflowPhase.RUNNING:
            closure.started_at.CopyFrom(occurred)
            columns["started_at"] = epoch(occurred)
        elif new in TERMINAL_WORKFLOW_PHASES and row["started_at"] is not None:
            seconds = epoch(occurred) - row["started_at"]
            closure.duration.CopyFrom(_duration(seconds))
            columns["duration"] = seconds
        result = event.WhichOneof("output_result")
        if result == "output_uri":
            closure.outputs.uri = event.output_uri
        elif result == "output_data":
            uri = _offload(blobs, event.output_data, *key.values(), "admin", "outputs.pb")
            closure.outputs.uri = uri
        elif result == "error":
            closure.error.CopyFrom(event.error)
            columns["error_kind"] = core_execution_pb2.ExecutionError.ErrorKind.Name(event.error.kind)
            columns["error_code"] = event.error.code
        columns["record"] = execution.SerializeToString()
        state.update("executions", key, **columns)
        return execution

"""Node execution events (flyteadmin's ``CreateNodeEvent``): a node execution created by its first event and
updated by the next ones, with its parent node or task attempt, node metadata (``is_parent_node``,
``spec_node_id``, ``retry_group``, ``is_dynamic``, ``is_array``), the launched execution of a launch-plan node,
cache status and the compiled dynamic workflow.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import node_execution_pb2
from flyteidl.core import catalog_pb2, compiler_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.event import event_pb2

from flyte_core.sandbox.blobs import BlobStore
from flyte_core.sandbox.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from flyte_core.sandbox.events.records import (
    TERMINAL_NODE_PHASES,
    NodePhase,
    _duration,
    _occurred,
    _offload,
    _reported,
    _require_execution_id,
    describe_execution,
    describe_node,
    epoch,
    execution_key,
    node_key,
    parent_task_key,
    task_key,
)
from flyte_core.sandbox.state import SandboxState


def apply_node_event(
    state: SandboxState, blobs: BlobStore, event: event_pb2.NodeExecutionEvent
) -> node_execution_pb2.NodeExecution:
    """Create or update a node execution from an event (flyteadmin's ``CreateNodeEvent``)."""
    if not event.HasField("id") or not event.id.node_id:
        raise InvalidArgument("node execution event has no id (execution id and node id)")
    _require_execution_id(event.id.execution_id, "a node execution event")
    key = node_key(event.id)
    with state.transaction():
        if state.find("executions", "1", **execution_key(event.id.execution_id)) is None:
            raise NotFound(
                f"failed to get existing execution id: {describe_execution(event.id.execution_id)} "
                f"(event for node '{event.id.node_id}')"
            )
        dynamic: bytes | None = None
        task_metadata = event.task_node_metadata if event.HasField("task_node_metadata") else None
        if task_metadata is not None and task_metadata.HasField("dynamic_workflow"):
            dynamic = task_metadata.dynamic_workflow.compiled_workflow.SerializeToString()
        row = state.find("node_executions", "phase, started_at, record, dynamic_closure", **key)
        if row is None:
            return _create_node_execution(state, blobs, event, key, dynamic)
        return _update_node_execution(state, blobs, event, key, row, dynamic)


def _node_inputs(blobs: BlobStore, event: event_pb2.NodeExecutionEvent, key: dict[str, str]) -> str:
    kind = event.WhichOneof("input_value")
    if kind == "input_uri":
        return event.input_uri
    if kind == "input_data":
        return _offload(blobs, event.input_data, *key.values(), "admin", "inputs.pb")
    return ""


def _node_terminal(
    blobs: BlobStore,
    event: event_pb2.NodeExecutionEvent,
    key: dict[str, str],
    closure: node_execution_pb2.NodeExecutionClosure,
    started_at: float | None,
    columns: dict[str, Any],
) -> None:
    occurred = _occurred(event)
    if started_at is not None:
        seconds = epoch(occurred) - started_at
        closure.duration.CopyFrom(_duration(seconds))
        columns["duration"] = seconds
    result = event.WhichOneof("output_result")
    if result == "output_uri":
        closure.output_uri = event.output_uri
    elif result == "output_data":
        closure.output_uri = _offload(blobs, event.output_data, *key.values(), "admin", "outputs.pb")
    elif result == "error":
        closure.error.CopyFrom(event.error)
        columns["error_kind"] = core_execution_pb2.ExecutionError.ErrorKind.Name(event.error.kind)
        columns["error_code"] = event.error.code
    closure.deck_uri = event.deck_uri


def _task_node_metadata(
    event: event_pb2.NodeExecutionEvent, closure: node_execution_pb2.NodeExecutionClosure, columns: dict[str, Any]
) -> None:
    if not event.HasField("task_node_metadata"):
        return
    source = event.task_node_metadata
    target = node_execution_pb2.TaskNodeMetadata(checkpoint_uri=source.checkpoint_uri)
    if source.HasField("catalog_key"):
        target.cache_status = source.cache_status
        target.catalog_key.CopyFrom(source.catalog_key)
        columns["cache_status"] = catalog_pb2.CatalogCacheStatus.Name(source.cache_status)
    closure.task_node_metadata.CopyFrom(target)
    if source.HasField("dynamic_workflow") and source.dynamic_workflow.dynamic_job_spec_uri:
        closure.dynamic_job_spec_uri = source.dynamic_workflow.dynamic_job_spec_uri


def _create_node_execution(
    state: SandboxState,
    blobs: BlobStore,
    event: event_pb2.NodeExecutionEvent,
    key: dict[str, str],
    dynamic: bytes | None,
) -> node_execution_pb2.NodeExecution:
    parent_node_id: str | None = None
    parent_task: str | None = None
    if event.HasField("parent_task_metadata"):
        parent = event.parent_task_metadata.id
        if state.find("task_executions", "1", **task_key(parent)) is None:
            raise NotFound(
                f"the task execution that launched {describe_node(event.id)} does not exist "
                f"(task '{parent.task_id.name}' attempt {parent.retry_attempt} of node "
                f"'{parent.node_execution_id.node_id}')"
            )
        parent_task = parent_task_key(parent)
    if event.HasField("parent_node_metadata"):
        parent_node_id = event.parent_node_metadata.node_id
        parent_key = {**key, "node_id": parent_node_id}
        if state.find("node_executions", "1", **parent_key) is None:
            raise NotFound(
                f"failed to fetch node execution for the parent node '{parent_node_id}' of {describe_node(event.id)}: "
                "report the parent node's first event before its children's"
            )
    occurred, reported = _occurred(event), _reported(event)
    closure = node_execution_pb2.NodeExecutionClosure(phase=event.phase)
    closure.created_at.CopyFrom(occurred)
    closure.updated_at.CopyFrom(reported)
    metadata = node_execution_pb2.NodeExecutionMetaData(
        retry_group=event.retry_group,
        spec_node_id=event.spec_node_id,
        is_parent_node=event.is_parent,
        is_dynamic=event.is_dynamic,
        is_array=event.is_array,
        is_eager=event.is_eager,
    )
    columns: dict[str, Any] = {}
    started_at: float | None = None
    if event.phase == NodePhase.RUNNING:
        closure.started_at.CopyFrom(occurred)
        closure.deck_uri = event.deck_uri
        started_at = epoch(occurred)
    if event.phase in TERMINAL_NODE_PHASES:
        _node_terminal(blobs, event, key, closure, None, columns)
    if event.HasField("workflow_node_metadata"):
        _require_child_execution(state, event)
        closure.workflow_node_metadata.executionId.CopyFrom(event.workflow_node_metadata.execution_id)
    _task_node_metadata(event, closure, columns)
    record = node_execution_pb2.NodeExecution(
        id=event.id, input_uri=_node_inputs(blobs, event, key), closure=closure, metadata=metadata
    )
    state.insert(
        "node_executions",
        **key,
        parent_node_id=parent_node_id,
        parent_task=parent_task,
        phase=NodePhase.Phase.Name(event.phase),
        created_at=epoch(occurred),
        updated_at=epoch(reported),
        started_at=started_at,
        duration=columns.get("duration"),
        error_kind=columns.get("error_kind"),
        error_code=columns.get("error_code"),
        cache_status=columns.get("cache_status"),
        record=record.SerializeToString(),
        dynamic_closure=dynamic,
    )
    return record


def _require_child_execution(state: SandboxState, event: event_pb2.NodeExecutionEvent) -> None:
    child = event.workflow_node_metadata.execution_id
    if state.find("executions", "1", **execution_key(child)) is None:
        raise NotFound(
            f"{describe_node(event.id)} launched execution {describe_execution(child)}, which does not exist"
        )


def _update_node_execution(
    state: SandboxState,
    blobs: BlobStore,
    event: event_pb2.NodeExecutionEvent,
    key: dict[str, str],
    row: Any,
    dynamic: bytes | None,
) -> node_execution_pb2.NodeExecution:
    current = NodePhase.Phase.Value(row["phase"])
    new_name = NodePhase.Phase.Name(event.phase)
    if current == event.phase:
        raise AlreadyExists(f"This phase was already recorded {row['phase']} for {describe_node(event.id)}")
    if current in TERMINAL_NODE_PHASES:
        raise FailedPrecondition(
            f"Invalid phase change from {row['phase']} to {new_name} for {describe_node(event.id)}: "
            "it is already terminal"
        )
    if event.HasField("workflow_node_metadata"):
        _require_child_execution(state, event)
    record = node_execution_pb2.NodeExecution.FromString(row["record"])
    if not record.input_uri:
        record.input_uri = _node_inputs(blobs, event, key)
    closure = record.closure
    closure.phase = event.phase
    reported = _reported(event)
    closure.updated_at.CopyFrom(reported)
    columns: dict[str, Any] = {"phase": new_name, "updated_at": epoch(reported)}
    started_at = row["started_at"]
    if event.phase == NodePhase.RUNNING:
        occurred = _occurred(event)
        closure.started_at.CopyFrom(occurred)
        closure.deck_uri = event.deck_uri
        started_at = columns["started_at"] = epoch(occurred)
    if event.phase in TERMINAL_NODE_PHASES:
        _node_terminal(blobs, event, key, closure, started_at, columns)
    if event.HasField("workflow_node_metadata") and not closure.HasField("workflow_node_metadata"):
        closure.workflow_node_metadata.executionId.CopyFrom(event.workflow_node_metadata.execution_id)
    _task_node_metadata(event, closure, columns)
    metadata = record.metadata
    metadata.is_parent_node = metadata.is_parent_node or event.is_parent
    metadata.is_dynamic = metadata.is_dynamic or event.is_dynamic
    metadata.is_array = metadata.is_array or event.is_array
    metadata.is_eager = metadata.is_eager or event.is_eager
    columns["record"] = record.SerializeToString()
    if dynamic is not None:
        columns["dynamic_closure"] = dynamic
    state.update("node_executions", key, **columns)
    return record


def dynamic_workflow(row_closure: bytes | None) -> compiler_pb2.CompiledWorkflowClosure | None:
    """The compiled dynamic workflow stored with a node execution, if it has one."""
    return compiler_pb2.CompiledWorkflowClosure.FromString(row_closure) if row_closure else None

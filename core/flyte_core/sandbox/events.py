"""Engine events -> admin records, with flyteadmin's rules.

The engine reports what happens as ``flyteidl.event`` messages (as flytepropeller does); these functions
apply them to the stored ``admin.Execution`` / ``NodeExecution`` / ``TaskExecution`` records the way
flyteadmin's ``CreateWorkflowEvent``, ``CreateNodeEvent`` and ``CreateTaskExecutionEvent`` do: which phase
changes are allowed (a repeated phase is ALREADY_EXISTS, a change after a terminal phase is
FAILED_PRECONDITION), ``started_at`` / ``duration`` / ``updated_at``, outputs or the error into the closure,
node metadata (``is_parent_node``, ``spec_node_id``, ``retry_group``, ``is_dynamic``, ``is_array``), the
launched execution of a launch-plan node, cache status, the compiled dynamic workflow, and task logs,
reasons and ``custom_info``. Each call is one transaction.
"""

from __future__ import annotations

import time
from typing import Any

from flyteidl.admin import execution_pb2, node_execution_pb2, task_execution_pb2
from flyteidl.core import catalog_pb2, compiler_pb2, identifier_pb2, literals_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.event import event_pb2
from google.protobuf import duration_pb2, json_format, struct_pb2, timestamp_pb2

from flyte_core.sandbox.blobs import BlobStore
from flyte_core.sandbox.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from flyte_core.sandbox.state import SandboxState

WorkflowPhase = core_execution_pb2.WorkflowExecution
NodePhase = core_execution_pb2.NodeExecution
TaskPhase = core_execution_pb2.TaskExecution

TERMINAL_WORKFLOW_PHASES = frozenset(
    {WorkflowPhase.SUCCEEDED, WorkflowPhase.FAILED, WorkflowPhase.ABORTED, WorkflowPhase.TIMED_OUT}
)
TERMINAL_NODE_PHASES = frozenset(
    {
        NodePhase.SUCCEEDED,
        NodePhase.FAILED,
        NodePhase.TIMED_OUT,
        NodePhase.ABORTED,
        NodePhase.SKIPPED,
        NodePhase.RECOVERED,
    }
)
TERMINAL_TASK_PHASES = frozenset({TaskPhase.SUCCEEDED, TaskPhase.FAILED, TaskPhase.ABORTED})


# -- shared helpers ----------------------------------------------------------------------------------------------


def epoch(stamp: timestamp_pb2.Timestamp) -> float:
    return stamp.seconds + stamp.nanos / 1e9


def timestamp(seconds: float) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    whole = int(seconds)
    stamp.seconds, stamp.nanos = whole, round((seconds - whole) * 1e9)
    return stamp


def _duration(seconds: float) -> duration_pb2.Duration:
    value = duration_pb2.Duration()
    value.FromNanoseconds(round(seconds * 1e9))
    return value


def _occurred(event: Any) -> timestamp_pb2.Timestamp:
    """The event's time (now when the producer left it unset)."""
    return event.occurred_at if event.HasField("occurred_at") else timestamp(time.time())


def _reported(event: Any) -> timestamp_pb2.Timestamp:
    """flyteadmin's ``updated_at``: ``reported_at`` when set, else ``occurred_at``."""
    reported = event.reported_at
    if event.HasField("reported_at") and (reported.seconds or reported.nanos):
        return reported
    return _occurred(event)


def execution_key(execution_id: Any) -> dict[str, str]:
    return {"project": execution_id.project, "domain": execution_id.domain, "name": execution_id.name}


def node_key(node_id: Any) -> dict[str, str]:
    execution_id = node_id.execution_id
    return {
        "project": execution_id.project,
        "domain": execution_id.domain,
        "execution_name": execution_id.name,
        "node_id": node_id.node_id,
    }


def task_key(task_execution_id: Any) -> dict[str, Any]:
    task = task_execution_id.task_id
    return {
        **node_key(task_execution_id.node_execution_id),
        "task_project": task.project,
        "task_domain": task.domain,
        "task_name": task.name,
        "task_version": task.version,
        "retry_attempt": task_execution_id.retry_attempt,
    }


def describe_execution(execution_id: Any) -> str:
    return f"{execution_id.project}/{execution_id.domain}/{execution_id.name}"


def describe_node(node_id: Any) -> str:
    return f"node '{node_id.node_id}' of execution {describe_execution(node_id.execution_id)}"


def parent_task_key(task_execution_id: Any) -> str:
    """How a node launched by a task attempt names that attempt (``node_executions.parent_task``)."""
    task = task_execution_id.task_id
    return "/".join(
        [
            task.project,
            task.domain,
            task.name,
            task.version,
            task_execution_id.node_execution_id.node_id,
            str(task_execution_id.retry_attempt),
        ]
    )


def _require_execution_id(execution_id: Any, what: str) -> None:
    if not (execution_id.project and execution_id.domain and execution_id.name):
        raise InvalidArgument(f"{what} needs an execution id with project, domain and name")


def _offload(blobs: BlobStore, literals: literals_pb2.LiteralMap, *parts: str) -> str:
    """Write inline event data to the blob store, as flyteadmin's default (offload) event-data policy does."""
    return blobs.write_bytes("/".join(["metadata", *parts]), literals.SerializeToString())


# -- workflow executions ------------------------------------------------------------------------------------------


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


# -- node executions ----------------------------------------------------------------------------------------------


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


# -- task executions ----------------------------------------------------------------------------------------------


def apply_task_event(
    state: SandboxState, blobs: BlobStore, event: event_pb2.TaskExecutionEvent
) -> task_execution_pb2.TaskExecution:
    """Create or update a task attempt from an event (flyteadmin's ``CreateTaskExecutionEvent``)."""
    if not event.HasField("task_id") or not event.task_id.name:
        raise InvalidArgument("task execution event has no task_id")
    if not event.HasField("parent_node_execution_id") or not event.parent_node_execution_id.node_id:
        raise InvalidArgument("task execution event has no parent_node_execution_id")
    _require_execution_id(event.parent_node_execution_id.execution_id, "a task execution event")
    task_execution_id = _task_execution_id(event)
    key = task_key(task_execution_id)
    with state.transaction():
        if state.find("node_executions", "1", **node_key(event.parent_node_execution_id)) is None:
            raise NotFound(
                f"failed to get existing node execution id: {describe_node(event.parent_node_execution_id)} "
                "(report the node's first event before its task's)"
            )
        row = state.find("task_executions", "phase, phase_version, started_at, record", **key)
        if row is None:
            return _create_task_execution(state, blobs, event, task_execution_id, key)
        return _update_task_execution(state, blobs, event, key, row)


def _task_execution_id(event: event_pb2.TaskExecutionEvent) -> identifier_pb2.TaskExecutionIdentifier:
    identifier = identifier_pb2.TaskExecutionIdentifier(
        task_id=event.task_id,
        node_execution_id=event.parent_node_execution_id,
        retry_attempt=event.retry_attempt,
    )
    identifier.task_id.resource_type = identifier_pb2.TASK
    return identifier


def _describe_attempt(key: dict[str, Any]) -> str:
    return (
        f"task '{key['task_name']}' attempt {key['retry_attempt']} of node '{key['node_id']}' in execution "
        f"{key['project']}/{key['domain']}/{key['execution_name']}"
    )


def _task_inputs(blobs: BlobStore, event: event_pb2.TaskExecutionEvent, key: dict[str, Any]) -> str:
    kind = event.WhichOneof("input_value")
    if kind == "input_uri":
        return event.input_uri
    if kind == "input_data":
        parts = [key["project"], key["domain"], key["execution_name"], key["node_id"], str(key["retry_attempt"])]
        return _offload(blobs, event.input_data, *parts, "admin", "task_inputs.pb")
    return ""


def _task_terminal(
    blobs: BlobStore,
    event: event_pb2.TaskExecutionEvent,
    key: dict[str, Any],
    closure: task_execution_pb2.TaskExecutionClosure,
    started_at: float | None,
    columns: dict[str, Any],
) -> None:
    if started_at is not None:
        seconds = epoch(_occurred(event)) - started_at
        closure.started_at.CopyFrom(timestamp(started_at))
        closure.duration.CopyFrom(_duration(seconds))
        columns["duration"] = seconds
    result = event.WhichOneof("output_result")
    if result == "output_uri":
        closure.output_uri = event.output_uri
    elif result == "output_data":
        parts = [key["project"], key["domain"], key["execution_name"], key["node_id"], str(key["retry_attempt"])]
        closure.output_uri = _offload(blobs, event.output_data, *parts, "admin", "task_outputs.pb")
    elif result == "error":
        closure.error.CopyFrom(event.error)


def _sorted_metadata(event: event_pb2.TaskExecutionEvent) -> event_pb2.TaskExecutionMetadata | None:
    if not event.HasField("metadata"):
        return None
    metadata = event_pb2.TaskExecutionMetadata()
    metadata.CopyFrom(event.metadata)
    resources = sorted(metadata.external_resources, key=lambda r: (r.index, r.retry_attempt))
    del metadata.external_resources[:]
    metadata.external_resources.extend(resources)
    return metadata


def _create_task_execution(
    state: SandboxState,
    blobs: BlobStore,
    event: event_pb2.TaskExecutionEvent,
    task_execution_id: Any,
    key: dict[str, Any],
) -> task_execution_pb2.TaskExecution:
    occurred, reported = _occurred(event), _reported(event)
    closure = task_execution_pb2.TaskExecutionClosure(
        phase=event.phase, logs=event.logs, task_type=event.task_type, event_version=event.event_version
    )
    closure.created_at.CopyFrom(occurred)
    closure.updated_at.CopyFrom(reported)
    if event.HasField("custom_info"):
        closure.custom_info.CopyFrom(event.custom_info)
    metadata = _sorted_metadata(event)
    if metadata is not None:
        closure.metadata.CopyFrom(metadata)
    _add_reasons(event, closure, previous_reason=None)
    columns: dict[str, Any] = {}
    started_at: float | None = None
    if event.phase == TaskPhase.RUNNING:
        started_at = epoch(occurred)
        closure.started_at.CopyFrom(occurred)
    if event.phase in TERMINAL_TASK_PHASES:
        _task_terminal(blobs, event, key, closure, started_at, columns)
    record = task_execution_pb2.TaskExecution(
        id=task_execution_id, input_uri=_task_inputs(blobs, event, key), closure=closure
    )
    state.insert(
        "task_executions",
        **key,
        phase=TaskPhase.Phase.Name(event.phase),
        phase_version=event.phase_version,
        created_at=epoch(occurred),
        updated_at=epoch(reported),
        started_at=started_at,
        duration=columns.get("duration"),
        record=record.SerializeToString(),
    )
    return record


def _add_reasons(
    event: event_pb2.TaskExecutionEvent, closure: task_execution_pb2.TaskExecutionClosure, previous_reason: str | None
) -> None:
    if event.reasons:
        for reason in event.reasons:
            closure.reasons.add(occurred_at=reason.occurred_at, message=reason.reason)
        closure.reason = event.reasons[-1].reason
    elif event.reason:
        if previous_reason is None or previous_reason != event.reason:
            closure.reasons.add(occurred_at=_occurred(event), message=event.reason)
        closure.reason = event.reason


def _update_task_execution(
    state: SandboxState, blobs: BlobStore, event: event_pb2.TaskExecutionEvent, key: dict[str, Any], row: Any
) -> task_execution_pb2.TaskExecution:
    new_name = TaskPhase.Phase.Name(event.phase)
    if row["phase"] == new_name and row["phase_version"] >= event.phase_version:
        raise AlreadyExists(
            f"have already recorded task execution phase {new_name} (version: {event.phase_version}) for "
            f"{_describe_attempt(key)}"
        )
    current = TaskPhase.Phase.Value(row["phase"])
    if current in TERMINAL_TASK_PHASES:
        raise FailedPrecondition(
            f"invalid phase change from {row['phase']} to {new_name} for {_describe_attempt(key)}: "
            "it is already terminal"
        )
    record = task_execution_pb2.TaskExecution.FromString(row["record"])
    if not record.input_uri:
        record.input_uri = _task_inputs(blobs, event, key)
    closure = record.closure
    phase_change = row["phase"] != new_name
    closure.phase = event.phase
    reported = _reported(event)
    closure.updated_at.CopyFrom(reported)
    logs = _filter_logs(_merge_logs(list(closure.logs), list(event.logs)), event.phase)
    del closure.logs[:]
    closure.logs.extend(logs)
    _add_reasons(event, closure, previous_reason=closure.reason)
    columns: dict[str, Any] = {"phase": new_name, "phase_version": event.phase_version, "updated_at": epoch(reported)}
    started_at = row["started_at"]
    if current != TaskPhase.RUNNING and event.phase == TaskPhase.RUNNING and started_at is None:
        occurred = _occurred(event)
        started_at = columns["started_at"] = epoch(occurred)
        closure.started_at.CopyFrom(occurred)
    if event.phase in TERMINAL_TASK_PHASES:
        _task_terminal(blobs, event, key, closure, started_at, columns)
    merged_custom = _merge_custom(
        closure.custom_info if closure.HasField("custom_info") else None,
        event.custom_info if event.HasField("custom_info") else None,
    )
    if merged_custom is not None:
        closure.custom_info.CopyFrom(merged_custom)
    metadata = _merge_metadata(closure.metadata if closure.HasField("metadata") else None, _sorted_metadata(event))
    if metadata is not None:
        if phase_change:
            for resource in metadata.external_resources:
                kept = _filter_logs(list(resource.logs), event.phase)
                del resource.logs[:]
                resource.logs.extend(kept)
        closure.metadata.CopyFrom(metadata)
    closure.event_version = max(closure.event_version, event.event_version)
    if event.task_type:
        closure.task_type = closure.task_type or event.task_type
    columns["record"] = record.SerializeToString()
    state.update("task_executions", key, **columns)
    return record


def _merge_logs(existing: list[Any], latest: list[Any]) -> list[Any]:
    """The latest logs plus the existing ones no latest log replaces (same URI or same name)."""
    if not latest:
        return existing
    if not existing:
        return latest
    uris = {log.uri for log in latest}
    names = {log.name for log in latest if log.name}
    return latest + [log for log in existing if log.uri not in uris and log.name not in names]


def _filter_logs(logs: list[Any], phase: int) -> list[Any]:
    kept = []
    for log in logs:
        if phase in TERMINAL_TASK_PHASES and log.HideOnceFinished:
            continue
        if phase in (TaskPhase.QUEUED, TaskPhase.INITIALIZING) and not log.ShowWhilePending:
            continue
        kept.append(log)
    return kept


def _merge_custom(existing: struct_pb2.Struct | None, latest: struct_pb2.Struct | None) -> struct_pb2.Struct | None:
    """JSON merge patch of ``latest`` onto ``existing`` (latest wins; nested objects merge)."""
    if existing is None:
        return latest
    if latest is None:
        return existing
    merged = _merge_patch(json_format.MessageToDict(existing), json_format.MessageToDict(latest))
    result = struct_pb2.Struct()
    result.update(merged)
    return result


def _merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = _merge_patch(result.get(name), value)
    return result


def _merge_metadata(
    existing: event_pb2.TaskExecutionMetadata | None, latest: event_pb2.TaskExecutionMetadata | None
) -> event_pb2.TaskExecutionMetadata | None:
    if existing is None:
        return latest
    if latest is None:
        return existing
    merged = event_pb2.TaskExecutionMetadata()
    merged.CopyFrom(existing)
    if latest.generated_name:
        merged.generated_name = latest.generated_name
    by_key = {(r.index, r.retry_attempt): r for r in merged.external_resources}
    for resource in latest.external_resources:
        current = by_key.get((resource.index, resource.retry_attempt))
        if current is None:
            added = merged.external_resources.add()
            added.CopyFrom(resource)
            by_key[(resource.index, resource.retry_attempt)] = added
            continue
        if resource.external_id:
            current.external_id = resource.external_id
        current.phase = resource.phase
        if resource.cache_status != 0 and current.cache_status != resource.cache_status:
            current.cache_status = resource.cache_status
        logs = _merge_logs(list(current.logs), list(resource.logs))
        del current.logs[:]
        current.logs.extend(logs)
    resources = sorted(merged.external_resources, key=lambda r: (r.index, r.retry_attempt))
    copies = [event_pb2.ExternalResourceInfo() for _ in resources]
    for copy, resource in zip(copies, resources, strict=True):
        copy.CopyFrom(resource)
    del merged.external_resources[:]
    merged.external_resources.extend(copies)
    del merged.resource_pool_info[:]
    merged.resource_pool_info.extend(latest.resource_pool_info)
    if latest.plugin_identifier:
        merged.plugin_identifier = latest.plugin_identifier
    if latest.instance_class != event_pb2.TaskExecutionMetadata.DEFAULT:
        merged.instance_class = latest.instance_class
    return merged

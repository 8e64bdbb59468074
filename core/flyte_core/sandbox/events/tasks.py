"""Task execution events (flyteadmin's ``CreateTaskExecutionEvent``): a task attempt created by its first event
and updated by the next ones (phase and phase version, ``started_at`` / ``duration``, outputs or the error), with
its logs, reasons, ``custom_info`` and external-resource metadata merged the way flyteadmin merges them.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import task_execution_pb2
from flyteidl.core import identifier_pb2
from flyteidl.event import event_pb2
from google.protobuf import json_format, struct_pb2

from flyte_core.sandbox.blobs import BlobStore
from flyte_core.sandbox.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from flyte_core.sandbox.events.records import (
    TERMINAL_TASK_PHASES,
    TaskPhase,
    _duration,
    _occurred,
    _offload,
    _reported,
    _require_execution_id,
    describe_node,
    epoch,
    node_key,
    task_key,
    timestamp,
)
from flyte_core.sandbox.state import SandboxState


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

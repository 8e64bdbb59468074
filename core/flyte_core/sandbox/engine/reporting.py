"""The flyteidl events the engine reports, filled in as flytepropeller fills them (``nodes/transformers.go``,
``nodes/task/transformer.go``, ``nodes/array/event_recorder.go``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flyteidl.core import execution_pb2, identifier_pb2
from flyteidl.event import event_pb2
from google.protobuf import timestamp_pb2

PRODUCER_ID = "flyte-core-sandbox"
NODE_EVENT_VERSION = 1
"""flyteadmin reads is_parent / is_dynamic from node events of version 1 on."""
TASK_EVENT_VERSION = 1

WorkflowPhase = execution_pb2.WorkflowExecution.Phase
NodePhase = execution_pb2.NodeExecution.Phase
TaskPhase = execution_pb2.TaskExecution.Phase


def now() -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.GetCurrentTime()
    return stamp


def workflow_event(
    execution: identifier_pb2.WorkflowExecutionIdentifier,
    phase: str,
    output_uri: str | None = None,
    error: execution_pb2.ExecutionError | None = None,
) -> event_pb2.WorkflowExecutionEvent:
    event = event_pb2.WorkflowExecutionEvent(
        execution_id=execution, producer_id=PRODUCER_ID, phase=WorkflowPhase.Value(phase), occurred_at=now()
    )
    if output_uri:
        event.output_uri = output_uri
    elif error is not None:
        event.error.CopyFrom(error)
    return event


@dataclass
class NodeIdentity:
    """What every event of one node execution says about the node."""

    execution: identifier_pb2.WorkflowExecutionIdentifier
    unique_id: str
    spec_id: str
    name: str = ""
    parent: str | None = None
    retry_group: str | None = None
    dynamic_chain: bool = False
    input_uri: str = ""
    target: identifier_pb2.Identifier | None = None
    is_parent: bool = False
    is_array: bool = False
    is_eager: bool = False

    @property
    def node_execution_id(self) -> identifier_pb2.NodeExecutionIdentifier:
        return identifier_pb2.NodeExecutionIdentifier(node_id=self.unique_id, execution_id=self.execution)


@dataclass
class NodeDetails:
    """What a particular node event adds: its result and its kind's metadata."""

    output_uri: str | None = None
    error: execution_pb2.ExecutionError | None = None
    deck_uri: str = ""
    task_metadata: event_pb2.TaskNodeMetadata | None = None
    workflow_metadata: event_pb2.WorkflowNodeMetadata | None = None
    is_dynamic: bool = False
    is_parent: bool = False
    with_inputs: bool = True


def node_event(identity: NodeIdentity, phase: str, details: NodeDetails | None = None) -> event_pb2.NodeExecutionEvent:
    details = details or NodeDetails()
    stamp = now()
    event = event_pb2.NodeExecutionEvent(
        id=identity.node_execution_id,
        producer_id=PRODUCER_ID,
        phase=NodePhase.Value(phase),
        occurred_at=stamp,
        reported_at=stamp,
        spec_node_id=identity.spec_id,
        node_name=identity.name,
        event_version=NODE_EVENT_VERSION,
        is_parent=identity.is_parent or details.is_parent,
        is_dynamic=details.is_dynamic,
        is_array=identity.is_array,
        is_eager=identity.is_eager,
        is_in_dynamic_chain=identity.dynamic_chain,
        deck_uri=details.deck_uri,
    )
    if identity.parent is not None:
        event.parent_node_metadata.node_id = identity.parent
        event.retry_group = identity.retry_group or "0"
    if identity.input_uri and details.with_inputs:
        event.input_uri = identity.input_uri
    if details.output_uri:
        event.output_uri = details.output_uri
    elif details.error is not None:
        event.error.CopyFrom(details.error)
    if identity.target is not None:
        event.target_entity.CopyFrom(identity.target)
    if details.workflow_metadata is not None:
        event.workflow_node_metadata.CopyFrom(details.workflow_metadata)
    elif details.task_metadata is not None:
        event.task_node_metadata.CopyFrom(details.task_metadata)
    return event


def log_link(path: Path, name: str = "Task Logs") -> execution_pb2.TaskLog:
    """The attempt's log file as a task log (served by the sandbox's HTTP side)."""
    return execution_pb2.TaskLog(uri=path.resolve().as_uri(), name=name, message_format=execution_pb2.TaskLog.UNKNOWN)


@dataclass
class TaskAttempt:
    """What every event of one task attempt says about it."""

    task_id: identifier_pb2.Identifier
    node: identifier_pb2.NodeExecutionIdentifier
    retry_attempt: int
    task_type: str
    generated_name: str
    input_uri: str
    plugin: str = "container"
    interruptible: bool = False
    logs: list[execution_pb2.TaskLog] = field(default_factory=list)


def task_event(
    attempt: TaskAttempt,
    phase: str,
    phase_version: int,
    output_uri: str | None = None,
    error: execution_pb2.ExecutionError | None = None,
    reason: str = "",
    external_resources: Iterable[event_pb2.ExternalResourceInfo] = (),
) -> event_pb2.TaskExecutionEvent:
    stamp = now()
    metadata = event_pb2.TaskExecutionMetadata(
        generated_name=attempt.generated_name,
        plugin_identifier=attempt.plugin,
        instance_class=(
            event_pb2.TaskExecutionMetadata.INTERRUPTIBLE
            if attempt.interruptible
            else event_pb2.TaskExecutionMetadata.DEFAULT
        ),
        external_resources=list(external_resources),
    )
    event = event_pb2.TaskExecutionEvent(
        task_id=attempt.task_id,
        parent_node_execution_id=attempt.node,
        retry_attempt=attempt.retry_attempt,
        phase=TaskPhase.Value(phase),
        phase_version=phase_version,
        producer_id=PRODUCER_ID,
        logs=attempt.logs,
        occurred_at=stamp,
        reported_at=stamp,
        task_type=attempt.task_type,
        metadata=metadata,
        event_version=TASK_EVENT_VERSION,
        reason=reason,
    )
    if reason:
        event.reasons.add(reason=reason, occurred_at=stamp)
    if attempt.input_uri:
        event.input_uri = attempt.input_uri
    if output_uri:
        event.output_uri = output_uri
    elif error is not None:
        event.error.CopyFrom(error)
    return event

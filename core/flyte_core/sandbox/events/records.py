"""What every kind of event shares: the phases and which of them are terminal, timestamps and durations as
flyteadmin stores them, the row keys and readable names of executions, node executions and task attempts, and
offloading inline event data to the blob store.
"""

from __future__ import annotations

import time
from typing import Any

from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import literals_pb2
from google.protobuf import duration_pb2, timestamp_pb2

from flyte_core.sandbox.blobs import BlobStore
from flyte_core.sandbox.errors import InvalidArgument

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

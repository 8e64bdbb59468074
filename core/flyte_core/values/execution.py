"""Execution phases as flyteidl numbers them (``WorkflowExecutionPhase.FAILED`` for notifications...).

Plain ints, as in flytekit: they are what ``Email(phases=[...])`` and the admin API take. The values are
those of ``flyteidl.core.execution_pb2``; importing this module does not import protobuf.
"""

from __future__ import annotations

__all__ = [
    "NodeExecutionPhase",
    "TaskExecutionPhase",
    "WorkflowExecutionPhase",
]


class _Phases:
    """Name <-> number for a set of phases."""

    @classmethod
    def enum_to_string(cls, int_value: int) -> str:
        """The phase's name (``6`` -> ``"FAILED"``), or the number as text when unknown."""
        for name, value in vars(cls).items():
            if name.isupper() and value == int_value:
                return name
        return str(int_value)


class WorkflowExecutionPhase(_Phases):
    """Phases of a workflow execution (``flyteidl.core.WorkflowExecution.Phase``)."""

    UNDEFINED = 0
    QUEUED = 1
    RUNNING = 2
    SUCCEEDING = 3
    SUCCEEDED = 4
    FAILING = 5
    FAILED = 6
    ABORTED = 7
    TIMED_OUT = 8
    ABORTING = 9


class NodeExecutionPhase(_Phases):
    """Phases of a node execution (``flyteidl.core.NodeExecution.Phase``)."""

    UNDEFINED = 0
    QUEUED = 1
    RUNNING = 2
    SUCCEEDED = 3
    FAILING = 4
    FAILED = 5
    ABORTED = 6
    SKIPPED = 7
    TIMED_OUT = 8
    DYNAMIC_RUNNING = 9
    RECOVERED = 10


class TaskExecutionPhase(_Phases):
    """Phases of a task execution (``flyteidl.core.TaskExecution.Phase``)."""

    UNDEFINED = 0
    QUEUED = 1
    RUNNING = 2
    SUCCEEDED = 3
    ABORTED = 4
    FAILED = 5
    INITIALIZING = 6
    WAITING_FOR_RESOURCES = 7
    RETRYABLE_FAILED = 8

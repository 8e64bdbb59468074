"""Executions as ``FlyteRemote`` sees them: workflow, node and task executions with their data.

Each wraps its admin message (``.proto``; ``id``, ``closure``, ``spec``... read through) and carries what
``FlyteRemote.sync`` filled in: inputs and outputs (``LiteralsResolver``), node executions by node id, task
executions by attempt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flyteidl.admin import execution_pb2, node_execution_pb2, task_execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2

from flyte_core.exceptions.user import FlyteAssertion

if TYPE_CHECKING:
    from flyte_core.remote.literals import LiteralsResolver

__all__ = ["FlyteNodeExecution", "FlyteTaskExecution", "FlyteWorkflowExecution"]

_WF = core_execution_pb2.WorkflowExecution
_NODE = core_execution_pb2.NodeExecution
_TASK = core_execution_pb2.TaskExecution
WORKFLOW_DONE = frozenset({_WF.SUCCEEDED, _WF.FAILED, _WF.ABORTED, _WF.TIMED_OUT})
NODE_DONE = frozenset({_NODE.SUCCEEDED, _NODE.FAILED, _NODE.ABORTED, _NODE.SKIPPED, _NODE.TIMED_OUT, _NODE.RECOVERED})
TASK_DONE = frozenset({_TASK.SUCCEEDED, _TASK.FAILED, _TASK.ABORTED})


class _Execution:
    """Shared by the three kinds: the wrapped message, data slots, and the done/error/outputs rules."""

    _done_phases: frozenset[int] = frozenset()
    _succeeded_phase = 0
    _phase_names: Any = None

    def __init__(self, proto: Any) -> None:
        self.proto = proto
        self._inputs: LiteralsResolver | None = None
        self._outputs: LiteralsResolver | None = None

    def __getattr__(self, name: str) -> Any:
        # id, closure, spec, metadata... of the admin message
        if name == "proto":
            raise AttributeError(name)
        return getattr(self.proto, name)

    @property
    def phase(self) -> int:
        return self.proto.closure.phase  # type: ignore[no-any-return]

    @property
    def phase_name(self) -> str:
        return self._phase_names.Name(self.phase)  # type: ignore[no-any-return]

    @property
    def is_done(self) -> bool:
        return self.phase in self._done_phases

    @property
    def is_successful(self) -> bool:
        return self.phase == self._succeeded_phase

    @property
    def error(self) -> Any:
        """The ``ExecutionError`` when it failed, None otherwise.

        Raises:
            FlyteAssertion: it is not done yet.
        """
        if not self.is_done:
            raise FlyteAssertion(f"{self._describe()} is still {self.phase_name}: its error is not known yet")
        closure = self.proto.closure
        return closure.error if closure.HasField("error") else None

    @property
    def inputs(self) -> LiteralsResolver:
        if self._inputs is None:
            raise FlyteAssertion(f"the inputs of {self._describe()} have not been fetched: sync it with FlyteRemote")
        return self._inputs

    @property
    def outputs(self) -> LiteralsResolver:
        """The outputs of a succeeded execution.

        Raises:
            FlyteAssertion: it is not done, it failed (the message says why), or the outputs were not fetched.
        """
        if not self.is_done:
            raise FlyteAssertion(f"{self._describe()} is still {self.phase_name}: wait for it before reading outputs")
        error = self.error
        if error is not None:
            raise FlyteAssertion(f"{self._describe()} failed, it has no outputs: {error.message}")
        if self._outputs is None:
            raise FlyteAssertion(f"the outputs of {self._describe()} have not been fetched: sync it with FlyteRemote")
        return self._outputs

    def _describe(self) -> str:
        return "the execution"


class FlyteTaskExecution(_Execution):
    """One attempt of a task node (``flyteidl.admin.TaskExecution``)."""

    _done_phases = TASK_DONE
    _succeeded_phase = _TASK.SUCCEEDED
    _phase_names = _TASK.Phase

    def __init__(self, proto: task_execution_pb2.TaskExecution) -> None:
        super().__init__(proto)

    @property
    def retry_attempt(self) -> int:
        return self.proto.id.retry_attempt  # type: ignore[no-any-return]

    @property
    def logs(self) -> list[Any]:
        return list(self.proto.closure.logs)

    def _describe(self) -> str:
        node = self.proto.id.node_execution_id
        return f"task execution {node.node_id} (attempt {self.retry_attempt})"


class FlyteNodeExecution(_Execution):
    """One node of a workflow execution (``flyteidl.admin.NodeExecution``) and what ran under it."""

    _done_phases = NODE_DONE
    _succeeded_phase = _NODE.SUCCEEDED
    _phase_names = _NODE.Phase

    def __init__(self, proto: node_execution_pb2.NodeExecution) -> None:
        super().__init__(proto)
        self.task_executions: list[FlyteTaskExecution] = []
        self.subworkflow_node_executions: dict[str, FlyteNodeExecution] = {}
        self.workflow_executions: list[FlyteWorkflowExecution] = []

    @property
    def node_id(self) -> str:
        return self.proto.metadata.spec_node_id or self.proto.id.node_id  # type: ignore[no-any-return]

    @property
    def is_parent_node(self) -> bool:
        return self.proto.metadata.is_parent_node  # type: ignore[no-any-return]

    @property
    def executions(self) -> list[Any]:
        """What ran under the node: its task attempts, child workflow executions or sub-nodes."""
        return self.task_executions or self.workflow_executions or list(self.subworkflow_node_executions.values())

    @property
    def outputs(self) -> LiteralsResolver:
        if self.phase == _NODE.SKIPPED:
            raise FlyteAssertion(f"{self._describe()} was skipped: it has no outputs")
        return super().outputs

    def _describe(self) -> str:
        return f"node execution {self.node_id}"


class FlyteWorkflowExecution(_Execution):
    """A workflow execution (``flyteidl.admin.Execution``): phase, error, inputs, outputs and nodes."""

    _done_phases = WORKFLOW_DONE
    _succeeded_phase = _WF.SUCCEEDED
    _phase_names = _WF.Phase

    def __init__(self, proto: execution_pb2.Execution, remote: Any = None) -> None:
        super().__init__(proto)
        self._remote = remote
        self._node_executions: dict[str, FlyteNodeExecution] | None = None
        self._python_output_types: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return self.proto.id.name  # type: ignore[no-any-return]

    @property
    def node_executions(self) -> dict[str, FlyteNodeExecution]:
        """Node executions by node id (start and end nodes left out); filled by ``sync(..., sync_nodes=True)``."""
        if self._node_executions is None:
            raise FlyteAssertion(
                f"the nodes of {self._describe()} have not been fetched: remote.sync(execution, sync_nodes=True)"
            )
        return self._node_executions

    @property
    def execution_url(self) -> str:
        """The console page of this execution."""
        if self._remote is None:
            raise FlyteAssertion(f"{self._describe()} was not fetched through a FlyteRemote: it has no console URL")
        return self._remote.generate_console_url(self)  # type: ignore[no-any-return]

    def sync(self, sync_nodes: bool = False) -> FlyteWorkflowExecution:
        """Refresh from the control plane (through the FlyteRemote that fetched it)."""
        if self._remote is None:
            raise FlyteAssertion(f"{self._describe()} was not fetched through a FlyteRemote: it cannot sync")
        return self._remote.sync_execution(self, sync_nodes=sync_nodes)  # type: ignore[no-any-return]

    def wait(self, timeout: Any = None, poll_interval: Any = None, sync_nodes: bool = True) -> FlyteWorkflowExecution:
        """Block until it is done (through the FlyteRemote that fetched it)."""
        if self._remote is None:
            raise FlyteAssertion(f"{self._describe()} was not fetched through a FlyteRemote: it cannot wait")
        return self._remote.wait(  # type: ignore[no-any-return]
            self, timeout=timeout, poll_interval=poll_interval, sync_nodes=sync_nodes
        )

    def _describe(self) -> str:
        ident = self.proto.id
        return f"execution {ident.project}/{ident.domain}/{ident.name}"

    def __repr__(self) -> str:
        return f"FlyteWorkflowExecution({self._describe().split(' ', 1)[1]}, {self.phase_name})"

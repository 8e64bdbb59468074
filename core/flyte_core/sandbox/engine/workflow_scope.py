"""One DAG of an execution being executed: the workflow, a sub-workflow or a dynamic workflow.

``Scope`` starts each node once its upstream nodes succeeded (resolving its input bindings), lets the node's
handler (``nodes.py``) make progress, reports every transition as a node event, judges whether the DAG
succeeded or failed (running its failure node) and aborts what runs under it.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING

from flyteidl.core import compiler_pb2, execution_pb2, identifier_pb2, literals_pb2, tasks_pb2, workflow_pb2

from flyte_core.sandbox.engine import nodes, reporting
from flyte_core.sandbox.engine.bindings import BindingError, resolve_bindings
from flyte_core.sandbox.engine.naming import unique_node_id
from flyte_core.sandbox.engine.state import (
    ACTIVE,
    SUCCESSFUL,
    TERMINAL,
    NodeState,
    ScopeState,
    error_record,
    new_error,
)
from flyte_core.sandbox.engine.workflow_graph import END_NODE, START_NODE, topological, upstream_nodes

if TYPE_CHECKING:
    from flyte_core.sandbox.engine.workflow import ExecutionRun

__all__ = ["Scope", "identifier_key"]

FailurePolicy = workflow_pb2.WorkflowMetadata


def identifier_key(identifier: identifier_pb2.Identifier) -> tuple[str, ...]:
    return (identifier.project, identifier.domain, identifier.name, identifier.version)


class Scope:
    """One DAG being executed: the workflow, a sub-workflow or a dynamic workflow, with its own start and end."""

    def __init__(
        self,
        run: ExecutionRun,
        key: str,
        workflow: compiler_pb2.CompiledWorkflow,
        closure: compiler_pb2.CompiledWorkflowClosure,
        inputs: literals_pb2.LiteralMap,
        parent: tuple[str, int] | None,
        dynamic_chain: bool,
    ) -> None:
        self.run = run
        self.key = key
        self.template = workflow.template
        self.closure = closure
        self.inputs = inputs
        self.parent = parent
        self.dynamic_chain = dynamic_chain
        self.nodes = {node.id: node for node in self.template.nodes}
        self.failure_node = self.template.failure_node if self.template.HasField("failure_node") else None
        self.upstream = upstream_nodes(workflow, self.nodes)
        self.order = topological(self.nodes, self.upstream)
        self.fail_immediately = self.template.metadata.on_failure != FailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE
        self._tasks = {identifier_key(t.template.id): t.template for t in closure.tasks}
        self._sub_workflows = {identifier_key(w.template.id): w for w in closure.sub_workflows}

    # -- lookups --------------------------------------------------------------------------------------------------

    @property
    def status(self) -> ScopeState:
        return self.run.state.scopes.setdefault(self.key, ScopeState())

    def unique_id(self, node_id: str, parent: tuple[str, int] | None = None) -> str:
        parent = parent or self.parent
        if parent is None:
            return unique_node_id(node_id)
        return unique_node_id(node_id, parent[0], parent[1])

    def state_of(self, node_id: str) -> NodeState | None:
        return self.run.state.nodes.get(self.unique_id(node_id))

    def task(self, identifier: identifier_pb2.Identifier) -> tasks_pb2.TaskTemplate:
        try:
            return self._tasks[identifier_key(identifier)]
        except KeyError:
            raise KeyError(
                f"task {identifier.project}/{identifier.domain}/{identifier.name}@{identifier.version} is not in the "
                "compiled workflow"
            ) from None

    def sub_workflow(self, identifier: identifier_pb2.Identifier) -> compiler_pb2.CompiledWorkflow:
        try:
            return self._sub_workflows[identifier_key(identifier)]
        except KeyError:
            raise KeyError(
                f"sub-workflow {identifier.project}/{identifier.domain}/{identifier.name}@{identifier.version} is "
                "not in the compiled workflow"
            ) from None

    def outputs_of(self, node_id: str) -> literals_pb2.LiteralMap:
        if node_id in ("", START_NODE):
            return self.inputs
        st = self.state_of(node_id)
        if st is None or st.phase != "SUCCEEDED" or st.outputs is None:
            phase = "not started" if st is None else st.phase
            raise BindingError(f"node '{node_id}' has no outputs ({phase})")
        return self.run.read_map(st.outputs)

    def outputs_uri(self) -> str | None:
        """Where the DAG's outputs are once it succeeded (its end node's), if it has outputs."""
        end = self.state_of(END_NODE)
        has_outputs = bool(self.template.outputs) or (END_NODE in self.nodes and bool(self.nodes[END_NODE].inputs))
        return end.outputs if end is not None and has_outputs else None

    def child(
        self,
        owner: NodeState,
        owner_id: str,
        workflow: compiler_pb2.CompiledWorkflow,
        closure: compiler_pb2.CompiledWorkflowClosure,
        inputs: literals_pb2.LiteralMap,
        dynamic_chain: bool,
    ) -> Scope:
        """The DAG a node runs (a sub-workflow, a dynamic workflow), for the node's current attempt."""
        key = f"{owner_id}/{owner.attempt}"
        return self.run.scope(
            key, lambda: Scope(self.run, key, workflow, closure, inputs, (owner_id, owner.attempt), dynamic_chain)
        )

    def identity(self, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> reporting.NodeIdentity:
        kind = node.WhichOneof("target")
        target = None
        is_eager = False
        if kind == "task_node":
            target = node.task_node.reference_id
            with contextlib.suppress(KeyError):
                is_eager = self.task(target).metadata.is_eager
        elif kind == "workflow_node" and node.workflow_node.HasField("launchplan_ref"):
            target = node.workflow_node.launchplan_ref
        return reporting.NodeIdentity(
            execution=self.run.execution,
            unique_id=unique_id,
            spec_id=node.id,
            name=node.metadata.name,
            parent=st.parent,
            retry_group=st.retry_group,
            dynamic_chain=st.dynamic_chain,
            input_uri="" if node.id == START_NODE else self.run.blobs.uri(f"{self.run.data_dir(unique_id)}/inputs.pb"),
            target=target,
            is_parent=kind == "workflow_node" and node.workflow_node.HasField("sub_workflow_ref"),
            is_array=kind == "array_node",
            is_eager=is_eager,
        )

    # -- reporting and transitions ------------------------------------------------------------------------------------

    def report(
        self,
        node: workflow_pb2.Node,
        unique_id: str,
        st: NodeState,
        phase: str,
        details: reporting.NodeDetails | None = None,
    ) -> None:
        """Move a node to ``phase`` and report it."""
        event = reporting.node_event(self.identity(node, unique_id, st), phase, details)
        self.run.report(self.run.host.record_node_event, event)
        st.phase = phase
        self.run.changed()

    def succeed(
        self,
        node: workflow_pb2.Node,
        unique_id: str,
        st: NodeState,
        outputs: str | None,
        details: reporting.NodeDetails | None = None,
    ) -> None:
        details = details or reporting.NodeDetails()
        st.outputs = outputs
        if outputs and self.run.blobs.exists(outputs):
            details.output_uri = outputs
        self.report(node, unique_id, st, "SUCCEEDED", details)

    def fail(
        self,
        node: workflow_pb2.Node,
        unique_id: str,
        st: NodeState,
        error: execution_pb2.ExecutionError,
        details: reporting.NodeDetails | None = None,
        phase: str = "FAILED",
    ) -> None:
        details = details or reporting.NodeDetails()
        details.error = error
        st.error = error_record(error)
        self.report(node, unique_id, st, phase, details)

    # -- advancing --------------------------------------------------------------------------------------------------

    def advance(self) -> ScopeState:
        """Advance every node that can move; the DAG's state (RUNNING, FAILING, SUCCEEDED, FAILED)."""
        status = self.status
        if status.phase in ("SUCCEEDED", "FAILED"):
            return status
        if status.phase == "RUNNING":
            for node_id in self.order:
                self._advance_node(node_id)
            self._judge(status)
        if status.phase == "FAILING":
            self._run_failure_node(status)
        return status

    def _advance_node(self, node_id: str) -> None:
        node = self.nodes[node_id]
        unique_id = self.unique_id(node_id)
        st = self.run.state.nodes.get(unique_id)
        if st is not None and st.phase in TERMINAL:
            return
        if st is None or st.phase == "NOT_STARTED":
            upstream = [self.state_of(u) for u in self.upstream[node_id]]
            if any(u is None or u.phase not in SUCCESSFUL for u in upstream):
                return
            if any(u is not None and u.phase == "SKIPPED" for u in upstream):
                self._skip(node, unique_id)
                return
        self.drive(node, None)

    def drive(self, node: workflow_pb2.Node, parent: tuple[str, int] | None) -> NodeState:
        """Start the node if it has not started, then let it make whatever progress it can."""
        unique_id = self.unique_id(node.id, parent)
        st = self.run.state.nodes.get(unique_id)
        if st is None or st.phase == "NOT_STARTED":  # (a node saved while it was being started starts again)
            st = self._begin(node, unique_id, parent)
        if st.phase in ACTIVE:
            nodes.handler_for(node).progress(self, node, unique_id, st)
        if st.phase in ACTIVE and node.WhichOneof("target") != "task_node":
            self._check_deadline(node, unique_id, st)
        return st

    def _check_deadline(self, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None:
        """A node other than a task node past its timeout (a gate waiting for its signal...) fails, its work
        aborted (task nodes time out attempt by attempt, in ``task_nodes``)."""
        if not (node.HasField("metadata") and node.metadata.HasField("timeout")):
            return
        timeout = node.metadata.timeout.ToTimedelta().total_seconds()
        if timeout <= 0:
            return
        deadline = st.queued_at + timeout
        if time.time() < deadline:
            self.run.wake_at(deadline)
            return
        reason = f"node execution timeout [{timeout:g}s] expired"
        nodes.handler_for(node).abort(self, node, unique_id, st, reason)
        self.fail(
            node,
            unique_id,
            st,
            execution_pb2.ExecutionError(code="TimeoutExpired", message=reason, kind=execution_pb2.ExecutionError.USER),
        )

    def _new_state(self, node: workflow_pb2.Node, unique_id: str, parent: tuple[str, int] | None) -> NodeState:
        owner = parent or self.parent
        st = NodeState(
            spec=node.id,
            parent=None if owner is None else owner[0],
            retry_group=None if owner is None else str(owner[1]),
            dynamic_chain=self.dynamic_chain,
            phase="NOT_STARTED",
            queued_at=time.time(),
        )
        self.run.state.nodes[unique_id] = st
        self.run.changed()
        return st

    def _skip(self, node: workflow_pb2.Node, unique_id: str) -> None:
        st = self._new_state(node, unique_id, None)
        self.report(node, unique_id, st, "SKIPPED", reporting.NodeDetails(with_inputs=False))

    def _begin(self, node: workflow_pb2.Node, unique_id: str, parent: tuple[str, int] | None) -> NodeState:
        st = self._new_state(node, unique_id, parent)
        if node.id == START_NODE:
            uri = self.run.write_map(f"{self.run.attempt_dir(unique_id, 0)}/outputs.pb", self.inputs)
            self.report(node, unique_id, st, "QUEUED", reporting.NodeDetails(output_uri=uri))
            self.succeed(node, unique_id, st, uri)
            return st
        try:
            inputs = resolve_bindings(node.inputs, self.outputs_of, self.run.blobs)
        except BindingError as exc:
            error = execution_pb2.ExecutionError(
                code="BindingResolutionFailure", message=str(exc), kind=execution_pb2.ExecutionError.SYSTEM
            )
            self.fail(node, unique_id, st, error, reporting.NodeDetails(with_inputs=False))
            return st
        if self.failure_node is not None and node.id == self.failure_node.id:
            nodes.add_failure_error(self, node, inputs)
        self.run.write_map(f"{self.run.data_dir(unique_id)}/inputs.pb", inputs)
        handler = nodes.handler_for(node)
        if handler.prepare(self, node, unique_id, st, inputs):
            return st
        self.report(node, unique_id, st, "QUEUED")
        return st

    def _judge(self, status: ScopeState) -> None:
        failed: list[tuple[str, NodeState]] = []
        active = False
        for node_id in self.order:
            st = self.state_of(node_id)
            if st is None:
                continue
            if st.phase in ("FAILED", "TIMED_OUT"):
                failed.append((node_id, st))
            elif st.phase in ACTIVE:
                active = True
        if failed:
            if self.fail_immediately or not active:
                node_id, st = failed[0]
                status.error = st.error or new_error("Timeout", "Timeout in node")
                status.failed_node = self.unique_id(node_id)
                status.phase = "FAILING"
                self.run.changed()
                if active:
                    self.abort_active(f"workflow failed: node '{node_id}' failed")
            return
        end = self.state_of(END_NODE)
        if end is not None and end.phase in SUCCESSFUL:
            status.phase = "SUCCEEDED"
            self.run.changed()

    def _run_failure_node(self, status: ScopeState) -> None:
        if self.failure_node is not None:
            st = self.drive(self.failure_node, None)
            if st.phase not in TERMINAL:
                return
        status.phase = "FAILED"
        self.run.changed()

    # -- aborting --------------------------------------------------------------------------------------------------

    def abort_active(self, reason: str) -> None:
        """Abort every node of this DAG that is running (and what runs under them)."""
        candidates = list(self.order)
        if self.failure_node is not None:
            candidates.append(self.failure_node.id)
        for node_id in candidates:
            st = self.state_of(node_id)
            if st is not None and st.phase in ACTIVE:
                node = self.nodes.get(node_id, self.failure_node)
                assert node is not None
                self.abort_node(node, self.unique_id(node_id), st, reason)

    def abort_node(self, node: workflow_pb2.Node, unique_id: str, st: NodeState, reason: str) -> None:
        nodes.handler_for(node).abort(self, node, unique_id, st, reason)
        error = execution_pb2.ExecutionError(code="NodeAborted", message=reason)
        self.report(node, unique_id, st, "ABORTED", reporting.NodeDetails(error=error))

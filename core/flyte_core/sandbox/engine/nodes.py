"""What each kind of node does once it is ready (flytepropeller's ``nodes/*`` handlers): here branches,
sub-workflows, gates and the end node; tasks and dynamic tasks in ``task_nodes``, launch plans in
``launch_plans``, array nodes in ``array_nodes``.

A handler is asked to ``prepare`` a node whose inputs were just written (a cached task finishes there, before
it is ever queued), to ``progress`` it at every pass while it is active, and to ``abort`` what it runs.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Protocol, TypeAlias

from flyteidl.core import execution_pb2, literals_pb2, types_pb2, workflow_pb2

from flyte_core.sandbox.engine.array_nodes import ArrayHandler
from flyte_core.sandbox.engine.conditions import BranchError, decide_branch
from flyte_core.sandbox.engine.launch_plans import LaunchPlanHandler
from flyte_core.sandbox.engine.state import ACTIVE, NodeState, execution_error, new_error
from flyte_core.sandbox.engine.task_nodes import TaskHandler

if TYPE_CHECKING:
    from flyte_core.sandbox.engine.workflow import ExecutionRun, Scope

_log = logging.getLogger("flyte_core.sandbox.engine")

ExecutionError: TypeAlias = execution_pb2.ExecutionError


class NodeHandler(Protocol):
    def prepare(
        self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, inputs: literals_pb2.LiteralMap
    ) -> bool:
        """The node's inputs are written: True if that finished it (e.g. a cache hit), else it gets QUEUED."""
        ...

    def progress(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None: ...

    def abort(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, reason: str) -> None: ...


def handler_for(node: workflow_pb2.Node) -> NodeHandler:
    kind = node.WhichOneof("target")
    if kind == "task_node":
        return _TASK
    if kind == "branch_node":
        return _BRANCH
    if kind == "workflow_node":
        return _LAUNCH_PLAN if node.workflow_node.HasField("launchplan_ref") else _SUB_WORKFLOW
    if kind == "gate_node":
        return _GATE
    if kind == "array_node":
        return _ARRAY
    return _END


def branch_children(node: workflow_pb2.Node) -> list[workflow_pb2.Node]:
    if_else = node.branch_node.if_else
    children = [if_else.case.then_node, *(case.then_node for case in if_else.other)]
    if if_else.HasField("else_node"):
        children.append(if_else.else_node)
    return children


# -- the end node -------------------------------------------------------------------------------------------------


class _EndHandler:
    """The end node: its inputs (the workflow's output bindings) become its outputs."""

    def prepare(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, inputs: object) -> bool:
        return False

    def progress(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None:
        run = scope.run
        uri = run.write_map(f"{run.attempt_dir(unique_id, 0)}/outputs.pb", scope.run.node_inputs(unique_id))
        scope.succeed(node, unique_id, st, uri)

    def abort(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, reason: str) -> None:
        pass


# -- branch nodes -------------------------------------------------------------------------------------------------


class _BranchHandler:
    """A branch node: decide the case once, then run the chosen node as the branch's child."""

    def prepare(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, inputs: object) -> bool:
        return False

    def progress(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None:
        if st.taken is None:
            try:
                chosen, skipped = decide_branch(node.branch_node, scope.run.node_inputs(unique_id))
            except BranchError as exc:
                scope.fail(
                    node, unique_id, st, ExecutionError(code=exc.code, message=str(exc), kind=ExecutionError.USER)
                )
                return
            st.taken = chosen.id
            for child in skipped:  # as propeller: marked skipped, never reported
                child_id = scope.unique_id(child.id, (unique_id, st.attempt))
                scope.run.state.nodes[child_id] = NodeState(
                    spec=child.id, parent=unique_id, retry_group=str(st.attempt), phase="SKIPPED"
                )
            scope.report(node, unique_id, st, "RUNNING")
        child = next(c for c in branch_children(node) if c.id == st.taken)
        child_st = scope.drive(child, (unique_id, st.attempt))
        if child_st.phase == "SUCCEEDED":
            scope.succeed(node, unique_id, st, child_st.outputs)
        elif child_st.phase in ("FAILED", "TIMED_OUT", "ABORTED"):
            error = child_st.error or new_error("BranchChildFailed", f"branch '{child.id}' {child_st.phase}")
            scope.fail(node, unique_id, st, execution_error(error))

    def abort(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, reason: str) -> None:
        if st.taken is None:
            return
        child = next(c for c in branch_children(node) if c.id == st.taken)
        child_id = scope.unique_id(child.id, (unique_id, st.attempt))
        child_st = scope.run.state.nodes.get(child_id)
        if child_st is not None and child_st.phase in ACTIVE:
            scope.abort_node(child, child_id, child_st, reason)


# -- sub-workflows and launch plans ------------------------------------------------------------------------------------


class _SubWorkflowHandler:
    """A sub-workflow node: the sub-workflow runs inline, its nodes children of this one."""

    def prepare(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, inputs: object) -> bool:
        try:
            scope.sub_workflow(node.workflow_node.sub_workflow_ref)
        except KeyError as exc:
            scope.fail(node, unique_id, st, ExecutionError(code="SubWorkflowNotFound", message=str(exc.args[0])))
            return True
        return False

    def _child(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> Scope:
        workflow = scope.sub_workflow(node.workflow_node.sub_workflow_ref)
        inputs = scope.run.node_inputs(unique_id)
        return scope.child(st, unique_id, workflow, scope.closure, inputs, scope.dynamic_chain)

    def progress(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None:
        if st.phase == "QUEUED":
            scope.report(node, unique_id, st, "RUNNING")
        child = self._child(scope, node, unique_id, st)
        status = child.advance()
        if status.phase == "SUCCEEDED":
            outputs = scope.run.copy_outputs(child.outputs_uri(), unique_id, st.attempt)
            scope.succeed(node, unique_id, st, outputs)
        elif status.phase == "FAILED":
            assert status.error is not None
            scope.fail(node, unique_id, st, execution_error(status.error))

    def abort(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, reason: str) -> None:
        self._child(scope, node, unique_id, st).abort_active(reason)


# -- gate nodes ---------------------------------------------------------------------------------------------------


class _GateHandler:
    """A gate node: sleep, wait for a signal, or wait for approval (signals come from the host)."""

    def prepare(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, inputs: object) -> bool:
        return False

    def progress(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None:
        run = scope.run
        gate = node.gate_node
        if st.phase == "QUEUED":
            st.started_at = time.time()
            scope.report(node, unique_id, st, "RUNNING")
        output_path = f"{run.attempt_dir(unique_id, st.attempt)}/outputs.pb"
        kind = gate.WhichOneof("condition")
        if kind == "sleep":
            assert st.started_at is not None
            wake = st.started_at + gate.sleep.duration.ToTimedelta().total_seconds()
            if time.time() >= wake:
                scope.succeed(node, unique_id, st, None)
            else:
                run.wake_at(wake)
        elif kind == "signal":
            value = _signal(run, gate.signal.signal_id, gate.signal.type)
            if value is not None:
                outputs = literals_pb2.LiteralMap(literals={gate.signal.output_variable_name: value})
                scope.succeed(node, unique_id, st, run.write_map(output_path, outputs))
        elif kind == "approve":
            value = _signal(run, gate.approve.signal_id, types_pb2.LiteralType(simple=types_pb2.BOOLEAN))
            if value is None:
                return
            if not (value.HasField("scalar") and value.scalar.primitive.WhichOneof("value") == "boolean"):
                message = f"received a non-boolean approve signal value [{value}]"
                scope.fail(node, unique_id, st, ExecutionError(code="RuntimeExecutionError", message=message))
            elif not value.scalar.primitive.boolean:
                error = ExecutionError(
                    code="ReceivedRejectSignal",
                    message="received a reject signal to disapprove the node input values",
                    kind=ExecutionError.USER,
                )
                scope.fail(node, unique_id, st, error)
            else:
                scope.succeed(node, unique_id, st, run.write_map(output_path, run.node_inputs(unique_id)))
        else:
            error = ExecutionError(
                code="BadSpecificationError",
                message="gateNode does not have a supported condition reference",
                kind=ExecutionError.SYSTEM,
            )
            scope.fail(node, unique_id, st, error)

    def abort(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, reason: str) -> None:
        pass


def _signal(run: ExecutionRun, signal_id: str, type: types_pb2.LiteralType) -> literals_pb2.Literal | None:
    """A signal's value once it is set (then the gate opens); else None, and the run looks again later."""
    try:
        value = run.host.get_or_create_signal(run.execution, signal_id, type)
    except Exception as exc:  # the control plane may be busy: look again later
        _log.warning("cannot get the signal '%s': %s", signal_id, exc)
        value = None
    if value is None or value.WhichOneof("value") is None:
        run.poll_later()
        return None
    return value


# -- failure nodes ------------------------------------------------------------------------------------------------


def add_failure_error(scope: Scope, node: workflow_pb2.Node, inputs: literals_pb2.LiteralMap) -> None:
    """A failure node's ``err`` input: the error the workflow failed with (as a FlyteError)."""
    if "err" not in inputs.literals:
        return
    status = scope.status
    message = status.error["message"] if status.error else ""
    error = literals_pb2.Literal(
        scalar=literals_pb2.Scalar(error=types_pb2.Error(failed_node_id=status.failed_node or "", message=message))
    )
    variant = _error_variant(scope, node)
    if variant is not None:
        error = literals_pb2.Literal(scalar=literals_pb2.Scalar(union=literals_pb2.Union(value=error, type=variant)))
    inputs.literals["err"].CopyFrom(error)


def _error_variant(scope: Scope, node: workflow_pb2.Node) -> types_pb2.LiteralType | None:
    """The ERROR variant of the failure task's ``err`` input when it is a union (``Optional[FlyteError]``)."""
    if node.WhichOneof("target") != "task_node":
        return None
    try:
        variables = scope.task(node.task_node.reference_id).interface.inputs.variables
    except KeyError:
        return None
    if "err" not in variables or variables["err"].type.WhichOneof("type") != "union_type":
        return None
    return next(
        (v for v in variables["err"].type.union_type.variants if v.simple == types_pb2.ERROR),
        None,
    )


_TASK = TaskHandler()
_BRANCH = _BranchHandler()
_SUB_WORKFLOW = _SubWorkflowHandler()
_LAUNCH_PLAN = LaunchPlanHandler()
_GATE = _GateHandler()
_ARRAY = ArrayHandler()
_END = _EndHandler()

"""One execution, driven to its end by its own thread: the workflow's DAG and the DAGs nested in it (sub-workflows,
dynamic workflows), advanced node by node with flytepropeller's semantics, every phase change reported to the
host as a flyteidl event and the progress saved after every change.

The thread owns all of the execution's state. Everything else talks to it through its inbox: a task process
ended (from the process's waiter thread), a process slot may be free, abort, stop. Between messages it
sleeps until the next deadline (a timeout, a sleep gate, the next poll of a launch-plan child or a signal).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flyteidl.core import compiler_pb2, execution_pb2, identifier_pb2, literals_pb2, tasks_pb2, workflow_pb2

from flyte_core.sandbox.engine import nodes, reporting
from flyte_core.sandbox.engine.bindings import BindingError, resolve_bindings
from flyte_core.sandbox.engine.naming import unique_node_id
from flyte_core.sandbox.engine.state import (
    ACTIVE,
    SUCCESSFUL,
    TERMINAL,
    ExecutionState,
    NodeState,
    ScopeState,
    error_record,
    execution_error,
    new_error,
)

if TYPE_CHECKING:
    from flyteidl.admin import execution_pb2 as admin_execution_pb2
    from flyteidl.event import event_pb2

    from flyte_core.sandbox.blobs import BlobStore
    from flyte_core.sandbox.engine.host import EngineHost, EngineSettings
    from flyte_core.sandbox.engine.runner import TaskProcess
    from flyte_core.sandbox.engine.slots import CacheReservations, ProcessSlots

_log = logging.getLogger("flyte_core.sandbox.engine")

START_NODE = "start-node"
END_NODE = "end-node"
TERMINAL_WORKFLOW_PHASES = "SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"
_MAX_PASSES = 100
_MAX_CONSECUTIVE_ERRORS = 3
_MAPS_KEPT = 256
FailurePolicy = workflow_pb2.WorkflowMetadata


@dataclass(frozen=True)
class RunContext:
    """What every execution of an engine shares."""

    host: EngineHost
    settings: EngineSettings
    slots: ProcessSlots
    reservations: CacheReservations
    work_root: str | None
    poll_interval: float
    kill_grace: float


@dataclass
class _Live:
    process: TaskProcess
    serial: int
    waiter: threading.Thread


def identifier_key(identifier: identifier_pb2.Identifier) -> tuple[str, ...]:
    return (identifier.project, identifier.domain, identifier.name, identifier.version)


class ExecutionRun:
    """One execution: its state, its DAGs, its processes; advanced by its own thread."""

    def __init__(
        self,
        context: RunContext,
        execution: identifier_pb2.WorkflowExecutionIdentifier,
        closure: compiler_pb2.CompiledWorkflowClosure,
        inputs: literals_pb2.LiteralMap,
        spec: admin_execution_pb2.ExecutionSpec,
        state: ExecutionState | None = None,
    ) -> None:
        self.context = context
        self.host = context.host
        self.settings = context.settings
        self.blobs: BlobStore = context.host.blobs
        self.execution = execution
        self.closure = closure
        self.spec = spec
        self.state = state or ExecutionState(phase="")
        self.inbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self.live: dict[str, _Live] = {}
        self._exits: dict[str, int] = {}
        self._serials = itertools.count(1)
        self._abort_cause: str | None = None
        self._stopping = False
        self._maps: OrderedDict[str, literals_pb2.LiteralMap] = OrderedDict()
        self._scopes: dict[str, Scope] = {}
        self._wake_at: float | None = None
        self._changed = False
        self._in_use = 0
        self._slot_requests: set[str] = set()
        self._prefix = f"{execution.project}/{execution.domain}/{execution.name}"
        self.top = Scope(self, "", closure.primary, closure, inputs, None, False)
        self.thread = threading.Thread(target=self._loop, name=f"flyte-engine-{execution.name}", daemon=True)

    # -- what the engine asks ---------------------------------------------------------------------------------------

    @property
    def kill_grace(self) -> float:
        return self.context.kill_grace

    @property
    def work_root(self) -> str | None:
        return self.context.work_root

    @property
    def finished(self) -> bool:
        return self.state.phase in TERMINAL_WORKFLOW_PHASES

    def start(self) -> None:
        self.thread.start()

    def request_abort(self, cause: str) -> None:
        self.inbox.put(("abort", cause))

    def request_stop(self) -> None:
        self.inbox.put(("stop",))

    def wake(self) -> None:
        self.inbox.put(("wake",))

    def report_final(self) -> None:
        """Report the terminal phase again (after a restart the host may not have had it)."""
        phase = self.state.phase
        if phase == "SUCCEEDED":
            event = reporting.workflow_event(self.execution, phase, output_uri=self.top.outputs_uri())
        elif phase == "FAILED" and self.state.error is not None:
            event = reporting.workflow_event(self.execution, phase, error=execution_error(self.state.error))
        else:
            event = reporting.workflow_event(self.execution, phase)
        self.report(self.host.record_workflow_event, event)

    def kill_processes(self) -> None:
        """End every process still running (after the thread stopped)."""
        for key in list(self.live):
            self.kill(key)

    # -- the thread ---------------------------------------------------------------------------------------------------

    def _loop(self) -> None:
        errors = 0
        while not self._stopping:
            try:
                self._advance_all()
                errors = 0
            except Exception as exc:
                errors += 1
                _log.exception("execution %s: the engine failed to advance it", self._prefix)
                if errors >= _MAX_CONSECUTIVE_ERRORS:
                    self._fail_internally(exc)
            if self.finished:
                break
            timeout = None if errors == 0 else 1.0
            if self._wake_at is not None:
                timeout = max(0.0, min(timeout or 1e9, self._wake_at - time.time()))
            try:
                message = self.inbox.get(timeout=timeout)
            except queue.Empty:
                continue
            self._receive(message)
            while True:
                try:
                    self._receive(self.inbox.get_nowait())
                except queue.Empty:
                    break
        for key in list(self._slot_requests):
            self.context.slots.cancel((self._prefix, key))
        self._slot_requests.clear()

    def _receive(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "exit":
            _, key, serial, code = message
            live = self.live.get(key)
            if live is not None and live.serial == serial:
                self._exits[key] = code
        elif kind == "abort":
            self._abort_cause = message[1]
        elif kind == "stop":
            self._stopping = True

    def _advance_all(self) -> None:
        for _ in range(_MAX_PASSES):
            self._changed = False
            self._wake_at = None
            self._in_use = self._count_in_use()
            self._advance()
            if not self._changed:
                break
            self.save()
            if self.finished:
                break

    def _advance(self) -> None:
        if self.finished:
            return
        if self.state.phase == "":
            self._report_workflow("RUNNING")
        if self._abort_cause is not None:
            self.top.abort_active(self._abort_cause)
            self._report_workflow("ABORTED")
            return
        status = self.top.advance()
        if status.phase == "SUCCEEDED":
            self._report_workflow("SUCCEEDING")
            self._report_workflow("SUCCEEDED", output_uri=self.top.outputs_uri())
        elif status.phase == "FAILING" and self.state.phase == "RUNNING":
            self._report_workflow("FAILING")
        elif status.phase == "FAILED":
            if self.state.phase == "RUNNING":
                self._report_workflow("FAILING")
            self.state.error = status.error
            assert status.error is not None
            self._report_workflow("FAILED", error=execution_error(status.error))

    def _fail_internally(self, exc: Exception) -> None:
        self.give_up("EngineError", f"the sandbox engine failed to run this execution: {type(exc).__name__}: {exc}")

    def give_up(self, code: str, message: str) -> None:
        """The engine cannot run the execution: end it as a system failure rather than leave it hanging."""
        with contextlib.suppress(Exception):
            self.top.abort_active(message)
        self.state.error = new_error(code, message, execution_pb2.ExecutionError.SYSTEM)
        with contextlib.suppress(Exception):
            self._report_workflow("FAILED", error=execution_error(self.state.error))
        self.state.phase = "FAILED"
        with contextlib.suppress(Exception):
            self.save()

    def _report_workflow(
        self, phase: str, output_uri: str | None = None, error: execution_pb2.ExecutionError | None = None
    ) -> None:
        self.report(self.host.record_workflow_event, reporting.workflow_event(self.execution, phase, output_uri, error))
        self.state.phase = phase
        self.changed()

    def _count_in_use(self) -> int:
        """Task processes and launch-plan children of this execution running now (``max_parallelism``)."""
        children = 0
        for st in self.state.nodes.values():
            if st.phase not in ACTIVE:
                continue
            if st.child is not None:
                children += 1
            for item in st.items or ():
                if item.child is not None and item.phase == "RUNNING":
                    children += 1
        return len(self.live) + children

    # -- services for the nodes ------------------------------------------------------------------------------------

    def changed(self) -> None:
        self._changed = True

    def save(self) -> None:
        self.host.save_engine_state(self.execution, self.state.dumps())

    def wake_at(self, when: float) -> None:
        if self._wake_at is None or when < self._wake_at:
            self._wake_at = when

    def poll_later(self) -> None:
        self.wake_at(time.time() + self.context.poll_interval)

    def report(self, record: Callable[[Any], None], event: Any) -> None:
        """Send an event; the host's refusals (a repeat, a change after the end) are logged, never fatal."""
        try:
            record(event)
        except Exception as exc:
            _log.warning("execution %s: the host did not take a %s: %s", self._prefix, type(event).__name__, exc)

    def report_task(self, event: event_pb2.TaskExecutionEvent) -> None:
        self.report(self.host.record_task_event, event)

    def data_dir(self, unique_id: str) -> str:
        return f"metadata/{self._prefix}/{unique_id}/data"

    def attempt_dir(self, unique_id: str, attempt: int) -> str:
        return f"{self.data_dir(unique_id)}/{attempt}"

    def raw_prefix(self, unique_id: str, *parts: object) -> str:
        configured = self.spec.raw_output_data_config.output_location_prefix
        tail = "/".join(str(p) for p in (unique_id, *parts))
        if configured:
            return f"{configured.rstrip('/')}/{self.execution.name}/{tail}"
        return self.blobs.uri(f"raw/{self._prefix}/{tail}")

    def log_path(self, unique_id: str, *parts: object) -> Path:
        *dirs, last = [str(p) for p in (unique_id, *parts)]
        return Path(self.settings.log_dir, self._prefix, *dirs, f"{last}.log")

    def clear_dir(self, path: str) -> str:
        """An empty directory in the blob store (an attempt's output prefix); its URI."""
        uri = self.blobs.clear_dir(path)
        for stale in [cached for cached in self._maps if cached.startswith(uri + "/")]:
            del self._maps[stale]
        return uri

    def make_dir_for(self, uri: str) -> None:
        self.blobs.make_dir_for(uri)

    def dir_exists(self, uri: str) -> bool:
        return self.blobs.dir_exists(uri)

    def read_map(self, uri: str) -> literals_pb2.LiteralMap:
        """A literal map (inputs.pb, outputs.pb) from the blob store; the last few read are kept."""
        cached = self._maps.get(uri)
        if cached is None:
            cached = literals_pb2.LiteralMap.FromString(self.blobs.read_bytes(uri))
            self._remember(uri, cached)
        else:
            self._maps.move_to_end(uri)
        return cached

    def write_map(self, path: str, literals: literals_pb2.LiteralMap) -> str:
        uri = self.blobs.write_bytes(path, literals.SerializeToString())
        self._remember(uri, literals)
        return uri

    def _remember(self, uri: str, literals: literals_pb2.LiteralMap) -> None:
        self._maps[uri] = literals
        while len(self._maps) > _MAPS_KEPT:
            self._maps.popitem(last=False)

    def node_inputs(self, unique_id: str) -> literals_pb2.LiteralMap:
        """The inputs a node was started with."""
        return self.read_map(self.blobs.uri(f"{self.data_dir(unique_id)}/inputs.pb"))

    def copy_outputs(self, source: str | None, unique_id: str, attempt: int) -> str | None:
        """A child DAG's outputs, copied into the node's own output prefix (as propeller does for sub-workflows)."""
        if source is None:
            return None
        return self.write_map(f"{self.attempt_dir(unique_id, attempt)}/outputs.pb", self.read_map(source))

    def internal_env(self, template: tasks_pb2.TaskTemplate, attempt: int) -> dict[str, str]:
        """What propeller injects into a task's pod (``k8s_resource_adds.go``)."""
        workflow = self.closure.primary.template.id
        task = template.id
        return {
            "FLYTE_INTERNAL_EXECUTION_WORKFLOW": f"{workflow.project}:{workflow.domain}:{workflow.name}",
            "FLYTE_INTERNAL_EXECUTION_ID": self.execution.name,
            "FLYTE_INTERNAL_EXECUTION_PROJECT": self.execution.project,
            "FLYTE_INTERNAL_EXECUTION_DOMAIN": self.execution.domain,
            "FLYTE_INTERNAL_TASK_PROJECT": task.project,
            "FLYTE_INTERNAL_TASK_DOMAIN": task.domain,
            "FLYTE_INTERNAL_TASK_NAME": task.name,
            "FLYTE_INTERNAL_TASK_VERSION": task.version,
            "FLYTE_INTERNAL_PROJECT": task.project,
            "FLYTE_INTERNAL_DOMAIN": task.domain,
            "FLYTE_INTERNAL_NAME": task.name,
            "FLYTE_INTERNAL_VERSION": task.version,
            "FLYTE_ATTEMPT_NUMBER": str(attempt),
        }

    # -- processes ----------------------------------------------------------------------------------------------

    def can_start(self) -> bool:
        """Whether the execution may start another task process or launch-plan child (``max_parallelism``)."""
        limit = self.spec.max_parallelism
        return not (limit > 0 and self._in_use >= limit)

    def acquire_slot(self, key: str) -> bool:
        """A process slot for ``key`` (held until its process ends), or False: asked for, the run is woken later."""
        if not self.can_start():
            return False
        if not self.context.slots.acquire((self._prefix, key), self.wake):
            self._slot_requests.add(key)
            return False
        self._slot_requests.discard(key)
        self._in_use += 1
        return True

    def count_child(self) -> None:
        self._in_use += 1

    def cancel_slot_request(self, key: str) -> None:
        if key in self._slot_requests:
            self._slot_requests.discard(key)
            self.context.slots.cancel((self._prefix, key))

    def release_unused_slot(self) -> None:
        self.context.slots.release()
        self._in_use -= 1

    def watch(self, key: str, process: TaskProcess, work_dir: str) -> None:
        """Track a started process: a waiter thread tells this run when it ends and frees its slot."""
        serial = next(self._serials)
        slots = self.context.slots

        def wait() -> None:
            code = process.wait()
            shutil.rmtree(work_dir, ignore_errors=True)
            slots.release()
            self.inbox.put(("exit", key, serial, code))

        waiter = threading.Thread(target=wait, name=f"flyte-task-{process.pid}", daemon=True)
        self.live[key] = _Live(process, serial, waiter)
        waiter.start()
        self.save()

    def take_exit(self, key: str) -> int | None:
        """The exit status of the process of ``key``, once it ended (then it is no longer live)."""
        if key not in self._exits:
            return None
        self.live.pop(key, None)
        return self._exits.pop(key)

    def kill(self, key: str) -> bool:
        """End the live process of ``key`` (SIGTERM, then SIGKILL); whether there was one."""
        live = self.live.pop(key, None)
        self._exits.pop(key, None)
        if live is None:
            return False
        live.process.kill(self.kill_grace)
        live.waiter.join(self.kill_grace)  # its slot is free once this returns
        return True

    def scope(self, key: str, make: Callable[[], Scope]) -> Scope:
        found = self._scopes.get(key)
        if found is None:
            found = self._scopes[key] = make()
        return found

    def reservation_owner(self) -> Hashable:
        return self._prefix


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
        self.upstream = _upstream(workflow, self.nodes)
        self.order = _topological(self.nodes, self.upstream)
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


# -- the DAG's shape ----------------------------------------------------------------------------------------------


def _promised_nodes(node: workflow_pb2.Node) -> set[str]:
    found: set[str] = set()

    def visit(data: literals_pb2.BindingData) -> None:
        kind = data.WhichOneof("value")
        if kind == "promise":
            found.add(data.promise.node_id or START_NODE)
        elif kind == "collection":
            for item in data.collection.bindings:
                visit(item)
        elif kind == "map":
            for item in data.map.bindings.values():
                visit(item)

    for binding in node.inputs:
        visit(binding.binding)
    if node.WhichOneof("target") == "branch_node":
        for child in nodes.branch_children(node):
            found |= _promised_nodes(child)
    return found


def _upstream(workflow: compiler_pb2.CompiledWorkflow, all_nodes: dict[str, workflow_pb2.Node]) -> dict[str, set[str]]:
    """Each node's upstream nodes: the compiled connections, explicit upstream ids and promised outputs."""
    connections = workflow.connections.upstream
    upstream: dict[str, set[str]] = {}
    for node_id, node in all_nodes.items():
        ids = set(connections[node_id].ids) if node_id in connections else set()
        ids |= set(node.upstream_node_ids)
        ids |= _promised_nodes(node)
        if node_id == END_NODE:
            for binding in workflow.template.outputs:
                ids |= _promised_nodes(workflow_pb2.Node(inputs=[binding]))
        ids.discard(node_id)
        ids = {i for i in ids if i in all_nodes}
        if not ids and node_id != START_NODE and START_NODE in all_nodes:
            ids = {START_NODE}
        upstream[node_id] = ids
    return upstream


def _topological(all_nodes: dict[str, workflow_pb2.Node], upstream: dict[str, set[str]]) -> list[str]:
    """Node ids, each after its upstream nodes (template order among equals)."""
    order: list[str] = []
    placed: set[str] = set()
    remaining = list(all_nodes)
    while remaining:
        progress = [n for n in remaining if upstream[n] <= placed]
        if not progress:
            raise ValueError(f"the workflow's nodes form a cycle: {', '.join(remaining)}")
        for node_id in progress:
            order.append(node_id)
            placed.add(node_id)
        remaining = [n for n in remaining if n not in placed]
    return order

"""One execution, driven to its end by its own thread: the workflow's DAG and the DAGs nested in it (sub-workflows,
dynamic workflows), advanced node by node with flytepropeller's semantics, every phase change reported to the
host as a flyteidl event and the progress saved after every change.

The thread owns all of the execution's state. Everything else talks to it through its inbox: a task process
ended (from the process's waiter thread), a process slot may be free, abort, stop. Between messages it
sleeps until the next deadline (a timeout, a sleep gate, the next poll of a launch-plan child or a signal).

``ExecutionRun`` is the thread and the services the nodes use (events, saving, the blob store, wake-ups); its
task processes are ``workflow_processes.py``'s, each DAG is a ``Scope`` (``workflow_scope.py``) and a DAG's
shape is ``workflow_graph.py``'s.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flyteidl.core import compiler_pb2, execution_pb2, identifier_pb2, literals_pb2, tasks_pb2

from flyte_core.sandbox.engine import reporting
from flyte_core.sandbox.engine.state import ExecutionState, execution_error, new_error
from flyte_core.sandbox.engine.workflow_processes import RunProcesses
from flyte_core.sandbox.engine.workflow_scope import Scope

if TYPE_CHECKING:
    from flyteidl.admin import execution_pb2 as admin_execution_pb2
    from flyteidl.event import event_pb2

    from flyte_core.sandbox.blobs import BlobStore
    from flyte_core.sandbox.engine.host import EngineHost, EngineSettings
    from flyte_core.sandbox.engine.slots import CacheReservations, ProcessSlots

__all__ = ["TERMINAL_WORKFLOW_PHASES", "ExecutionRun", "RunContext", "Scope"]

_log = logging.getLogger("flyte_core.sandbox.engine")

TERMINAL_WORKFLOW_PHASES = "SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"
_MAX_PASSES = 100
_MAX_CONSECUTIVE_ERRORS = 3
_MAPS_KEPT = 256


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


class ExecutionRun(RunProcesses):
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
        self.live = {}
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

    def scope(self, key: str, make: Callable[[], Scope]) -> Scope:
        found = self._scopes.get(key)
        if found is None:
            found = self._scopes[key] = make()
        return found

    def reservation_owner(self) -> Hashable:
        return self._prefix

"""``LocalEngine``: the sandbox's executor (the ``Engine`` the control plane drives).

Each execution runs in its own thread (``workflow.ExecutionRun``); task processes of all executions share
``EngineSettings.max_parallel_tasks`` slots, granted in the order they were asked for. ``submit`` and
``resume`` return at once; ``terminate`` asks the execution's thread to abort (it kills the processes, aborts
launch-plan children and reports ABORTED); ``stop`` ends the threads and kills the processes without
reporting anything, so that the executions resume, from their saved state, at the next start.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING

from flyte_core.sandbox.engine.slots import CacheReservations, ProcessSlots
from flyte_core.sandbox.engine.state import ExecutionState
from flyte_core.sandbox.engine.workflow import ExecutionRun, RunContext

if TYPE_CHECKING:
    from flyteidl.admin import execution_pb2
    from flyteidl.core import compiler_pb2, identifier_pb2, literals_pb2

    from flyte_core.sandbox.engine.host import EngineHost, EngineSettings

_log = logging.getLogger("flyte_core.sandbox.engine")

_Key = tuple[str, str, str]


def _key(execution: identifier_pb2.WorkflowExecutionIdentifier) -> _Key:
    return (execution.project, execution.domain, execution.name)


class LocalEngine:
    """Runs workflows as flytepropeller does, each task as a local process; reports everything through ``host``.

    Args:
        host: the control plane (events, blobs, child executions, signals, the cache, the saved state).
        settings: how tasks run (process slots, logs, image environments, extra environment).
        work_dir: where each attempt gets its own working directory (default: the system's temporary directory).
        poll_interval: seconds between looks at a launch-plan child, a signal or a cache reservation.
        kill_grace: seconds a task process gets between SIGTERM and SIGKILL.
    """

    def __init__(
        self,
        host: EngineHost,
        settings: EngineSettings,
        *,
        work_dir: str | os.PathLike[str] | None = None,
        poll_interval: float = 1.0,
        kill_grace: float = 3.0,
    ) -> None:
        if work_dir is not None:
            os.makedirs(work_dir, exist_ok=True)
        self._context = RunContext(
            host=host,
            settings=settings,
            slots=ProcessSlots(settings.max_parallel_tasks),
            reservations=CacheReservations(),
            work_root=None if work_dir is None else os.fspath(work_dir),
            poll_interval=poll_interval,
            kill_grace=kill_grace,
        )
        self._runs: dict[_Key, ExecutionRun] = {}
        self._lock = threading.Lock()
        self._started = False

    # -- Engine -------------------------------------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            self._started = True
            waiting = [run for run in self._runs.values() if not run.thread.is_alive() and not run.finished]
        for run in waiting:
            run.start()

    def submit(
        self,
        execution: identifier_pb2.WorkflowExecutionIdentifier,
        closure: compiler_pb2.CompiledWorkflowClosure,
        inputs: literals_pb2.LiteralMap,
        spec: execution_pb2.ExecutionSpec,
    ) -> None:
        self._launch(ExecutionRun(self._context, execution, closure, inputs, spec))

    def resume(
        self,
        execution: identifier_pb2.WorkflowExecutionIdentifier,
        closure: compiler_pb2.CompiledWorkflowClosure,
        inputs: literals_pb2.LiteralMap,
        spec: execution_pb2.ExecutionSpec,
    ) -> None:
        saved = self._context.host.load_engine_state(execution)
        try:
            state = ExecutionState.loads(saved) if saved else None
        except Exception as exc:
            run = ExecutionRun(self._context, execution, closure, inputs, spec, ExecutionState())
            run.give_up("EngineStateUnreadable", f"cannot resume this execution, its saved state is unreadable: {exc}")
            return
        run = ExecutionRun(self._context, execution, closure, inputs, spec, state)
        if run.finished:
            run.report_final()
            return
        self._launch(run)

    def terminate(self, execution: identifier_pb2.WorkflowExecutionIdentifier, cause: str) -> None:
        with self._lock:
            run = self._runs.get(_key(execution))
        if run is None or run.finished:
            _log.info("terminate: execution %s is not running in this engine", "/".join(_key(execution)))
            return
        run.request_abort(cause)

    def running(self) -> int:
        return self._context.slots.used

    def stop(self) -> None:
        with self._lock:
            runs = list(self._runs.values())
            self._runs.clear()
            self._started = False
        for run in runs:
            run.request_stop()
        for run in runs:
            if run.thread.is_alive():
                run.thread.join()
        for run in runs:
            run.kill_processes()

    # -- beyond the protocol -----------------------------------------------------------------------------------------

    def wait(self, execution: identifier_pb2.WorkflowExecutionIdentifier, timeout: float | None = None) -> bool:
        """Block until the execution's thread has finished (it reached a terminal phase, or the engine stopped)."""
        with self._lock:
            run = self._runs.get(_key(execution))
        if run is None:
            return True
        if run.thread.ident is None:
            return run.finished
        run.thread.join(timeout)
        return not run.thread.is_alive()

    def _launch(self, run: ExecutionRun) -> None:
        key = _key(run.execution)
        with self._lock:
            existing = self._runs.get(key)
            if existing is not None and not existing.finished and (existing.thread.is_alive() or not self._started):
                _log.info("execution %s is already running in this engine", "/".join(key))
                return
            for other in [k for k, r in self._runs.items() if r.finished and not r.thread.is_alive()]:
                del self._runs[other]
            self._runs[key] = run
            started = self._started
        if started:
            run.start()

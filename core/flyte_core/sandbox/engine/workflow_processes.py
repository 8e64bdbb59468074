"""An execution's task processes: process slots (the engine's limit and the execution's ``max_parallelism``),
a waiter thread per process that tells the execution's thread when it ended, and killing.

``RunProcesses`` is a part of ``ExecutionRun`` (``workflow.py``), which holds the state it works on.
"""

from __future__ import annotations

import itertools
import queue
import shutil
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flyte_core.sandbox.engine.state import ACTIVE

if TYPE_CHECKING:
    from flyteidl.admin import execution_pb2 as admin_execution_pb2

    from flyte_core.sandbox.engine.runner import TaskProcess
    from flyte_core.sandbox.engine.state import ExecutionState
    from flyte_core.sandbox.engine.workflow import RunContext

__all__ = ["RunProcesses"]


@dataclass
class _Live:
    process: TaskProcess
    serial: int
    waiter: threading.Thread


class RunProcesses:
    """The processes of one execution: slots, waiters, exit statuses, kills."""

    context: RunContext
    spec: admin_execution_pb2.ExecutionSpec
    state: ExecutionState
    inbox: queue.SimpleQueue[tuple[Any, ...]]
    live: dict[str, _Live]
    _exits: dict[str, int]
    _serials: itertools.count[int]
    _in_use: int
    _slot_requests: set[str]
    _prefix: str

    if TYPE_CHECKING:

        @property
        def kill_grace(self) -> float: ...

        def wake(self) -> None: ...

        def save(self) -> None: ...

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

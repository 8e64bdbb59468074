"""What all executions share: the process slots (``EngineSettings.max_parallel_tasks``) and the reservations of
cache-serializable tasks."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class ProcessSlots:
    """At most ``limit`` task processes at once, granted first come, first served.

    A caller that gets no slot is queued with its ``wake`` callback and called back when a slot may be its."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"max_parallel_tasks must be at least 1, got {limit}")
        self._limit = limit
        self._used = 0
        self._waiting: OrderedDict[Hashable, Callable[[], None]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def used(self) -> int:
        return self._used

    def acquire(self, ticket: Hashable, wake: Callable[[], None]) -> bool:
        """Take a slot for ``ticket`` if one is free and no earlier ticket is waiting for it; else queue it."""
        with self._lock:
            self._waiting.setdefault(ticket, wake)
            free = self._limit - self._used
            for position, waiting in enumerate(self._waiting):
                if position >= free:
                    break
                if waiting == ticket:
                    del self._waiting[ticket]
                    self._used += 1
                    return True
            return False

    def release(self) -> None:
        with self._lock:
            self._used -= 1
            wakes = self._first_waiting()
        for wake in wakes:
            wake()

    def cancel(self, ticket: Hashable) -> None:
        """Forget a queued ticket (its node no longer wants a slot)."""
        with self._lock:
            if self._waiting.pop(ticket, None) is None:
                return
            wakes = self._first_waiting()
        for wake in wakes:
            wake()

    def _first_waiting(self) -> list[Callable[[], None]]:
        free = self._limit - self._used
        return [wake for position, wake in enumerate(self._waiting.values()) if position < free]


class CacheReservations:
    """Who runs a cache-serializable task for given inputs; the others wait and then find its outputs cached."""

    def __init__(self) -> None:
        self._owners: dict[Hashable, Hashable] = {}
        self._lock = threading.Lock()

    def acquire(self, key: Hashable, owner: Hashable) -> bool:
        with self._lock:
            return self._owners.setdefault(key, owner) == owner

    def release(self, key: Hashable, owner: Hashable) -> None:
        with self._lock:
            if self._owners.get(key) == owner:
                del self._owners[key]

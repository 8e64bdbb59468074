"""How many executions of a launch plan may run at once, and what happens to the next one."""

from __future__ import annotations

from typing import Any

from flyte_core.values.common import FlyteIdlEntity

__all__ = [
    "ConcurrencyLimitBehavior",
    "ConcurrencyPolicy",
]


class ConcurrencyLimitBehavior:
    """What the scheduler does with an execution beyond the limit (``flyteidl.admin.ConcurrencyLimitBehavior``)."""

    SKIP = 1

    @classmethod
    def enum_to_string(cls, val: int) -> str:
        return "SKIP" if val == cls.SKIP else "<UNKNOWN>"


class ConcurrencyPolicy(FlyteIdlEntity):
    """At most ``max_concurrency`` executions of the launch plan at a time; ``behavior`` for the ones beyond."""

    def __init__(self, max_concurrency: int, behavior: int | None = None) -> None:
        self._max_concurrency = max_concurrency
        self._behavior = behavior if behavior is not None else ConcurrencyLimitBehavior.SKIP

    @property
    def max_concurrency(self) -> int:
        return self._max_concurrency

    @property
    def behavior(self) -> int:
        return self._behavior

    def to_flyte_idl(self) -> Any:
        from flyteidl.admin import launch_plan_pb2

        return launch_plan_pb2.ConcurrencyPolicy(max=self._max_concurrency, behavior=self._behavior)

    @classmethod
    def from_flyte_idl(cls, pb2_object: Any) -> ConcurrencyPolicy:
        return cls(max_concurrency=pb2_object.max, behavior=pb2_object.behavior)

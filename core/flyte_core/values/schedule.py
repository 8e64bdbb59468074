"""A launch plan's schedule as flyteidl describes it: a cron schedule or a fixed rate (``flyteidl.admin.Schedule``).

``flyte_core.CronSchedule`` and ``flyte_core.FixedRate`` (``sdk/schedule.py``) are the validated ways to build one.
"""

from __future__ import annotations

from typing import Any

from flyte_core.values.common import FlyteIdlEntity

__all__ = [
    "Schedule",
]


class Schedule(FlyteIdlEntity):
    """One of a cron schedule or a fixed rate, and optionally the workflow input that receives the kickoff time."""

    class FixedRateUnit:
        MINUTE = 0
        HOUR = 1
        DAY = 2

        @classmethod
        def enum_to_string(cls, int_value: int) -> str:
            return {0: "MINUTE", 1: "HOUR", 2: "DAY"}.get(int_value, str(int_value))

    class FixedRate(FlyteIdlEntity):
        """Every ``value`` ``unit``s (``unit`` from ``FixedRateUnit``)."""

        def __init__(self, value: int, unit: int) -> None:
            self._value = value
            self._unit = unit

        @property
        def value(self) -> int:
            return self._value

        @property
        def unit(self) -> int:
            return self._unit

        def to_flyte_idl(self) -> Any:
            from flyteidl.admin import schedule_pb2

            return schedule_pb2.FixedRate(value=self._value, unit=self._unit)

        @classmethod
        def from_flyte_idl(cls, pb2_object: Any) -> Schedule.FixedRate:
            return cls(pb2_object.value, pb2_object.unit)

    class CronSchedule(FlyteIdlEntity):
        """A cron expression or alias (``"0 * * * *"``, ``"@daily"``) and an optional ISO 8601 offset."""

        def __init__(self, schedule: str | None, offset: str | None) -> None:
            self._schedule = schedule
            self._offset = offset

        @property
        def schedule(self) -> str | None:
            return self._schedule

        @property
        def offset(self) -> str | None:
            return self._offset

        def to_flyte_idl(self) -> Any:
            from flyteidl.admin import schedule_pb2

            return schedule_pb2.CronSchedule(schedule=self._schedule, offset=self._offset)

        @classmethod
        def from_flyte_idl(cls, pb2_object: Any) -> Schedule.CronSchedule:
            return cls(pb2_object.schedule or None, pb2_object.offset or None)

    def __init__(
        self,
        kickoff_time_input_arg: str | None,
        cron_expression: str | None = None,
        rate: Schedule.FixedRate | None = None,
        cron_schedule: Schedule.CronSchedule | None = None,
    ) -> None:
        self._kickoff_time_input_arg = kickoff_time_input_arg
        self._cron_expression = cron_expression
        self._rate = rate
        self._cron_schedule = cron_schedule

    @property
    def kickoff_time_input_arg(self) -> str | None:
        return self._kickoff_time_input_arg

    @property
    def cron_expression(self) -> str | None:
        return self._cron_expression

    @property
    def rate(self) -> Schedule.FixedRate | None:
        return self._rate

    @property
    def cron_schedule(self) -> Schedule.CronSchedule | None:
        return self._cron_schedule

    @property
    def schedule_expression(self) -> Any:
        return self._cron_expression or self._rate or self._cron_schedule

    def to_flyte_idl(self) -> Any:
        from flyteidl.admin import schedule_pb2

        return schedule_pb2.Schedule(
            kickoff_time_input_arg=self._kickoff_time_input_arg,
            cron_expression=self._cron_expression,
            rate=self._rate.to_flyte_idl() if self._rate is not None else None,
            cron_schedule=self._cron_schedule.to_flyte_idl() if self._cron_schedule is not None else None,
        )

    @classmethod
    def from_flyte_idl(cls, pb2_object: Any) -> Schedule:
        return Schedule(
            pb2_object.kickoff_time_input_arg or None,
            cron_expression=pb2_object.cron_expression if pb2_object.HasField("cron_expression") else None,
            rate=Schedule.FixedRate.from_flyte_idl(pb2_object.rate) if pb2_object.HasField("rate") else None,
            cron_schedule=Schedule.CronSchedule.from_flyte_idl(pb2_object.cron_schedule)
            if pb2_object.HasField("cron_schedule")
            else None,
        )

"""Launch-plan schedules: ``CronSchedule(schedule="0 * * * *")`` and ``FixedRate(duration=timedelta(hours=1))``.

Both are validated when built, with flytekit's error types: a cron expression is checked field by field
(aliases such as ``@daily``, 5 fields, or 6-7 with seconds and year; ranges, steps, lists, month and day
names, ``L``/``W``/``#``/``H``), an offset must be an ISO 8601 duration, a fixed rate whole minutes.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, Protocol

from flyte_core.values.schedule import Schedule


class LaunchPlanTriggerBase(Protocol):
    """A trigger (``LaunchPlan(trigger=...)``): anything that turns into a flyteidl message."""

    def to_flyte_idl(self, *args: Any, **kwargs: Any) -> Any: ...


_OFFSET_PATTERN = re.compile("([-+]?)P([-+0-9YMWD]+)?(T([-+0-9HMS.,]+)?)?")

_MONTHS = {
    m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))
}
_DAYS = {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}

# (name, low, high, names) per field of "minute hour day-of-month month day-of-week [second [year]]".
_FIELDS = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day-of-month", 1, 31, {}),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 0, 7, _DAYS),
    ("second", 0, 59, {}),
    ("year", 1970, 2099, {}),
)
_CRON_MACROS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})


class CronSchedule(Schedule):
    """Run a launch plan on a cron schedule.

    ``schedule`` is a cron expression (``"*/5 * * * *"``) or an alias (``"@daily"``, ``"hourly"``...);
    ``offset`` an ISO 8601 duration; ``kickoff_time_input_arg`` names the workflow input (a ``datetime``)
    that receives the time the run was scheduled for. ``cron_expression`` (the AWS-style form of old
    flytekit versions) is no longer supported.
    """

    _VALID_CRON_ALIASES = (
        "hourly",
        "hours",
        "@hourly",
        "daily",
        "days",
        "@daily",
        "weekly",
        "weeks",
        "@weekly",
        "monthly",
        "months",
        "@monthly",
        "annually",
        "@annually",
        "yearly",
        "years",
        "@yearly",
    )
    _OFFSET_PATTERN = _OFFSET_PATTERN

    def __init__(
        self,
        cron_expression: str | None = None,
        schedule: str | None = None,
        offset: str | None = None,
        kickoff_time_input_arg: str | None = None,
    ) -> None:
        if cron_expression:
            raise AssertionError(
                "cron_expression is deprecated and should not be used. Use `schedule` instead: "
                f"CronSchedule(schedule=...) takes a 5-field cron expression or an alias, got {cron_expression!r}."
            )
        if schedule is not None:
            CronSchedule._validate_schedule(schedule)
        if offset is not None:
            CronSchedule._validate_offset(offset)
        super().__init__(
            kickoff_time_input_arg,
            cron_expression=cron_expression,
            cron_schedule=Schedule.CronSchedule(schedule, offset) if schedule is not None else None,
        )

    @staticmethod
    def _validate_schedule(schedule: str) -> None:
        if schedule.lower() in CronSchedule._VALID_CRON_ALIASES:
            return
        problem = _cron_problem(schedule)
        if problem:
            raise ValueError(f"Schedule is invalid. Provided schedule: {schedule} Error: {problem}")

    @staticmethod
    def _validate_offset(offset: str) -> None:
        if _OFFSET_PATTERN.fullmatch(offset) is None:
            raise ValueError(
                f"Offset is invalid. It must be an ISO 8601 duration (for example 'PT1H' or 'P1D'). "
                f"Provided offset: {offset}"
            )


def _cron_problem(expression: str) -> str | None:
    """Why ``expression`` is not a valid cron expression, or None when it is."""
    if expression.strip().lower() in _CRON_MACROS:
        return None
    fields = expression.split()
    if len(fields) not in (5, 6, 7):
        return (
            "Exactly 5, 6 or 7 columns has to be specified for iterator expression "
            f"(minute hour day-of-month month day-of-week [second [year]]), found {len(fields)}."
        )
    for text, (name, low, high, names) in zip(fields, _FIELDS, strict=False):
        for item in text.split(","):
            problem = _cron_item_problem(item.lower(), name, low, high, names)
            if problem:
                return f"[{expression}] is not acceptable: {problem}"
    if len(fields) == 7 and fields[6] not in ("*", "?"):
        years = [int(y) for y in re.findall(r"\d+", fields[6])]
        if years and max(years) < datetime.datetime.now().year:
            return f"failed to find next date: year field {fields[6]!r} lies in the past"
    return None


def _cron_item_problem(item: str, name: str, low: int, high: int, names: dict[str, int]) -> str | None:
    """Why one comma-separated item of a cron field is invalid, or None."""
    if not item:
        return f"empty entry in the {name} field"
    if item in ("*", "?"):
        return None
    base, _, step = item.partition("/")
    if step and (not step.isdigit() or int(step) == 0):
        return f"{name} field step {step!r} must be a positive number"
    if base in ("*", "?"):
        return None
    if base.startswith("h"):  # Jenkins-style hashed value: H, H(a-b)
        return None if re.fullmatch(r"h(\(\d+-\d+\))?", base) else f"{name} field entry {item!r} is malformed"
    if name == "day-of-month" and (base == "l" or re.fullmatch(r"l-\d+|\d+w|lw", base)):
        return None
    if name == "day-of-week":
        nth = re.fullmatch(r"(\w+)#([1-5])", base) or re.fullmatch(r"(\w+)l", base)
        if nth:
            base = nth.group(1)
    for bound in base.split("-", 1):
        value = names.get(bound) if not bound.isdigit() else int(bound)
        if value is None:
            return f"{name} field entry {item!r} is not a number{' or name' if names else ''}"
        if not low <= value <= high:
            return f"{name} field value {bound} is out of range {low}-{high}"
    return None


class FixedRate(Schedule):
    """Run a launch plan every ``duration`` (whole minutes; expressed in days, hours or minutes on the wire)."""

    def __init__(self, duration: datetime.timedelta, kickoff_time_input_arg: str | None = None) -> None:
        super().__init__(kickoff_time_input_arg, rate=self._translate_duration(duration))

    @staticmethod
    def _translate_duration(duration: datetime.timedelta) -> Schedule.FixedRate:
        if not isinstance(duration, datetime.timedelta):
            raise TypeError(f"FixedRate takes a datetime.timedelta, got {type(duration).__name__} {duration!r}")
        if duration.microseconds != 0 or duration.seconds % 60 != 0:
            raise AssertionError(
                f"Granularity of less than a minute is not supported for FixedRate schedules.  Received: {duration}"
            )
        seconds = int(duration.total_seconds())
        if seconds <= 0:
            raise AssertionError(f"FixedRate needs a positive duration, received: {duration}")
        if seconds % 86400 == 0:
            return Schedule.FixedRate(seconds // 86400, Schedule.FixedRateUnit.DAY)
        if seconds % 3600 == 0:
            return Schedule.FixedRate(seconds // 3600, Schedule.FixedRateUnit.HOUR)
        return Schedule.FixedRate(seconds // 60, Schedule.FixedRateUnit.MINUTE)


class OnSchedule(LaunchPlanTriggerBase):
    """A trigger that runs on a schedule (``LaunchPlan(trigger=OnSchedule(CronSchedule(...)))``)."""

    def __init__(self, schedule: CronSchedule | FixedRate) -> None:
        self._schedule = schedule

    def to_flyte_idl(self, *args: Any, **kwargs: Any) -> Any:
        return self._schedule.to_flyte_idl()

"""Scheduled launch plans: when a cron or fixed-rate schedule fires, and the thread that launches them.

Cron schedules are the standard five fields (minute hour day-of-month month day-of-week, with names,
ranges, steps and lists; when both day fields are restricted either may match) or an alias
(``@hourly``/``hourly``, ``@daily``, ``@weekly``, ``@monthly``, ``@yearly``...). A fixed rate fires every
``value`` minutes/hours/days from the time the launch plan was activated. Each firing is launched with
the scheduled time (as ``kickoff_time_input_arg`` when the schedule names one); the launch must be
idempotent per (launch plan, time) — the sandbox names such executions after both — so a restart never
fires twice. Firings missed while the sandbox was stopped are not caught up.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

logger = logging.getLogger("flyte_core.sandbox.schedules")

_ALIASES = {
    "hourly": "0 * * * *",
    "hours": "0 * * * *",
    "daily": "0 0 * * *",
    "days": "0 0 * * *",
    "midnight": "0 0 * * *",
    "weekly": "0 0 * * 0",
    "weeks": "0 0 * * 0",
    "monthly": "0 0 1 * *",
    "months": "0 0 1 * *",
    "yearly": "0 0 1 1 *",
    "years": "0 0 1 1 *",
    "annually": "0 0 1 1 *",
}
_MONTHS = {
    m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])
}
_DAYS = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
_RANGES = ((0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, _MONTHS), (0, 7, _DAYS))


class ScheduleError(ValueError):
    """A schedule the sandbox cannot run; the message names the part that is wrong."""


class Cron:
    """A parsed five-field cron expression."""

    def __init__(self, expression: str) -> None:
        text = expression.strip().lower()
        text = _ALIASES.get(text.removeprefix("@"), text)
        fields = text.split()
        if len(fields) != 5:
            raise ScheduleError(
                f"cron schedule '{expression}' has {len(fields)} fields; the sandbox runs five "
                "(minute hour day-of-month month day-of-week) or an alias such as @hourly"
            )
        parsed = [
            _field(f, low, high, names, expression) for f, (low, high, names) in zip(fields, _RANGES, strict=True)
        ]
        self.minutes, self.hours, self.days, self.months, weekdays = parsed
        self.weekdays = {d % 7 for d in weekdays}  # 7 is Sunday too
        self._any_day = fields[2] in ("*", "?")
        self._any_weekday = fields[4] in ("*", "?")

    def _day_matches(self, day: datetime.date) -> bool:
        in_month = day.day in self.days
        in_week = (day.isoweekday() % 7) in self.weekdays
        if self._any_day or self._any_weekday:
            return in_month and in_week
        return in_month or in_week

    def next_after(self, moment: datetime.datetime) -> datetime.datetime:
        """The first firing strictly after ``moment`` (minute precision, in ``moment``'s time zone)."""
        candidate = moment.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
        limit = candidate + datetime.timedelta(days=366 * 5)
        while candidate < limit:
            if candidate.month not in self.months or not self._day_matches(candidate.date()):
                candidate = (candidate + datetime.timedelta(days=1)).replace(hour=0, minute=0)
                continue
            if candidate.hour not in self.hours:
                candidate = (candidate + datetime.timedelta(hours=1)).replace(minute=0)
                continue
            if candidate.minute not in self.minutes:
                candidate += datetime.timedelta(minutes=1)
                continue
            return candidate
        raise ScheduleError("the cron schedule never fires in the next five years")


def _field(text: str, low: int, high: int, names: dict[str, int], expression: str) -> set[int]:
    values: set[int] = set()
    for item in text.split(","):
        base, _, step_text = item.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"cron schedule '{expression}': step '{step_text}' must be a positive number")
            step = int(step_text)
        if base in ("*", "?"):
            start, end = low, high
        else:
            bounds = [_value(b, names, expression) for b in base.split("-", 1)]
            start = bounds[0]
            end = bounds[1] if len(bounds) == 2 else (high if step_text else start)  # "5/15": from 5 on
        if not (low <= start <= high and low <= end <= high) or start > end:
            raise ScheduleError(f"cron schedule '{expression}': '{item}' is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


def _value(text: str, names: dict[str, int], expression: str) -> int:
    if text.isdigit():
        return int(text)
    if text in names:
        return names[text]
    raise ScheduleError(f"cron schedule '{expression}': '{text}' is not a number{' or name' if names else ''}")


_RATE_UNITS = {0: datetime.timedelta(minutes=1), 1: datetime.timedelta(hours=1), 2: datetime.timedelta(days=1)}


def firings(
    schedule: Any, anchor: datetime.datetime, after: datetime.datetime, until: datetime.datetime
) -> Iterator[datetime.datetime]:
    """The times an ``admin.Schedule`` fires in (after, until]; fixed rates count from ``anchor``."""
    kind = schedule.WhichOneof("ScheduleExpression")
    if kind == "rate":
        if schedule.rate.value <= 0:
            raise ScheduleError("a fixed-rate schedule needs a positive value")
        period = _RATE_UNITS[schedule.rate.unit] * schedule.rate.value
        elapsed = max(0, int((after - anchor) / period))
        moment = anchor + period * elapsed
        while moment <= after:
            moment += period
        while moment <= until:
            yield moment
            moment += period
        return
    if kind == "cron_schedule":
        cron = Cron(schedule.cron_schedule.schedule)
    elif kind == "cron_expression":
        raise ScheduleError("cron_expression (the AWS-style form) is not supported: use CronSchedule(schedule=...)")
    else:
        raise ScheduleError("the schedule has neither a cron expression nor a fixed rate")
    moment = cron.next_after(after)
    while moment <= until:
        yield moment
        moment = cron.next_after(moment)


class Scheduler:
    """A thread that launches every active scheduled launch plan when its schedule fires.

    ``active`` returns the active launch plans that have a schedule, each with the time it was activated;
    ``launch(launch_plan, scheduled_at)`` creates the execution (idempotently).
    """

    def __init__(
        self,
        active: Callable[[], list[tuple[Any, datetime.datetime]]],
        launch: Callable[[Any, datetime.datetime], None],
        tick: float = 1.0,
        now: Callable[[], datetime.datetime] | None = None,
    ) -> None:
        self._active = active
        self._launch = launch
        self._tick = tick
        self._now = now or (lambda: datetime.datetime.now(datetime.timezone.utc))
        self._checked_until = self._now()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sandbox-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def run_once(self) -> None:
        """Launch what fired since the last check."""
        until = self._now()
        for launch_plan, activated_at in self._active():
            schedule = launch_plan.spec.entity_metadata.schedule
            since = max(self._checked_until, activated_at)
            try:
                for moment in firings(schedule, activated_at, since, until):
                    self._launch(launch_plan, moment)
            except Exception:
                logger.exception("scheduled launch plan %s failed to launch", launch_plan.id.name)
        self._checked_until = until

    def _run(self) -> None:
        while not self._stop.wait(self._tick):
            self.run_once()

"""When schedules fire, and the scheduler launching each firing once."""

from __future__ import annotations

import datetime

import pytest
from flyteidl.admin import launch_plan_pb2, schedule_pb2

from flyte_core.sandbox.schedules import Cron, ScheduleError, Scheduler, firings

UTC = datetime.timezone.utc
T0 = datetime.datetime(2026, 11, 25, 10, 7, 30, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("*/5 * * * *", datetime.datetime(2026, 11, 25, 10, 10, tzinfo=UTC)),
        ("0 * * * *", datetime.datetime(2026, 11, 25, 11, 0, tzinfo=UTC)),
        ("@hourly", datetime.datetime(2026, 11, 25, 11, 0, tzinfo=UTC)),
        ("daily", datetime.datetime(2026, 11, 26, 0, 0, tzinfo=UTC)),
        ("30 9 * * mon-fri", datetime.datetime(2026, 11, 26, 9, 30, tzinfo=UTC)),
        ("0 0 1 jan *", datetime.datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
        ("15,45 10 * * *", datetime.datetime(2026, 11, 25, 10, 15, tzinfo=UTC)),
        ("0 12 1 * sun", datetime.datetime(2026, 11, 29, 12, 0, tzinfo=UTC)),  # day-of-month OR day-of-week
        ("5/20 * * * *", datetime.datetime(2026, 11, 25, 10, 25, tzinfo=UTC)),
    ],
)
def test_cron_next_firing(expression: str, expected: datetime.datetime) -> None:
    assert Cron(expression).next_after(T0) == expected


@pytest.mark.parametrize("bad", ["* * * *", "61 * * * *", "*/0 * * * *", "* * * foo *", "5-1 * * * *"])
def test_bad_cron_expressions_name_the_problem(bad: str) -> None:
    with pytest.raises(ScheduleError, match="cron schedule"):
        Cron(bad)


def test_fixed_rates_fire_from_their_anchor() -> None:
    schedule = schedule_pb2.Schedule(rate=schedule_pb2.FixedRate(value=20, unit=schedule_pb2.MINUTE))
    anchor = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    times = list(firings(schedule, anchor, T0, T0 + datetime.timedelta(hours=1)))
    assert [t.strftime("%H:%M") for t in times] == ["10:20", "10:40", "11:00"]


def test_the_scheduler_launches_each_firing_once() -> None:
    clock = [T0]
    plan = launch_plan_pb2.LaunchPlan()
    plan.id.name = "every_minute"
    plan.spec.entity_metadata.schedule.cron_schedule.schedule = "* * * * *"
    launched: list[tuple[str, datetime.datetime]] = []
    scheduler = Scheduler(
        active=lambda: [(plan, T0 - datetime.timedelta(days=1))],
        launch=lambda lp, at: launched.append((lp.id.name, at)),
        now=lambda: clock[0],
    )
    clock[0] = T0 + datetime.timedelta(minutes=2, seconds=10)
    scheduler.run_once()
    scheduler.run_once()  # nothing new fired
    assert [at.strftime("%H:%M") for _, at in launched] == ["10:08", "10:09"]

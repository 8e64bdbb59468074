"""Schedules, notifications, options and the model objects launch plans carry, validated as flytekit does."""

from __future__ import annotations

import datetime
import re
import subprocess
import sys

import pytest
from flyteidl.admin import common_pb2, launch_plan_pb2, schedule_pb2

import flyte_core
from flyte_core import (
    Annotations,
    ConcurrencyLimitBehavior,
    ConcurrencyPolicy,
    CronSchedule,
    Email,
    FixedRate,
    Labels,
    Options,
    PagerDuty,
    Slack,
    WorkflowExecutionPhase,
)
from flyte_core.models.common import AuthRole, RawOutputDataConfig
from flyte_core.models.schedule import Schedule


@pytest.mark.parametrize(
    "expression",
    [
        "0 * * * *",
        "*/5 * * * *",
        "0 0 * JAN-MAR MON-FRI",
        "0 0 L * *",
        "0 0 * * 5#3",
        "0 0 ? * *",
        "0 * * * * 5",
        "0 9-17/2 1,15 * 1-5",
        "@daily",
        "Daily",
        "hourly",
        "@midnight",
    ],
)
def test_cron_schedules_flytekit_accepts_are_accepted(expression: str) -> None:
    assert CronSchedule(schedule=expression).to_flyte_idl().cron_schedule.schedule == expression


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("61 * * * *", "minute field value 61 is out of range 0-59"),
        ("0 24 * * *", "hour field value 24 is out of range 0-23"),
        ("0 0 * FOO *", "month field entry 'foo' is not a number or name"),
        ("hello", "Exactly 5, 6 or 7 columns"),
        ("*/0 * * * *", "step '0' must be a positive number"),
        ("0 0 * * * 0 2001", "failed to find next date"),
    ],
)
def test_invalid_cron_schedules_are_value_errors_that_say_what_is_wrong(expression: str, problem: str) -> None:
    with pytest.raises(ValueError, match=rf"^Schedule is invalid\. Provided schedule: .*{re.escape(problem)}"):
        CronSchedule(schedule=expression)


def test_the_old_cron_expression_form_is_rejected_like_flytekit() -> None:
    with pytest.raises(AssertionError, match="cron_expression is deprecated and should not be used. Use `schedule`"):
        CronSchedule(cron_expression="0 * * * ? *")


def test_cron_offset_must_be_an_iso_8601_duration() -> None:
    assert CronSchedule(schedule="@daily", offset="PT1H").to_flyte_idl().cron_schedule.offset == "PT1H"
    with pytest.raises(ValueError, match="Offset is invalid. It must be an ISO 8601 duration"):
        CronSchedule(schedule="@daily", offset="1D")


def test_cron_schedule_carries_the_kickoff_input() -> None:
    message = CronSchedule(schedule="*/5 * * * *", kickoff_time_input_arg="t").to_flyte_idl()
    assert message == schedule_pb2.Schedule(
        cron_schedule=schedule_pb2.CronSchedule(schedule="*/5 * * * *"), kickoff_time_input_arg="t"
    )


@pytest.mark.parametrize(
    ("duration", "value", "unit"),
    [
        (datetime.timedelta(days=2), 2, schedule_pb2.DAY),
        (datetime.timedelta(hours=5), 5, schedule_pb2.HOUR),
        (datetime.timedelta(minutes=90), 90, schedule_pb2.MINUTE),
    ],
)
def test_fixed_rate_is_expressed_in_the_largest_whole_unit(duration: datetime.timedelta, value: int, unit: int) -> None:
    assert FixedRate(duration).to_flyte_idl().rate == schedule_pb2.FixedRate(value=value, unit=unit)


def test_fixed_rate_below_a_minute_is_an_assertion_error() -> None:
    with pytest.raises(AssertionError, match="Granularity of less than a minute is not supported"):
        FixedRate(datetime.timedelta(seconds=30))


def test_fixed_rate_of_zero_is_an_assertion_error() -> None:
    with pytest.raises(AssertionError, match="positive duration"):
        FixedRate(datetime.timedelta(0))


def test_fixed_rate_needs_a_timedelta() -> None:
    with pytest.raises(TypeError, match="FixedRate takes a datetime.timedelta, got int"):
        FixedRate(60)  # type: ignore[arg-type]


def test_schedules_compare_by_their_message_and_round_trip() -> None:
    schedule = FixedRate(datetime.timedelta(hours=1), kickoff_time_input_arg="t")
    assert schedule == FixedRate(datetime.timedelta(minutes=60), kickoff_time_input_arg="t")
    assert Schedule.from_flyte_idl(schedule.to_flyte_idl()) == schedule


@pytest.mark.parametrize(
    ("cls", "field"), [(Email, "email"), (Slack, "slack"), (PagerDuty, "pager_duty")], ids=["email", "slack", "pd"]
)
def test_notifications_send_to_their_channel_on_terminal_phases(cls: type, field: str) -> None:
    message = cls(phases=[WorkflowExecutionPhase.FAILED], recipients_email=["a@x.io"]).to_flyte_idl()
    assert list(message.phases) == [WorkflowExecutionPhase.FAILED]
    assert message.WhichOneof("type") == field
    assert list(getattr(message, field).recipients_email) == ["a@x.io"]


def test_notifications_on_a_non_terminal_phase_are_rejected_naming_the_phase() -> None:
    with pytest.raises(AssertionError, match=r"Invalid phase: 2 \(RUNNING\).*only terminal states"):
        Email(phases=[WorkflowExecutionPhase.RUNNING], recipients_email=["a@x.io"])


def test_notifications_without_phases_are_rejected() -> None:
    with pytest.raises(AssertionError, match="at least one phase"):
        Slack(phases=[], recipients_email=["a@x.io"])


def test_recipients_must_be_a_list_not_a_string() -> None:
    with pytest.raises(TypeError, match=r"use \['a@x.io'\]"):
        Email(phases=[WorkflowExecutionPhase.FAILED], recipients_email="a@x.io")


def test_notifications_compare_and_hash_by_their_message() -> None:
    a = Email(phases=[WorkflowExecutionPhase.SUCCEEDED], recipients_email=["a"])
    b = Email(phases=[WorkflowExecutionPhase.SUCCEEDED], recipients_email=["a"])
    assert a == b and hash(a) == hash(b)
    assert a != Slack(phases=[WorkflowExecutionPhase.SUCCEEDED], recipients_email=["a"])


def test_labels_and_annotations_are_string_maps() -> None:
    assert Labels({"team": "data"}).to_flyte_idl() == common_pb2.Labels(values={"team": "data"})
    assert Annotations({"k": "v"}).values == {"k": "v"}
    assert Labels({"a": "b"}) != Annotations({"a": "b"})
    with pytest.raises(TypeError, match=r"Labels take a dict of str to str: entry 'n': 1"):
        Labels({"n": 1})  # type: ignore[dict-item]


def test_auth_role_and_raw_output_config_build_their_messages() -> None:
    assert AuthRole(assumable_iam_role="r").to_flyte_idl() == common_pb2.AuthRole(assumable_iam_role="r")
    assert RawOutputDataConfig("s3://b").to_flyte_idl().output_location_prefix == "s3://b"


def test_concurrency_policy_defaults_to_skip() -> None:
    policy = ConcurrencyPolicy(max_concurrency=3)
    assert policy.behavior == ConcurrencyLimitBehavior.SKIP
    assert policy.to_flyte_idl() == launch_plan_pb2.ConcurrencyPolicy(
        max=3, behavior=launch_plan_pb2.CONCURRENCY_LIMIT_BEHAVIOR_SKIP
    )


def test_options_default_from_sets_service_account_and_raw_prefix() -> None:
    options = Options.default_from(k8s_service_account="sa", raw_data_prefix="s3://b/p")
    assert options.security_context.run_as.k8s_service_account == "sa"
    assert options.raw_output_data_config == RawOutputDataConfig("s3://b/p")
    assert Options.default_from() == Options()


def test_workflow_execution_phase_names_its_numbers_like_flyteidl() -> None:
    from flyteidl.core import execution_pb2

    for name, number in execution_pb2.WorkflowExecution.Phase.items():
        assert getattr(WorkflowExecutionPhase, name) == number
        assert WorkflowExecutionPhase.enum_to_string(number) == name
    assert WorkflowExecutionPhase.enum_to_string(99) == "99"


def test_flytekit_model_paths_exist() -> None:
    from flyte_core.models.common import Labels as ModelLabels
    from flyte_core.models.core.execution import WorkflowExecutionPhase as ModelPhase

    assert flyte_core.WorkflowExecutionPhase is ModelPhase
    assert flyte_core.Labels is ModelLabels


def test_phases_import_without_protobuf() -> None:
    code = "import sys, flyte_core.models.core.execution; print('google.protobuf' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"

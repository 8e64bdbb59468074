"""Launch plans: caching by name, parameters, fixed inputs, local calls, nodes, and their admin message."""

from __future__ import annotations

import pathlib
import re
import sys
import typing
from types import ModuleType

import pytest
from flyteidl.admin import schedule_pb2
from flyteidl.core import identifier_pb2

from flyte_core import (
    Annotations,
    CronSchedule,
    Email,
    Labels,
    LaunchPlan,
    Options,
    SecurityContext,
    WorkflowExecutionPhase,
    task,
    workflow,
)
from flyte_core.exceptions.user import FlyteAssertion
from flyte_core.models.common import AuthRole, RawOutputDataConfig
from flyte_core.sdk.schedule import OnSchedule
from flyte_core.sdk.security import Identity
from flyte_core.types.type_engine import TypeTransformerFailedError

SHARED_EXAMPLES = pathlib.Path(__file__).parents[3].parent / "shared" / "compat" / "examples"
WF_ID = identifier_pb2.Identifier(
    resource_type=identifier_pb2.WORKFLOW, project="p", domain="d", name="wf", version="v"
)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> typing.Iterator[None]:
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_ENABLED", "false")
    saved = dict(LaunchPlan.CACHE)
    yield
    LaunchPlan.CACHE.clear()
    LaunchPlan.CACHE.update(saved)


@task
def greet(a: int, b: str, c: float) -> str:
    return f"{a}-{b}-{c}"


@workflow
def lp_wf(a: int, b: str = "x", c: float = 1.0) -> str:
    return greet(a=a, b=b, c=c)


@workflow
def other_wf(a: int) -> int:
    return a


def _named(**kwargs: typing.Any) -> LaunchPlan:
    return LaunchPlan.get_or_create(workflow=lp_wf, name="named", **kwargs)


def test_without_a_name_the_default_launch_plan_is_named_after_the_workflow_and_cached() -> None:
    lp = LaunchPlan.get_or_create(lp_wf)
    assert lp.name == lp_wf.name
    assert LaunchPlan.get_or_create(lp_wf) is lp
    assert LaunchPlan.get_default_launch_plan(None, lp_wf) is lp  # type: ignore[arg-type]


def test_a_default_launch_plan_cannot_have_other_parameters() -> None:
    with pytest.raises(ValueError, match=r"Only named launchplans.*got default_inputs, schedule"):
        LaunchPlan.get_or_create(lp_wf, default_inputs={"a": 1}, schedule=CronSchedule(schedule="@daily"))


def test_the_same_name_and_parameters_give_the_cached_launch_plan() -> None:
    lp = _named(default_inputs={"a": 3}, fixed_inputs={"b": "f"}, labels=Labels({"k": "v"}))
    assert _named(default_inputs={"a": 3}, fixed_inputs={"b": "f"}, labels=Labels({"k": "v"})) is lp


def test_the_same_name_with_other_parameters_is_an_assertion_error_naming_the_parameter() -> None:
    _named(default_inputs={"a": 3})
    with pytest.raises(AssertionError, match=r"both named 'named' but with different values for 'default_inputs'"):
        _named(default_inputs={"a": 4})


def test_moving_an_input_from_default_to_fixed_under_the_same_name_is_an_error() -> None:
    # flytekit compares default and fixed inputs merged, and returns the cached plan here.
    _named(default_inputs={"a": 3})
    with pytest.raises(AssertionError, match="'fixed_inputs'"):
        _named(fixed_inputs={"a": 3})


def test_the_same_name_for_another_workflow_is_an_assertion_error() -> None:
    _named()
    with pytest.raises(AssertionError, match="both named 'named' for the workflows"):
        LaunchPlan.get_or_create(workflow=other_wf, name="named")


def test_create_with_a_name_in_use_is_an_assertion_error() -> None:
    _named()
    with pytest.raises(AssertionError, match="Launch plan named named was already created"):
        LaunchPlan.create("named", lp_wf)


def test_parameters_hold_the_defaults_and_leave_out_fixed_inputs() -> None:
    lp = _named(default_inputs={"a": 3}, fixed_inputs={"b": "f"})
    parameters = lp.parameters.parameters
    assert set(parameters) == {"a", "c"}
    assert parameters["a"].default.scalar.primitive.integer == 3
    assert parameters["c"].default.scalar.primitive.float_value == 1.0
    assert lp.fixed_inputs.literals["b"].scalar.primitive.string_value == "f"
    assert lp.saved_inputs == {"a": 3, "b": "f"}
    assert lp.raw_fixed_inputs == {"b": "f"}


def test_inputs_without_default_are_required_and_optional_ones_default_to_none() -> None:
    @workflow
    def wf(a: int, b: typing.Optional[str] = None) -> int:
        return a

    parameters = LaunchPlan.get_or_create(wf).parameters.parameters
    assert parameters["a"].required
    assert parameters["b"].default.scalar.HasField("none_type")


def test_calling_a_launch_plan_runs_its_workflow_with_the_saved_inputs() -> None:
    lp = _named(default_inputs={"a": 3}, fixed_inputs={"b": "f"})
    assert lp() == "3-f-1.0"
    assert lp(a=5, c=0.5) == "5-f-0.5"


def test_a_fixed_input_cannot_be_overridden() -> None:
    # flytekit overrides it silently locally (and drops the binding when serializing the node).
    lp = _named(fixed_inputs={"b": "f"})
    with pytest.raises(FlyteAssertion, match=r"Fixed inputs cannot be specified.*'named' fixes b"):
        lp(a=1, b="other")


def test_a_launch_plan_takes_keyword_arguments_only() -> None:
    with pytest.raises(AssertionError, match="Only Keyword Arguments are supported for launch plan executions"):
        _named()(1)


def test_in_a_workflow_a_launch_plan_becomes_a_launch_plan_node() -> None:
    lp = _named(default_inputs={"a": 3}, fixed_inputs={"b": "f"})

    @workflow
    def outer(c: float) -> str:
        return lp(c=c)

    (node,) = outer.nodes
    assert node.flyte_entity is lp
    assert sorted(b.var for b in node.bindings) == ["a", "b", "c"]
    metadata = lp.construct_node_metadata()
    assert (metadata.name, metadata.HasField("retries")) == ("lp_wf", True)
    assert outer(c=2.0) == "3-f-2.0"


def test_an_unknown_default_input_is_a_key_error_naming_it() -> None:
    with pytest.raises(KeyError, match=r"default input 'zzz' is not an input of workflow .*lp_wf"):
        _named(default_inputs={"zzz": 1})


def test_an_unknown_fixed_input_is_an_assertion_error_naming_it() -> None:
    with pytest.raises(AssertionError, match="launch plan 'named' has no input named 'zzz'"):
        _named(fixed_inputs={"zzz": 1})


def test_a_fixed_input_of_the_wrong_type_names_the_launch_plan_and_input() -> None:
    with pytest.raises(
        TypeTransformerFailedError,
        match=r"launch plan 'named':\n  Failed argument 'a': Expected value of type <class 'int'> but got 'notint'",
    ):
        _named(fixed_inputs={"a": "notint"})


def test_a_default_input_of_the_wrong_type_names_the_launch_plan_and_input() -> None:
    with pytest.raises(
        TypeTransformerFailedError,
        match="launch plan 'named':\n  Failed argument 'c': Expected value of type <class 'float'>",
    ):
        _named(default_inputs={"c": "x"})


def test_auth_role_becomes_the_security_context() -> None:
    lp = _named(auth_role=AuthRole(assumable_iam_role="role", kubernetes_service_account="sa"))
    assert lp.security_context == SecurityContext(run_as=Identity(iam_role="role", k8s_service_account="sa"))


def test_auth_role_and_security_context_together_are_rejected() -> None:
    with pytest.raises(ValueError, match="You cannot specify both AuthRole and SecurityContext"):
        _named(auth_role=AuthRole(assumable_iam_role="r"), security_context=SecurityContext())


def test_default_launch_plan_takes_labels_and_annotations_from_the_workflow_default_options() -> None:
    @workflow(default_options=Options(labels=Labels({"team": "a"}), annotations=Annotations({"x": "y"})))
    def wf(a: int = 1) -> int:
        return a

    lp = LaunchPlan.get_or_create(wf)
    assert (lp.labels, lp.annotations) == (Labels({"team": "a"}), Annotations({"x": "y"}))


def test_registration_options_override_the_launch_plan_in_its_spec() -> None:
    lp = _named(
        labels=Labels({"from": "lp"}),
        max_parallelism=3,
        notifications=[Email(phases=[WorkflowExecutionPhase.FAILED], recipients_email=["lp@x"])],
    )
    options = Options(
        labels=Labels({"from": "options"}),
        raw_output_data_config=RawOutputDataConfig("s3://b/raw"),
        security_context=SecurityContext(run_as=Identity(k8s_service_account="sa")),
    )
    spec = lp.to_spec_idl(WF_ID, options)
    assert dict(spec.labels.values) == {"from": "options"}
    assert spec.raw_output_data_config.output_location_prefix == "s3://b/raw"
    assert spec.max_parallelism == 3
    assert spec.security_context.run_as.k8s_service_account == "sa"
    assert [list(n.email.recipients_email) for n in spec.entity_metadata.notifications] == [["lp@x"]]
    assert spec.workflow_id == WF_ID


def test_a_trigger_that_is_a_schedule_is_rejected_when_serialized() -> None:
    lp = _named(trigger=OnSchedule(CronSchedule(schedule="@daily")))
    with pytest.raises(ValueError, match="continue to use the schedule arg"):
        lp.to_spec_idl(WF_ID)


def test_schedule_goes_into_the_entity_metadata() -> None:
    lp = _named(schedule=CronSchedule(schedule="0 * * * *", kickoff_time_input_arg="c"))
    schedule = lp.to_spec_idl(WF_ID).entity_metadata.schedule
    assert schedule == schedule_pb2.Schedule(
        cron_schedule=schedule_pb2.CronSchedule(schedule="0 * * * *"), kickoff_time_input_arg="c"
    )


@pytest.fixture
def subworkflow_example(tmp_path: pathlib.Path) -> typing.Iterator[ModuleType]:
    """The shared subworkflow example, with flytekit renamed to flyte_core, in a temporary package."""
    source = SHARED_EXAMPLES / "subworkflow.py"
    if not source.exists():
        pytest.skip(f"the shared compat examples are not available at {SHARED_EXAMPLES}")
    package = tmp_path / "lp_subworkflow_example"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "subworkflow.py").write_text(re.sub(r"\bflytekit\b", "flyte_core", source.read_text()))
    sys.path.insert(0, str(tmp_path))
    LaunchPlan.CACHE.clear()  # another copy of the example may have cached "inner_lp"; _isolated restores it
    try:
        import importlib

        yield importlib.import_module("lp_subworkflow_example.subworkflow")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("lp_subworkflow_example")]:
            del sys.modules[name]


def test_subworkflow_and_launch_plan_example_runs_with_flytekits_results(
    subworkflow_example: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert subworkflow_example.outer_wf() == 4
    assert subworkflow_example.outer_wf(x=3) == 7
    assert subworkflow_example.inner_lp() == 12
    assert "done" in capsys.readouterr().out


def test_subworkflow_example_orders_the_log_node_after_the_sub_workflow(subworkflow_example: ModuleType) -> None:
    nodes = subworkflow_example.outer_wf.nodes
    assert [type(n.flyte_entity).__name__ for n in nodes] == [
        "PythonFunctionWorkflow",
        "LaunchPlan",
        "PythonFunctionTask",
    ]
    assert [u.id for u in nodes[1].upstream_nodes] == ["n0"]
    assert [u.id for u in nodes[2].upstream_nodes] == ["n0"]

"""The modules and cases of control_flow.py (source written for flytekit): conditionals, gates, launch plans."""

PACKAGE = "compat_control_flow"
SETTINGS = {"project": "flytesnacks", "domain": "development", "version": "v1", "image": "ghcr.io/example/img:v1"}

BRANCHES_SOURCE = """\
import datetime
import typing

from flytekit import conditional, task, workflow


@task
def double(n: float) -> float:
    return n * 2


@task
def square(n: float) -> float:
    return n * n


@task
def is_big(n: float) -> bool:
    return n > 100


@task
def noop() -> float:
    return 0.0


@task
def pair(n: float) -> typing.Tuple[int, str]:
    return int(n), str(n)


@task
def other_pair(n: float) -> typing.Tuple[int, str]:
    return int(n) + 1, "other"


@task
def log(msg: str) -> None:
    print(msg)


@task
def greet(name: str) -> str:
    return f"hello {name}"


@task
def maybe(n: float) -> typing.Optional[float]:
    return None if n < 0 else n


@workflow
def cond_wf(x: float = 0.5) -> float:
    return (
        conditional("fractions")
        .if_((x >= 0.1) & (x <= 1.0))
        .then(double(n=x))
        .elif_((x > 1.0) & (x < 10.0))
        .then(square(n=x))
        .else_()
        .fail("The input must be between 0.1 and 10")
    )


@workflow
def bool_cond_wf(x: float = 5.0) -> float:
    big = is_big(n=x)
    return conditional("big").if_(big.is_true()).then(square(n=x)).else_().then(noop())


@workflow
def nested_wf(x: float) -> float:
    return (
        conditional("outer")
        .if_((x > 0.1) & (x < 1.0))
        .then(
            conditional("inner")
            .if_(x < 0.5)
            .then(double(n=x))
            .elif_((x > 0.5) & (x < 0.7))
            .then(square(n=x))
            .else_()
            .fail("Only <0.7 allowed")
        )
        .elif_((x > 1.0) & (x < 10.0))
        .then(square(n=x))
        .else_()
        .then(double(n=x))
    )


@workflow
def ops_wf(x: float, s: str) -> float:
    return (
        conditional("ops")
        .if_(1.0 < x)
        .then(double(n=x))
        .elif_((x != 0.5) | (s == "go"))
        .then(square(n=x))
        .elif_((x == 0.25) | (x <= 0.0))
        .then(noop())
        .else_()
        .then(double(n=x))
    )


@workflow
def multi_wf(x: float) -> typing.Tuple[int, str]:
    a, b = conditional("multi").if_(x > 1.0).then(pair(n=x)).else_().then(other_pair(n=x))
    return a, b


@workflow
def downstream_wf(x: float) -> float:
    d = conditional("pick").if_(x > 1.0).then(double(n=x)).else_().then(square(n=x))
    return double(n=d)


@workflow
def void_wf(x: float) -> None:
    conditional("side").if_(x > 1.0).then(log(msg="big")).else_().then(log(msg="small"))


@workflow
def none_wf(x: float) -> float:
    m = maybe(n=x)
    return conditional("none").if_(m.is_none()).then(noop()).else_().then(double(n=x))


@workflow
def string_wf(name: str) -> str:
    return conditional("names").if_(name == "world").then(greet(name=name)).else_().then(greet(name="stranger"))
"""

GATES_SOURCE = """\
import datetime

from flytekit import approve, sleep, task, wait_for_input, workflow


@task
def inc(a: int) -> int:
    return a + 1


@task
def show(a: int) -> str:
    return f"got {a}"


@workflow
def sleep_wf(a: int) -> int:
    x = inc(a=a)
    s = sleep(datetime.timedelta(seconds=10))
    y = inc(a=x)
    s >> y
    return y


@workflow
def input_wf(a: int) -> str:
    v = wait_for_input("title", timeout=datetime.timedelta(hours=1), expected_type=int)
    return show(a=v)


@workflow
def approve_wf(a: int) -> int:
    x = inc(a=a)
    y = approve(x, "approve-x", timeout=datetime.timedelta(hours=2))
    return inc(a=y)
"""

PLANS_SOURCE = """\
import datetime

from flytekit import (
    Annotations,
    CronSchedule,
    Email,
    FixedRate,
    Labels,
    LaunchPlan,
    Options,
    PagerDuty,
    Slack,
    task,
    workflow,
)
from flytekit.models.common import AuthRole, RawOutputDataConfig
from flytekit.models.concurrency import ConcurrencyLimitBehavior, ConcurrencyPolicy
from flytekit.models.core.execution import WorkflowExecutionPhase


@task
def greet(a: int, b: str, c: float) -> str:
    return f"{a}-{b}-{c}"


@workflow
def lp_wf(a: int, b: str = "x", c: float = 1.0) -> str:
    return greet(a=a, b=b, c=c)


@workflow(default_options=Options(labels=Labels({"team": "wf"}), annotations=Annotations({"note": "default"})))
def labelled_wf(a: int = 1) -> str:
    return greet(a=a, b="l", c=0.0)


notify_lp = LaunchPlan.get_or_create(
    workflow=lp_wf,
    name="notify_lp",
    default_inputs={"a": 7},
    notifications=[
        Slack(phases=[WorkflowExecutionPhase.SUCCEEDED, WorkflowExecutionPhase.ABORTED], recipients_email=["s@x.io"]),
        PagerDuty(phases=[WorkflowExecutionPhase.TIMED_OUT], recipients_email=["p@x.io", "q@x.io"]),
        Email(phases=[WorkflowExecutionPhase.FAILED], recipients_email=["e@x.io"]),
    ],
    schedule=CronSchedule(schedule="@daily", offset="PT1H"),
    raw_output_data_config=RawOutputDataConfig("s3://bucket/raw"),
    overwrite_cache=True,
    concurrency=ConcurrencyPolicy(max_concurrency=2, behavior=ConcurrencyLimitBehavior.SKIP),
)

minutes_lp = LaunchPlan.get_or_create(
    workflow=lp_wf,
    name="minutes_lp",
    fixed_inputs={"a": 2},
    schedule=FixedRate(duration=datetime.timedelta(minutes=90)),
    auth_role=AuthRole(assumable_iam_role="arn:aws:iam::1:role/r", kubernetes_service_account="sa"),
)

days_lp = LaunchPlan.get_or_create(
    workflow=lp_wf,
    name="days_lp",
    default_inputs={"a": 1, "b": "d"},
    schedule=FixedRate(duration=datetime.timedelta(days=2)),
)

default_lp = LaunchPlan.get_or_create(workflow=lp_wf)
labelled_lp = LaunchPlan.get_or_create(workflow=labelled_wf)


@workflow
def calls_lp(a: int) -> str:
    return days_lp(a=a)
"""

MODULES = {"branches": BRANCHES_SOURCE, "gates": GATES_SOURCE, "plans": PLANS_SOURCE}

# (module, workflow): every node of the compiled workflow, as flytekit serializes it.
WORKFLOWS = [
    ("branches", "cond_wf"),
    ("branches", "bool_cond_wf"),
    ("branches", "nested_wf"),
    ("branches", "ops_wf"),
    ("branches", "multi_wf"),
    ("branches", "downstream_wf"),
    ("branches", "void_wf"),
    ("branches", "none_wf"),
    ("branches", "string_wf"),
    ("gates", "sleep_wf"),
    ("gates", "input_wf"),
    ("gates", "approve_wf"),
    ("plans", "calls_lp"),
]

# (module, attribute): launch plans, as flytekit serializes them (flyteidl.admin.LaunchPlan).
LAUNCH_PLANS = [
    ("plans", "notify_lp"),
    ("plans", "minutes_lp"),
    ("plans", "days_lp"),
    ("plans", "default_lp"),
    ("plans", "labelled_lp"),
]

# (module, expression): run locally; the repr of the result or the error type and message.
LOCAL_RUNS = [
    ("branches", "cond_wf(x=0.5)"),
    ("branches", "cond_wf(x=5.0)"),
    ("branches", "cond_wf(x=20.0)"),
    ("branches", "bool_cond_wf(x=500.0)"),
    ("branches", "bool_cond_wf(x=5.0)"),
    ("branches", "nested_wf(x=0.3)"),
    ("branches", "nested_wf(x=0.6)"),
    ("branches", "nested_wf(x=0.8)"),
    ("branches", "nested_wf(x=5.0)"),
    ("branches", "nested_wf(x=50.0)"),
    ("branches", "ops_wf(x=2.0, s='no')"),
    ("branches", "ops_wf(x=0.5, s='go')"),
    ("branches", "ops_wf(x=0.5, s='no')"),
    ("branches", "ops_wf(x=0.25, s='no')"),
    ("branches", "multi_wf(x=2.0)"),
    ("branches", "multi_wf(x=0.5)"),
    ("branches", "downstream_wf(x=2.0)"),
    ("branches", "downstream_wf(x=0.5)"),
    ("branches", "void_wf(x=2.0)"),
    ("branches", "none_wf(x=-1.0)"),
    ("branches", "none_wf(x=3.0)"),
    ("branches", "string_wf(name='world')"),
    ("branches", "string_wf(name='bob')"),
    ("gates", "sleep_wf(a=1)"),
    ("plans", "notify_lp()"),
    ("plans", "notify_lp(a=1, c=0.5)"),
    ("plans", "minutes_lp()"),
    ("plans", "days_lp(c=3.0)"),
    ("plans", "default_lp(a=4)"),
    ("plans", "calls_lp(a=9)"),
]


def load_package(root: str, sdk: str = "flytekit") -> dict:
    """Write the modules under ``root/PACKAGE`` for ``sdk`` (``flyte_core``: module names replaced), import them."""
    from case_package import write_and_import

    return write_and_import(root, PACKAGE, MODULES, sdk)


def node_idl(node, settings: dict = SETTINGS):
    """flyte-core side: the ``flyteidl.core.Node`` of a compiled node, from flyte-core's serializer."""
    from flyte_core.config.images import ImageConfig
    from flyte_core.config.serialization import SerializationSettings
    from flyte_core.idl.translator import EntityMapping, get_serializable

    serialization_settings = SerializationSettings(
        image_config=ImageConfig.auto(img_name=settings["image"]),
        project=settings["project"],
        domain=settings["domain"],
        version=settings["version"],
    )
    return get_serializable(EntityMapping(), serialization_settings, node)

"""Branches, sub-workflows, launch plans, gates, failure policies and failure nodes."""

from __future__ import annotations

from pathlib import Path

from flyteidl.core import literals_pb2

from tests.core.sandbox.engine.conftest import Sandbox, literal_map, python_value, wait_for_files

FLOWS = """
    import typing

    from flyte_core import LaunchPlan, conditional, task, workflow
    from flyte_core.types.error import FlyteError

    @task
    def add(x: int, y: int) -> int:
        return x + y

    @task
    def fail(x: int) -> int:
        if x >= 0:
            raise ValueError(f"failing on {x}")
        return x

    @task
    def report(x: int, err: typing.Optional[FlyteError] = None) -> None:
        print("failure handler got", err)
        if err is None or "failing on" not in err.message:
            raise RuntimeError(f"unexpected error input {err!r}")

    @workflow
    def branching(x: int) -> int:
        a = add(x=x, y=0)
        return conditional("sign").if_(a > 0).then(add(x=a, y=100)).else_().then(add(x=a, y=-100))

    @workflow
    def inner(x: int) -> int:
        return add(x=add(x=x, y=1), y=1)

    @workflow
    def outer(x: int) -> int:
        return add(x=inner(x=x), y=10)

    inner_plan = LaunchPlan.get_or_create(inner, name=__name__ + ".inner_plan")

    @workflow
    def launches(x: int) -> int:
        return add(x=inner_plan(x=x), y=1000)

    @workflow(on_failure=report)
    def with_handler(x: int) -> int:
        return fail(x=x)
"""


def test_a_branch_runs_the_case_it_takes_as_a_child_of_the_branch_node(sandbox: Sandbox) -> None:
    flows = sandbox.load(FLOWS)
    name = sandbox.run(flows.branching, literal_map(x=(5, int)))
    assert sandbox.host.phase(name) == "SUCCEEDED"
    assert sandbox.host.outputs(name).literals["o0"].scalar.primitive.integer == 105
    nodes = sandbox.host.nodes(name)
    assert nodes["n1"] == ["QUEUED", "RUNNING", "SUCCEEDED"]
    # The compiler renames branch children n1-n0 (then) and n1-n1 (else); the taken one runs under the branch.
    assert nodes["n1-0-n1-n0"] == ["QUEUED", "RUNNING", "SUCCEEDED"]
    assert "n1-0-n1-n1" not in nodes
    child = sandbox.host.node_event(name, "n1-0-n1-n0", "QUEUED")
    assert child.spec_node_id == "n1-n0"
    assert child.parent_node_metadata.node_id == "n1"
    assert child.retry_group == "0"
    branch = sandbox.host.node_event(name, "n1", "SUCCEEDED")
    assert branch.output_uri == sandbox.host.node_event(name, "n1-0-n1-n0", "SUCCEEDED").output_uri


def test_the_else_case_runs_when_no_condition_holds(sandbox: Sandbox) -> None:
    flows = sandbox.load(FLOWS)
    name = sandbox.run(flows.branching, literal_map(x=(-5, int)))
    assert sandbox.host.outputs(name).literals["o0"].scalar.primitive.integer == -105
    assert "n1-0-n1-n0" not in sandbox.host.nodes(name)
    assert sandbox.host.nodes(name)["n1-0-n1-n1"][-1] == "SUCCEEDED"


def test_a_sub_workflow_runs_inline_under_its_node_with_lineage_ids(sandbox: Sandbox) -> None:
    flows = sandbox.load(FLOWS)
    name = sandbox.run(flows.outer, literal_map(x=(1, int)))
    assert sandbox.host.phase(name) == "SUCCEEDED"
    assert sandbox.host.outputs(name).literals["o0"].scalar.primitive.integer == 13
    nodes = sandbox.host.nodes(name)
    assert nodes["n0"] == ["QUEUED", "RUNNING", "SUCCEEDED"]
    assert sandbox.host.node_event(name, "n0", "RUNNING").is_parent
    for child in ("n0-0-start-node", "n0-0-n0", "n0-0-n1", "n0-0-end-node"):
        assert nodes[child][-1] == "SUCCEEDED"
        assert sandbox.host.node_event(name, child, "SUCCEEDED").parent_node_metadata.node_id == "n0"
    assert sandbox.host.node_event(name, "n0-0-n1", "SUCCEEDED").spec_node_id == "n1"


def test_a_launch_plan_node_runs_a_child_execution_and_takes_its_outputs(sandbox: Sandbox) -> None:
    flows = sandbox.load(FLOWS)
    name = sandbox.run(flows.launches, literal_map(x=(1, int)))
    assert sandbox.host.phase(name) == "SUCCEEDED", sandbox.host.workflow_events
    assert sandbox.host.outputs(name).literals["o0"].scalar.primitive.integer == 1003
    running = sandbox.host.node_event(name, "n0", "RUNNING")
    child = running.workflow_node_metadata.execution_id.name
    assert child and sandbox.host.phase(child) == "SUCCEEDED"
    assert sandbox.host.outputs(child).literals["o0"].scalar.primitive.integer == 3


def test_a_failing_workflow_runs_its_failure_node_with_the_error(sandbox: Sandbox) -> None:
    flows = sandbox.load(FLOWS)
    name = sandbox.run(flows.with_handler, literal_map(x=(7, int)))
    assert sandbox.host.phase(name) == "FAILED"
    assert "failing on 7" in sandbox.host.error(name).message
    nodes = sandbox.host.nodes(name)
    assert nodes["n0"][-1] == "FAILED"
    assert nodes["fn0"] == ["QUEUED", "RUNNING", "SUCCEEDED"]


GATES = """
    import datetime

    from flyte_core import task, workflow
    from flyte_core.sdk.gate import approve, sleep, wait_for_input

    @task
    def add(x: int, y: int) -> int:
        return x + y

    @workflow
    def gated(x: int) -> int:
        pause = sleep(datetime.timedelta(seconds=0.2))
        y = wait_for_input("y", timeout=datetime.timedelta(hours=1), expected_type=int)
        total = add(x=x, y=y)
        pause >> total
        return approve(total, "ok", timeout=datetime.timedelta(hours=1))
"""


def test_gates_sleep_wait_for_a_signal_and_for_approval(sandbox: Sandbox) -> None:
    flows = sandbox.load(GATES)
    name = sandbox.submit(flows.gated, literal_map(x=(1, int)))
    host = sandbox.host
    host.wait_for(lambda: (name, "y") in host.signals)
    host.set_signal(name, "y", literal_map(y=(41, int)).literals["y"])
    host.wait_for(lambda: (name, "ok") in host.signals)
    assert host.phase(name) == "RUNNING"
    host.set_signal(
        name, "ok", literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(boolean=True)))
    )
    assert host.wait(name) == "SUCCEEDED"
    assert host.outputs(name).literals["o0"].scalar.primitive.integer == 42


MORE = """
    import os
    import time
    import typing
    from pathlib import Path

    from flyte_core import LaunchPlan, map_task, task, workflow

    @task
    def hang(x: int, marks: str) -> int:
        Path(marks, f"hang-{os.getpid()}").touch()
        time.sleep(60)
        return x

    @workflow
    def hanging(x: int, marks: str) -> int:
        return hang(x=x, marks=marks)

    hanging_plan = LaunchPlan.get_or_create(hanging, name=__name__ + ".hanging_plan")

    @workflow
    def launches_hanging(x: int, marks: str) -> int:
        return hanging_plan(x=x, marks=marks)

    @task
    def inc(x: int) -> int:
        return x + 1

    @workflow
    def one(x: int) -> int:
        return inc(x=x)

    one_plan = LaunchPlan.get_or_create(one, name=__name__ + ".one_plan")

    @workflow
    def maps_plan(xs: typing.List[int]) -> typing.List[int]:
        return map_task(one_plan)(x=xs)
"""


def test_terminating_a_workflow_aborts_its_launch_plan_child(sandbox: Sandbox, tmp_path: Path) -> None:
    flows = sandbox.load(MORE)
    marks = tmp_path / "marks"
    marks.mkdir()
    name = sandbox.submit(flows.launches_hanging, literal_map(x=(1, int), marks=(str(marks), str)))
    wait_for_files(marks, 1)
    child = sandbox.host.node_event(name, "n0", "RUNNING").workflow_node_metadata.execution_id.name
    sandbox.engine.terminate(sandbox.execution(name), "stop it")
    assert sandbox.host.wait(name) == "ABORTED"
    assert sandbox.host.wait(child) == "ABORTED"


def test_an_array_node_over_a_launch_plan_runs_a_child_execution_per_element(sandbox: Sandbox) -> None:
    flows = sandbox.load(MORE)
    name = sandbox.run(flows.maps_plan, literal_map(xs=([1, 2, 3], list[int])))
    assert sandbox.host.phase(name) == "SUCCEEDED", sandbox.host.workflow_events
    assert python_value(sandbox.host.outputs(name).literals["o0"], list[int]) == [2, 3, 4]
    children = {e.index: e.workflow_node_metadata.execution_id.name for e in _resources(sandbox, name)}
    assert len(set(children.values())) == 3
    assert all(sandbox.host.phase(child) == "SUCCEEDED" for child in children.values())


def _resources(sandbox: Sandbox, name: str) -> list:  # type: ignore[type-arg]
    return [
        resource
        for event in sandbox.host.task_events
        if event.parent_node_execution_id.execution_id.name == name
        for resource in event.metadata.external_resources
    ]


def test_a_gate_that_gets_no_signal_before_its_timeout_fails(sandbox: Sandbox) -> None:
    flows = sandbox.load(
        GATES.replace(
            "timeout=datetime.timedelta(hours=1), expected_type",
            "timeout=datetime.timedelta(seconds=0.5), expected_type",
        )
    )
    name = sandbox.run(flows.gated, literal_map(x=(1, int)))
    assert sandbox.host.phase(name) == "FAILED"
    assert sandbox.host.error(name).code == "TimeoutExpired"
    assert "node execution timeout [0.5s] expired" in sandbox.host.error(name).message

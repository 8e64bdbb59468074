"""Dynamic tasks (futures.pb compiled and run under the task's node) and array nodes (map tasks)."""

from __future__ import annotations

import typing

from flyteidl.core import execution_pb2

from tests.core.sandbox.engine.conftest import Sandbox, TaskPhase, literal_map, python_value

FLOWS = """
    import functools
    import typing

    from flyte_core import dynamic, map_task, task, workflow

    @task
    def square(x: int) -> int:
        return x * x

    @task
    def total(xs: typing.List[int]) -> int:
        return sum(xs)

    @dynamic
    def squares(n: int) -> typing.List[int]:
        return [square(x=i) for i in range(n)]

    @workflow
    def sum_of_squares(n: int) -> int:
        return total(xs=squares(n=n))

    @task
    def picky(x: int) -> int:
        if x == 2:
            raise ValueError("two is not allowed")
        return x * 10

    @workflow
    def mapped(xs: typing.List[int]) -> typing.List[typing.Optional[int]]:
        return map_task(picky, min_success_ratio=0.5)(x=xs)

    @workflow
    def mapped_strictly(xs: typing.List[int]) -> typing.List[int]:
        return map_task(picky)(x=xs)

    @task
    def scale(x: int, factor: int) -> int:
        return x * factor

    @workflow
    def scale_once(x: int, factor: int) -> int:
        return scale(x=x, factor=factor)

    @workflow
    def mapped_partial(xs: typing.List[int]) -> typing.List[int]:
        return map_task(functools.partial(scale, factor=3), concurrency=1)(x=xs)
"""


def test_a_dynamic_task_runs_its_compiled_workflow_under_its_node(sandbox: Sandbox) -> None:
    flows = sandbox.load(FLOWS)
    name = sandbox.run(flows.sum_of_squares, literal_map(n=(4, int)))
    assert sandbox.host.phase(name) == "SUCCEEDED", sandbox.host.workflow_events
    assert sandbox.host.outputs(name).literals["o0"].scalar.primitive.integer == 0 + 1 + 4 + 9
    nodes = sandbox.host.nodes(name)
    assert nodes["n0"] == ["QUEUED", "RUNNING", "DYNAMIC_RUNNING", "SUCCEEDED"]
    dynamic = sandbox.host.node_event(name, "n0", "DYNAMIC_RUNNING")
    assert dynamic.is_dynamic and dynamic.is_parent
    compiled = dynamic.task_node_metadata.dynamic_workflow.compiled_workflow
    spec_ids = [n.id for n in compiled.primary.template.nodes if n.id not in ("start-node", "end-node")]
    assert len(spec_ids) == 4
    for spec_id in spec_ids:
        unique_id = f"n0-0-{spec_id}"
        assert nodes[unique_id] == ["QUEUED", "RUNNING", "SUCCEEDED"]
        child = sandbox.host.node_event(name, unique_id, "SUCCEEDED")
        assert child.parent_node_metadata.node_id == "n0"
        assert child.is_in_dynamic_chain
    assert sandbox.host.tasks(name, "n0") == [(0, "RUNNING"), (0, "SUCCEEDED")]


def test_a_map_task_runs_an_item_per_element_and_tolerates_failures_under_its_success_ratio(
    sandbox: Sandbox,
) -> None:
    flows = sandbox.load(FLOWS)
    name = sandbox.run(flows.mapped, literal_map(xs=([1, 2, 3], list[int])))
    assert sandbox.host.phase(name) == "SUCCEEDED", sandbox.host.workflow_events
    outputs = sandbox.host.outputs(name).literals["o0"]
    assert python_value(outputs, list[typing.Optional[int]]) == [10, None, 30]
    assert sandbox.host.nodes(name)["n0"] == ["QUEUED", "RUNNING", "SUCCEEDED"]
    assert sandbox.host.node_event(name, "n0", "RUNNING").is_array
    events = [e for e in sandbox.host.task_events if e.parent_node_execution_id.node_id == "n0"]
    assert {e.retry_attempt for e in events} == {0}
    assert TaskPhase.Name(events[0].phase) == "QUEUED" and TaskPhase.Name(events[-1].phase) == "SUCCEEDED"
    final = {}
    for event in events:
        for resource in event.metadata.external_resources:
            final[resource.index] = TaskPhase.Name(resource.phase)
    assert final == {0: "SUCCEEDED", 1: "FAILED", 2: "SUCCEEDED"}
    logs = sandbox.root / "logs" / "p" / "d" / name / "n0"
    assert "two is not allowed" in (logs / "1" / "0.log").read_text()


def test_a_map_task_fails_when_too_many_items_fail(sandbox: Sandbox) -> None:
    flows = sandbox.load(FLOWS)
    name = sandbox.run(flows.mapped_strictly, literal_map(xs=([1, 2, 3], list[int])))
    assert sandbox.host.phase(name) == "FAILED"
    error = sandbox.host.error(name)
    assert "two is not allowed" in error.message
    assert error.kind == execution_pb2.ExecutionError.USER


def test_a_map_task_with_bound_inputs_and_concurrency_one_runs_items_one_at_a_time(sandbox: Sandbox) -> None:
    flows = sandbox.load(FLOWS)
    name = sandbox.run(flows.mapped_partial, literal_map(xs=([1, 2, 3, 4], list[int])))
    assert sandbox.host.phase(name) == "SUCCEEDED", sandbox.host.workflow_events
    assert python_value(sandbox.host.outputs(name).literals["o0"], list[int]) == [3, 6, 9, 12]
    running_at_once = 0
    running: set[int] = set()
    for event in sandbox.host.task_events:
        for resource in event.metadata.external_resources:
            if TaskPhase.Name(resource.phase) == "RUNNING":
                running.add(resource.index)
            else:
                running.discard(resource.index)
            running_at_once = max(running_at_once, len(running))
    assert running_at_once == 1


REFERENCED = """
    import typing

    from flyte_core import map_task, reference_task, workflow

    @reference_task(project="p", domain="d", name="{module}.flows.scale", version="v1")
    def scale(x: int, factor: int) -> int: ...

    @workflow
    def maps_reference(xs: typing.List[int], fs: typing.List[int]) -> typing.List[int]:
        return map_task(scale)(x=xs, factor=fs)
"""


def test_an_array_node_over_a_reference_task_gives_each_item_its_own_inputs_file(sandbox: Sandbox) -> None:
    flows = sandbox.load(FLOWS)
    sandbox.compile(flows.scale_once)  # registers scale
    referenced = sandbox.load(REFERENCED.replace("{module}", flows.__name__.split(".")[0]))
    name = sandbox.run(referenced.maps_reference, literal_map(xs=([1, 2], list[int]), fs=([10, 100], list[int])))
    assert sandbox.host.phase(name) == "SUCCEEDED", sandbox.host.workflow_events
    assert python_value(sandbox.host.outputs(name).literals["o0"], list[int]) == [10, 200]

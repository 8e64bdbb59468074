"""Eager workflows executed on a real sandbox: each call inside launches an execution through FlyteRemote."""

from __future__ import annotations

import datetime
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core.execution_pb2 import NodeExecution, WorkflowExecution

from flyte_core.sdk.module_loader import load_file

POLL = datetime.timedelta(milliseconds=100)

PROJECT_CODE = """
import asyncio
import os
import time

from flyte_core import LaunchPlan, eager, task, workflow
from flyte_core.exceptions.base import FlyteRecoverableException
from flyte_core.context import FlyteContextManager
from flyte_core.sdk.eager import EagerException


@task
def add_one(x: int, step: int = 1) -> int:
    return x + step


@task
async def double(x: int) -> int:
    return 2 * x


@workflow
def add_two(x: int) -> int:
    return add_one(x=add_one(x=x))


@workflow
def shift(x: int, step: int) -> int:
    return add_one(x=x, step=step)


shift_by_10 = LaunchPlan.get_or_create(shift, name="shift_by_10", fixed_inputs={"step": 10})


@task
def fail(x: int) -> int:
    if x:
        raise ValueError(f"refusing {x}")
    return x


@task
def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@eager
async def simple(x: int) -> int:
    y = add_one(x=x)
    z = await double(x=y)
    a, b = await asyncio.gather(double(x=z), double(x=1))
    return a + b + add_two(x=0) + shift_by_10(x=0)


@eager
async def inner(x: int) -> int:
    return await double(x=x)


@eager
async def outer(x: int) -> int:
    first, second = await asyncio.gather(inner(x=x), inner(x=x + 1))
    return first + second


@eager
async def failing(x: int) -> int:
    return fail(x=add_one(x=x))


@eager
async def recovering(x: int) -> int:
    try:
        return fail(x=x)
    except EagerException:
        return -1


@eager(retries=1)
async def flaky(x: int, marker: str) -> int:
    y = add_one(x=x)
    if not os.path.exists(marker):
        open(marker, "w").close()
        raise FlyteRecoverableException("the first attempt fails after its call")
    return y


@eager
async def sleeper(seconds: float) -> float:
    return nap(seconds=seconds)


@eager
async def leaves_one_running(seconds: float) -> float:
    background = asyncio.create_task(sleeper(seconds=seconds))
    queue = FlyteContextManager.current_context().worker_queue
    while not queue.launched:  # the nested eager execution has started
        await asyncio.sleep(0.05)
    if seconds:
        raise RuntimeError("giving up early")
    return await background
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("eager_project")
    (root / "eager_remote_wf.py").write_text(textwrap.dedent(PROJECT_CODE))
    return load_file(root / "eager_remote_wf.py").module


def _children(remote: Any, parent: str) -> list[Any]:
    """The executions labelled ``eager-exec: <parent>``."""
    from flyteidl.admin import common_pb2

    request = common_pb2.ResourceListRequest(
        id=common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development"),
        limit=100,
        filters=f"eq(execution_tag.key,eager-exec)+eq(execution_tag.value,{parent})",
    )
    return list(remote.backend.call("AdminService", "ListExecutions", request).executions)


def test_calls_run_as_labelled_executions_and_their_outputs_come_back(remote: Any, project: Any) -> None:
    execution = remote.execute(project.simple, inputs={"x": 1}, wait=True)
    assert execution.is_successful, execution.error
    assert execution.outputs["o0"] == 2 * 2 * 2 + 2 + 2 + 10
    children = _children(remote, execution.name)
    launched = sorted(c.spec.launch_plan.name for c in children)
    expected = ["eager_remote_wf.add_one", "eager_remote_wf.add_two", "shift_by_10"] + ["eager_remote_wf.double"] * 3
    assert launched == sorted(expected)
    for child in children:
        assert child.closure.phase == WorkflowExecution.SUCCEEDED
        assert dict(child.spec.labels.values) == {"eager-exec": execution.name, "eager-root-exec": execution.name}
        assert child.spec.launch_plan.version == execution.spec.launch_plan.version  # the eager task's version
        assert child.id.name.startswith("e-") and len(child.id.name) <= 20


def test_a_failing_call_fails_the_eager_execution_with_its_error(remote: Any, project: Any) -> None:
    execution = remote.execute(project.failing, inputs={"x": 1}, wait=True)
    assert not execution.is_successful
    message = execution.error.message
    assert "EagerException: 'eager_remote_wf.fail' (execution e-fail-" in message
    assert "ValueError: refusing 2" in message


def test_the_eager_function_can_catch_a_failed_call(remote: Any, project: Any) -> None:
    execution = remote.execute(project.recovering, inputs={"x": 1}, wait=True)
    assert execution.is_successful, execution.error
    assert execution.outputs["o0"] == -1


def test_a_retried_eager_task_finds_the_executions_of_its_previous_attempt(
    remote: Any, project: Any, tmp_path: Path
) -> None:
    execution = remote.execute(project.flaky, inputs={"x": 1, "marker": str(tmp_path / "attempted")}, wait=True)
    assert execution.is_successful, execution.error
    assert execution.outputs["o0"] == 2
    assert [c.spec.launch_plan.name for c in _children(remote, execution.name)] == ["eager_remote_wf.add_one"]
    (node,) = execution.node_executions.values()
    assert [t.retry_attempt for t in node.task_executions] == [0, 1]


def test_nested_eager_calls_keep_the_root_label(remote: Any, project: Any) -> None:
    execution = remote.execute(project.outer, inputs={"x": 1}, wait=True)
    assert execution.is_successful, execution.error
    assert execution.outputs["o0"] == 2 + 4
    nested = _children(remote, execution.name)
    assert sorted(c.spec.launch_plan.name for c in nested) == ["eager_remote_wf.inner"] * 2
    grandchildren = [g for n in nested for g in _children(remote, n.id.name)]
    assert len(grandchildren) == 2
    assert {g.spec.labels.values["eager-root-exec"] for g in grandchildren} == {execution.name}


def _wait_for_running_child(remote: Any, parent: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = [c for c in _children(remote, parent) if c.closure.phase == WorkflowExecution.RUNNING]
        if running:
            return running[0]
        time.sleep(0.1)
    raise AssertionError(f"no running execution labelled eager-exec={parent} after {timeout} s")


def test_stopping_the_eager_execution_stops_the_executions_it_started(remote: Any, project: Any) -> None:
    execution = remote.execute(project.sleeper, inputs={"seconds": 60.0})
    child = _wait_for_running_child(remote, execution.name)
    remote.terminate(execution, "stopped by the test")
    stopped = remote.wait(remote.fetch_execution(name=child.id.name), timeout=20, poll_interval=POLL)
    assert stopped.closure.phase == WorkflowExecution.ABORTED
    assert "eager task 'eager_remote_wf.sleeper' was stopped" in stopped.closure.abort_metadata.cause


def test_the_failure_handler_of_the_registered_eager_workflow_stops_what_it_left_running(
    remote: Any, project: Any
) -> None:
    workflow = project.leaves_one_running.get_as_workflow()
    registered = remote.register_script(workflow, source_path=str(Path(project.__file__).parent))
    execution = remote.execute(registered, inputs={"seconds": 60.0}, wait=True)
    assert "RuntimeError: giving up early" in execution.error.message
    nodes = execution.node_executions
    assert {k: n.closure.phase for k, n in nodes.items()} == {
        "n0": NodeExecution.FAILED,
        "efn": NodeExecution.SUCCEEDED,
    }
    (nested,) = _children(remote, execution.name)
    stopped = remote.wait(remote.fetch_execution(name=nested.id.name), timeout=20, poll_interval=POLL)
    assert stopped.closure.phase == WorkflowExecution.ABORTED
    assert stopped.closure.abort_metadata.cause == f"eager workflow execution {execution.name} failed"


def test_terminate_tagged_executions_stops_the_running_ones_it_labelled(remote: Any, project: Any) -> None:
    from flyte_core.models.common import Labels
    from flyte_core.models.core.identifier import WorkflowExecutionIdentifier
    from flyte_core.remote.eager import terminate_tagged_executions
    from flyte_core.sdk.options import Options

    parent = f"parent-{uuid.uuid4().hex[:8]}"
    other = remote.execute(project.nap, inputs={"seconds": 600.0}, options=Options(labels=Labels({"team": "a"})))
    tagged = [
        remote.execute(project.nap, inputs={"seconds": 600.0}, options=Options(labels=Labels({"eager-exec": parent}))),
        remote.execute(
            project.nap, inputs={"seconds": 600.0}, options=Options(labels=Labels({"eager-root-exec": parent}))
        ),
    ]
    done = remote.execute(
        project.add_one, inputs={"x": 1, "step": 1}, options=Options(labels=Labels({"eager-exec": parent}))
    )
    remote.wait(done, poll_interval=POLL)

    parent_id = WorkflowExecutionIdentifier(project="flytesnacks", domain="development", name=parent)
    stopped = terminate_tagged_executions(parent_id, remote=remote, reason="clean-up test")
    assert sorted(stopped) == sorted(e.name for e in tagged)
    for execution in tagged:
        final = remote.wait(execution, timeout=20, poll_interval=POLL)
        assert final.closure.phase == WorkflowExecution.ABORTED
        assert final.closure.abort_metadata.cause == "clean-up test"
    assert remote.fetch_execution(name=other.name).closure.phase != WorkflowExecution.ABORTED
    remote.terminate(other, "test over")

"""Task nodes as local processes: outputs flowing down a chain, retries, failures, timeouts, the cache."""

from __future__ import annotations

import time
from pathlib import Path

from flyteidl.admin import execution_pb2 as admin_execution_pb2
from flyteidl.core import catalog_pb2, execution_pb2

from tests.core.sandbox.engine.conftest import Sandbox, TaskPhase, WorkflowPhase, literal_map

CacheStatus = catalog_pb2.CatalogCacheStatus

CHAIN = """
    from flyte_core import task, workflow

    @task
    def add(x: int, y: int) -> int:
        return x + y

    @task
    def double(x: int) -> int:
        return x * 2

    @workflow
    def chain(x: int) -> int:
        return double(x=add(x=x, y=1))
"""


def test_a_chain_of_tasks_passes_outputs_down_and_reports_the_workflow_outputs(sandbox: Sandbox) -> None:
    flows = sandbox.load(CHAIN)
    name = sandbox.run(flows.chain, literal_map(x=(3, int)))
    assert sandbox.host.phase(name) == "SUCCEEDED", sandbox.host.workflow_events
    assert sandbox.host.outputs(name).literals["o0"].scalar.primitive.integer == 8
    assert sandbox.host.nodes(name) == {
        "start-node": ["QUEUED", "SUCCEEDED"],
        "n0": ["QUEUED", "RUNNING", "SUCCEEDED"],
        "n1": ["QUEUED", "RUNNING", "SUCCEEDED"],
        "end-node": ["QUEUED", "SUCCEEDED"],
    }


TASKS = """
    import datetime
    import os
    import time

    from flyte_core import task, workflow
    from flyte_core.exceptions.user import FlyteRecoverableException

    @task(retries=2)
    def flaky(x: int) -> int:
        if int(os.environ["FLYTE_ATTEMPT_NUMBER"]) < 1:
            raise FlyteRecoverableException("not yet")
        return x + 1

    @task(retries=3)
    def broken(x: int) -> int:
        if x > 0:
            raise ValueError("broken for good")
        return x

    @task(timeout=datetime.timedelta(seconds=1), retries=1)
    def slow(x: int) -> int:
        time.sleep(60)
        return x

    @task(cache=True, cache_version="1")
    def cached(x: int) -> int:
        print("computing", x)
        return x * 10

    @task
    def crashes(x: int) -> int:
        if x > 0:
            os._exit(3)
        return x

    @workflow
    def retried(x: int) -> int:
        return flaky(x=x)

    @workflow
    def fails(x: int) -> int:
        return broken(x=x)

    @workflow
    def times_out(x: int) -> int:
        return slow(x=x)

    @workflow
    def uses_cache(x: int) -> int:
        return cached(x=x)

    @workflow
    def crashing(x: int) -> int:
        return crashes(x=x)
"""


def test_a_recoverable_error_is_retried_and_the_next_attempt_succeeds(sandbox: Sandbox) -> None:
    flows = sandbox.load(TASKS)
    name = sandbox.run(flows.retried, literal_map(x=(1, int)))
    assert sandbox.host.phase(name) == "SUCCEEDED"
    assert sandbox.host.outputs(name).literals["o0"].scalar.primitive.integer == 2
    assert sandbox.host.tasks(name, "n0") == [(0, "RUNNING"), (0, "FAILED"), (1, "RUNNING"), (1, "SUCCEEDED")]
    failed = next(e for e in sandbox.host.task_events if e.phase == TaskPhase.FAILED)
    assert "not yet" in failed.error.message
    assert sandbox.host.nodes(name)["n0"] == ["QUEUED", "RUNNING", "SUCCEEDED"]


def test_a_non_recoverable_error_fails_the_node_and_the_workflow_without_retrying(sandbox: Sandbox) -> None:
    flows = sandbox.load(TASKS)
    name = sandbox.run(flows.fails, literal_map(x=(1, int)))
    assert sandbox.host.phase(name) == "FAILED"
    assert sandbox.host.tasks(name, "n0") == [(0, "RUNNING"), (0, "FAILED")]
    error = sandbox.host.error(name)
    assert "broken for good" in error.message
    assert error.kind == execution_pb2.ExecutionError.USER
    assert error.error_uri.endswith("/n0/data/0/error.pb")
    assert sandbox.host.nodes(name)["n0"][-1] == "FAILED"
    assert [WorkflowPhase.Name(e.phase) for e in sandbox.host.workflow_events] == ["RUNNING", "FAILING", "FAILED"]


def test_an_attempt_past_its_timeout_is_killed_and_retried_until_the_node_times_out(sandbox: Sandbox) -> None:
    flows = sandbox.load(TASKS)
    started = time.monotonic()
    name = sandbox.run(flows.times_out, literal_map(x=(1, int)))
    assert time.monotonic() - started < 10
    assert sandbox.host.phase(name) == "FAILED"
    # Each attempt gets the 1s execution deadline; the node as a whole 2x that from when it was queued.
    assert sandbox.host.tasks(name, "n0") == [(0, "RUNNING"), (0, "FAILED"), (1, "RUNNING"), (1, "ABORTED")]
    first_failure = next(e for e in sandbox.host.task_events if e.phase == TaskPhase.FAILED)
    assert first_failure.error.code == "TimeoutExpired"
    assert first_failure.error.message == "task execution timeout [1s] expired"
    assert sandbox.host.nodes(name)["n0"] == ["QUEUED", "RUNNING", "TIMED_OUT"]
    assert sandbox.host.error(name).code == "Timeout"
    assert sandbox.engine.running() == 0


def test_a_cached_task_runs_once_and_the_second_execution_hits_the_cache(sandbox: Sandbox) -> None:
    flows = sandbox.load(TASKS)
    first = sandbox.run(flows.uses_cache, literal_map(x=(4, int)))
    second = sandbox.run(flows.uses_cache, literal_map(x=(4, int)))
    assert sandbox.host.outputs(second).literals["o0"].scalar.primitive.integer == 40
    assert sandbox.host.nodes(first)["n0"] == ["QUEUED", "RUNNING", "SUCCEEDED"]
    assert (
        sandbox.host.node_event(first, "n0", "SUCCEEDED").task_node_metadata.cache_status == CacheStatus.CACHE_POPULATED
    )
    assert sandbox.host.nodes(second)["n0"] == ["SUCCEEDED"]
    hit = sandbox.host.node_event(second, "n0", "SUCCEEDED")
    assert hit.task_node_metadata.cache_status == CacheStatus.CACHE_HIT
    assert hit.task_node_metadata.catalog_key.dataset_id.name.endswith(".flows.cached")
    assert sandbox.host.tasks(second, "n0") == []


def test_overwrite_cache_runs_the_task_again(sandbox: Sandbox) -> None:
    flows = sandbox.load(TASKS)
    sandbox.run(flows.uses_cache, literal_map(x=(4, int)))
    second = sandbox.run(
        flows.uses_cache, literal_map(x=(4, int)), spec=admin_execution_pb2.ExecutionSpec(overwrite_cache=True)
    )
    assert sandbox.host.tasks(second, "n0") == [(0, "RUNNING"), (0, "SUCCEEDED")]


def test_a_process_that_dies_without_an_error_document_is_a_system_failure_with_its_own_retries(
    sandbox: Sandbox,
) -> None:
    flows = sandbox.load(TASKS)
    name = sandbox.run(flows.crashing, literal_map(x=(1, int)))
    assert sandbox.host.phase(name) == "FAILED"
    assert [attempt for attempt, phase in sandbox.host.tasks(name, "n0") if phase == "FAILED"] == [0, 1, 2, 3]
    error = sandbox.host.error(name)
    assert error.code == "RetriesExhausted|ProcessFailed"
    assert "exited with status 3" in error.message


SERIALIZED = """
    import os
    import time
    from pathlib import Path

    from flyte_core import task, workflow

    @task(cache=True, cache_serialize=True, cache_version="1")
    def expensive(x: int, marks: str) -> int:
        Path(marks, str(os.getpid())).touch()
        time.sleep(0.5)
        return x * 2

    @workflow
    def computes(x: int, marks: str) -> int:
        return expensive(x=x, marks=marks)
"""


def test_a_cache_serializable_task_runs_once_for_executions_asking_at_the_same_time(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    flows = sandbox.load(SERIALIZED)
    marks = tmp_path / "marks"
    marks.mkdir()
    inputs = literal_map(x=(21, int), marks=(str(marks), str))
    names = [sandbox.submit(flows.computes, inputs) for _ in range(2)]
    for name in names:
        assert sandbox.host.wait(name) == "SUCCEEDED"
        assert sandbox.host.outputs(name).literals["o0"].scalar.primitive.integer == 42
    assert len(list(marks.iterdir())) == 1
    statuses = sorted(sandbox.host.node_event(n, "n0", "SUCCEEDED").task_node_metadata.cache_status for n in names)
    assert statuses == [CacheStatus.CACHE_HIT, CacheStatus.CACHE_POPULATED]

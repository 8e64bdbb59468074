"""The engine's lifecycle: terminate, stop and resume (a restarted sandbox loses nothing), the process limit."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from flyteidl.admin import execution_pb2 as admin_execution_pb2
from flyteidl.core import literals_pb2

from tests.core.sandbox.engine.conftest import Sandbox, WorkflowPhase, literal_map, python_value, wait_for_files

FLOWS = """
    import os
    import subprocess
    import time
    from pathlib import Path

    from flyte_core import task, workflow

    @task
    def add(x: int, y: int) -> int:
        return x + y

    @task
    def hang(x: int, marks: str) -> int:
        child = subprocess.Popen(["sleep", "120"])
        Path(marks, f"{os.getpid()}-{child.pid}").touch()
        time.sleep(120)
        return x

    @task
    def wait_for_go(x: int, marks: str) -> int:
        Path(marks, f"started-{os.getpid()}").touch()
        while not Path(marks, "go").exists():
            time.sleep(0.05)
        return x + 1

    @task
    def nap(i: int, marks: str) -> int:
        start = time.time()
        time.sleep(0.3)
        Path(marks, f"{os.getpid()}").write_text(f"{start} {time.time()}")
        return i

    @workflow
    def hanging(x: int, marks: str) -> int:
        return hang(x=x, marks=marks)

    @workflow
    def gated_by_file(x: int, marks: str) -> int:
        a = add(x=x, y=1)
        b = wait_for_go(x=a, marks=marks)
        return add(x=b, y=100)

    @workflow
    def naps(marks: str) -> None:
        nap(i=1, marks=marks)
        nap(i=2, marks=marks)
        nap(i=3, marks=marks)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is not alive
        return f.read().split(")")[-1].split()[0] != "Z"


def _dies_soon(pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_terminate_kills_the_task_process_group_and_reports_aborted(sandbox: Sandbox, tmp_path: Path) -> None:
    flows = sandbox.load(FLOWS)
    marks = tmp_path / "marks"
    marks.mkdir()
    name = sandbox.submit(flows.hanging, literal_map(x=(1, int), marks=(str(marks), str)))
    (mark,) = wait_for_files(marks, 1)
    pid, child = (int(p) for p in mark.split("-"))
    assert _alive(pid) and _alive(child)
    sandbox.engine.terminate(sandbox.execution(name), "enough")
    assert sandbox.host.wait(name) == "ABORTED"
    assert not _alive(pid)
    assert _dies_soon(child)  # killed with its group; on a busy machine the kernel may take a moment
    assert sandbox.host.nodes(name)["n0"][-1] == "ABORTED"
    assert sandbox.host.node_event(name, "n0", "ABORTED").error.message == "enough"
    assert sandbox.host.tasks(name, "n0")[-1] == (0, "ABORTED")
    assert sandbox.engine.running() == 0


def test_a_stopped_engine_resumes_where_it_was_and_reruns_the_interrupted_task(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    flows = sandbox.load(FLOWS)
    marks = tmp_path / "marks"
    marks.mkdir()
    name = sandbox.submit(flows.gated_by_file, literal_map(x=(1, int), marks=(str(marks), str)))
    (first,) = wait_for_files(marks, 1, "started-")
    closure = sandbox.compile(flows.gated_by_file)
    sandbox.engine.stop()
    assert not _alive(int(first.split("-")[1]))
    assert sandbox.host.phase(name) == "RUNNING"

    engine = sandbox.new_engine()
    engine.resume(sandbox.execution(name), closure, _inputs(marks), _spec())
    wait_for_files(marks, 2, "started-")
    (marks / "go").touch()
    assert sandbox.host.wait(name) == "SUCCEEDED"
    assert sandbox.host.outputs(name).literals["o0"].scalar.primitive.integer == 103
    assert sandbox.host.tasks(name, "n0") == [(0, "RUNNING"), (0, "SUCCEEDED")]  # not run again
    assert sandbox.host.tasks(name, "n1") == [(0, "RUNNING"), (0, "RUNNING"), (0, "SUCCEEDED")]
    versions = [e.phase_version for e in sandbox.host.task_events if e.parent_node_execution_id.node_id == "n1"]
    assert versions == [0, 1, 1]
    phases = [WorkflowPhase.Name(e.phase) for e in sandbox.host.workflow_events if e.execution_id.name == name]
    assert phases == ["RUNNING", "SUCCEEDING", "SUCCEEDED"]


def test_a_killed_engine_leaves_nothing_behind_the_next_one_kills_its_process_and_reruns_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    flows = sandbox.load(FLOWS)
    marks = tmp_path / "marks"
    marks.mkdir()
    name = sandbox.submit(flows.gated_by_file, literal_map(x=(1, int), marks=(str(marks), str)))
    (first,) = wait_for_files(marks, 1, "started-")
    orphan = int(first.split("-")[1])
    # Freeze the engine as kill -9 would: its threads stop, its processes are left running.
    for run in sandbox.engine._runs.values():
        run.request_stop()
        run.thread.join()
    saved = json.loads(sandbox.host.states[name])
    assert saved["nodes"]["n1"]["process"]["pid"] == orphan
    assert _alive(orphan)

    engine = sandbox.new_engine()
    engine.resume(sandbox.execution(name), sandbox.compile(flows.gated_by_file), _inputs(marks), _spec())
    wait_for_files(marks, 2, "started-")
    assert not _alive(orphan)
    (marks / "go").touch()
    assert sandbox.host.wait(name) == "SUCCEEDED"


def test_max_parallel_tasks_bounds_the_processes_of_all_executions(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.restart(max_parallel_tasks=2)
    flows = sandbox.load(FLOWS)
    marks = tmp_path / "marks"
    marks.mkdir()
    names = [sandbox.submit(flows.naps, literal_map(marks=(str(marks), str))) for _ in range(2)]
    for name in names:
        assert sandbox.host.wait(name) == "SUCCEEDED"
    intervals = [tuple(map(float, p.read_text().split())) for p in marks.iterdir()]
    assert len(intervals) == 6
    most = max(sum(1 for s, e in intervals if s <= t < e) for t, _ in intervals)
    assert most == 2


def _inputs(marks: Path) -> literals_pb2.LiteralMap:
    return literal_map(x=(1, int), marks=(str(marks), str))


def _spec() -> admin_execution_pb2.ExecutionSpec:
    return admin_execution_pb2.ExecutionSpec()


NESTED = """
    import os
    import time
    import typing
    from pathlib import Path

    from flyte_core import dynamic, map_task, task, workflow

    @task
    def wait_then_square(x: int, marks: str) -> int:
        Path(marks, f"started-{x}-{os.getpid()}").touch()
        while not Path(marks, "go").exists():
            time.sleep(0.05)
        return x * x

    @dynamic
    def fan_out(n: int, marks: str) -> typing.List[int]:
        return [wait_then_square(x=i, marks=marks) for i in range(n)]

    @workflow
    def dynamic_wf(n: int, marks: str) -> typing.List[int]:
        return fan_out(n=n, marks=marks)

    @workflow
    def mapped_wf(xs: typing.List[int], ms: typing.List[str]) -> typing.List[int]:
        return map_task(wait_then_square, concurrency=2)(x=xs, marks=ms)
"""


def _restart_in_the_middle(sandbox: Sandbox, workflow: object, inputs: literals_pb2.LiteralMap, marks: Path) -> str:
    closure = sandbox.compile(workflow)
    name = sandbox.submit(workflow, inputs)
    wait_for_files(marks, 2, "started-")
    sandbox.engine.stop()
    engine = sandbox.new_engine()
    engine.resume(sandbox.execution(name), closure, inputs, _spec())
    wait_for_files(marks, 4, "started-")
    (marks / "go").touch()
    assert sandbox.host.wait(name) == "SUCCEEDED", sandbox.host.workflow_events
    return name


def test_a_dynamic_workflow_resumes_with_the_workflow_it_compiled(sandbox: Sandbox, tmp_path: Path) -> None:
    flows = sandbox.load(NESTED)
    marks = tmp_path / "marks"
    marks.mkdir()
    inputs = literal_map(n=(2, int), marks=(str(marks), str))
    name = _restart_in_the_middle(sandbox, flows.dynamic_wf, inputs, marks)
    assert python_value(sandbox.host.outputs(name).literals["o0"], list[int]) == [0, 1]
    assert sandbox.host.nodes(name)["n0"] == ["QUEUED", "RUNNING", "DYNAMIC_RUNNING", "SUCCEEDED"]


def test_a_map_task_resumes_and_reruns_the_items_that_were_running(sandbox: Sandbox, tmp_path: Path) -> None:
    flows = sandbox.load(NESTED)
    marks = tmp_path / "marks"
    marks.mkdir()
    inputs = literal_map(xs=([1, 2, 3], list[int]), ms=([str(marks)] * 3, list[str]))
    name = _restart_in_the_middle(sandbox, flows.mapped_wf, inputs, marks)
    assert python_value(sandbox.host.outputs(name).literals["o0"], list[int]) == [1, 4, 9]
    started = sorted(n.split("-")[1] for n in wait_for_files(marks, 5, "started-"))
    assert started == ["1", "1", "2", "2", "3"]


def test_an_execution_whose_saved_state_is_unreadable_fails_instead_of_hanging(sandbox: Sandbox) -> None:
    flows = sandbox.load(FLOWS)
    sandbox.host.states["broken"] = b"{not json"
    execution = sandbox.execution("broken")
    sandbox.engine.resume(execution, sandbox.compile(flows.naps), literal_map(marks=("/nowhere", str)), _spec())
    assert sandbox.host.wait("broken") == "FAILED"
    assert sandbox.host.error("broken").code == "EngineStateUnreadable"

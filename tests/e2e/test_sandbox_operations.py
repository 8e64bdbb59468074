"""The sandbox under real operations, driven by an unmodified flytekit client: terminate, relaunch, a kill -9
in the middle of an execution and the restart that finishes it, and a scheduled launch plan firing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import grpc
import pytest
from flyteidl.admin import node_execution_pb2
from flyteidl.core import identifier_pb2
from flyteidl.service import admin_pb2_grpc

from flyte_core.sandbox import lifecycle
from tests.e2e.conftest import FLYTEKIT_IMAGE, FLYTEKIT_VENV

pytestmark = pytest.mark.slow

SUCCEEDED, FAILED, ABORTED = 4, 6, 7
APP = """
    import time

    from flytekit import CronSchedule, LaunchPlan, task, workflow


    @task
    def slow(x: int, seconds: float) -> int:
        time.sleep(seconds)
        return x + 1


    @task
    def double(x: int) -> int:
        return 2 * x


    @workflow
    def slow_wf(x: int = 1, seconds: float = 3.0) -> int:
        return double(x=slow(x=x, seconds=seconds))


    every_minute = LaunchPlan.get_or_create(
        slow_wf, name="every_minute", default_inputs={"seconds": 0.0}, schedule=CronSchedule(schedule="* * * * *")
    )
"""


class Sandbox:
    """A sandbox in its own state directory that a test may kill and start again."""

    def __init__(self, directory: Path, project: Path) -> None:
        self.directory = directory
        self.project = project
        self.running = self.start()

    def start(self) -> lifecycle.RunningSandbox:
        args = ["--port", "0", "--http-port", "0", "--image-env", f"{FLYTEKIT_IMAGE}={FLYTEKIT_VENV}"]
        self.running = lifecycle.start_in_background(args, self.directory)
        return self.running

    def flytekit(self, operation: str, *args: str) -> dict:
        ops = Path(__file__).parent / "flytekit_ops.py"
        command = [str(FLYTEKIT_VENV / "bin" / "python"), str(ops), str(self.running.config_path)]
        command += [str(self.project), FLYTEKIT_IMAGE, operation, *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=self.project)
        assert result.returncode == 0, result.stderr[-3000:]
        return dict(json.loads(result.stdout.strip().splitlines()[-1]))

    def node_phase(self, execution: str, node: str) -> int | None:
        with grpc.insecure_channel(self.running.endpoint) as channel:
            stub = admin_pb2_grpc.AdminServiceStub(channel)
            listed = stub.ListNodeExecutions(
                node_execution_pb2.NodeExecutionListRequest(
                    workflow_execution_id=identifier_pb2.WorkflowExecutionIdentifier(
                        project="flytesnacks", domain="development", name=execution
                    ),
                    limit=100,
                )
            )
        phases = {n.id.node_id: n.closure.phase for n in listed.node_executions}
        return phases.get(node)

    def wait_for_node(self, execution: str, node: str, phase: int = 2, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.node_phase(execution, node) == phase:
                return
            time.sleep(0.2)
        raise AssertionError(f"node {node} of {execution} did not reach phase {phase} in {timeout} s")


@pytest.fixture
def sandbox(tmp_path: Path, flytekit_python: Path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(textwrap.dedent(APP))
    running = Sandbox(tmp_path / "state", project)
    yield running
    lifecycle.stop(running.directory)


def _task_processes(execution: str) -> list[str]:
    found = subprocess.run(["pgrep", "-af", f"/{execution}/"], capture_output=True, text=True)
    return [line for line in found.stdout.splitlines() if "pyflyte" in line]


def test_terminate_stops_the_running_task_and_aborts(sandbox: Sandbox) -> None:
    sandbox.flytekit("execute", "slow_wf", "stopme", json.dumps({"x": 1, "seconds": 60.0}))
    sandbox.wait_for_node("stopme", "n0")
    assert _task_processes("stopme"), "the task process runs"
    sandbox.flytekit("terminate", "stopme", "changed my mind")
    waited = sandbox.flytekit("wait", "stopme")
    assert waited["phase"] == ABORTED
    deadline = time.monotonic() + 10
    while _task_processes("stopme") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _task_processes("stopme")


def test_a_killed_sandbox_finishes_the_execution_after_a_restart(sandbox: Sandbox) -> None:
    sandbox.flytekit("execute", "slow_wf", "durable", json.dumps({"x": 1, "seconds": 4.0}))
    sandbox.wait_for_node("durable", "n0")
    os.kill(sandbox.running.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while lifecycle.find_running(sandbox.directory) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    sandbox.start()
    waited = sandbox.flytekit("wait", "durable")
    assert waited["phase"] == SUCCEEDED, waited
    assert waited["outputs"] == {"o0": "4"}
    relaunched = sandbox.flytekit("relaunch", "durable", "again")
    assert relaunched["execution"] == "again"
    assert sandbox.flytekit("wait", "again")["outputs"] == {"o0": "4"}


def test_a_scheduled_launch_plan_fires(sandbox: Sandbox) -> None:
    sandbox.flytekit("activate", "every_minute")
    deadline = time.monotonic() + 75  # the next minute boundary, and the run
    while time.monotonic() < deadline:
        executions = sandbox.flytekit("executions", "every_minute")["executions"]
        if any(phase == SUCCEEDED for _, phase, _ in executions):
            break
        time.sleep(2)
    else:
        raise AssertionError("the every-minute launch plan did not run within 75 s")
    assert all(mode == 1 for _, _, mode in executions)  # ExecutionMetadata.SCHEDULED

"""What a task process gets: fast-registered code, the image's Python environment, the execution's environment
variables; and what an execution asks of the engine: max_parallelism, its failure policy."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from flyteidl.admin import execution_pb2 as admin_execution_pb2
from flyteidl.core import execution_pb2

from flyte_core.config.images import ImageConfig
from flyte_core.config.serialization import FastSerializationSettings, SerializationSettings
from flyte_core.packaging import fast_package
from tests.core.sandbox.engine.conftest import Sandbox, literal_map, python_value

FLOWS = """
    import os
    import time
    import typing
    from pathlib import Path

    from flyte_core import WorkflowFailurePolicy, dynamic, task, workflow

    @task
    def add(x: int, y: int) -> int:
        return x + y

    @dynamic
    def adds(n: int) -> typing.List[int]:
        return [add(x=i, y=i) for i in range(n)]

    @workflow
    def fast(n: int) -> typing.List[int]:
        return adds(n=n)

    @task
    def env(name: str) -> str:
        return "|".join(os.environ.get(n, "<unset>") for n in name.split(","))

    @workflow
    def read_env(name: str) -> str:
        return env(name=name)

    @task
    def nap(i: int, marks: str) -> int:
        start = time.time()
        time.sleep(0.3)
        Path(marks, f"{i}").write_text(f"{start} {time.time()}")
        return i

    @task
    def fail(x: int) -> int:
        if x > 0:
            raise ValueError("fails at once")
        return x

    @workflow
    def naps(marks: str) -> None:
        nap(i=1, marks=marks)
        nap(i=2, marks=marks)
        nap(i=3, marks=marks)

    @workflow(failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE)
    def keeps_going(marks: str) -> int:
        fail(x=1)
        return nap(i=1, marks=marks)

    @task
    def hang(i: int) -> int:
        time.sleep(60)
        return i

    @workflow
    def stops_at_once(marks: str) -> int:
        fail(x=1)
        return hang(i=1)
"""


def test_fast_registered_code_is_unpacked_into_the_attempts_working_directory(sandbox: Sandbox, tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    sys.path.insert(0, str(source))
    try:
        flows = sandbox.load(FLOWS, code=source)
    finally:
        sys.path.remove(str(source))
    archive = fast_package(source, sandbox.host.blobs.path("uploads/p/d"))
    settings = SerializationSettings(
        project="p",
        domain="d",
        version="v1",
        image_config=ImageConfig.auto(img_name="img:v1"),
        fast_serialization_settings=FastSerializationSettings(
            enabled=True, destination_dir=".", distribution_location=archive.as_uri()
        ),
    )
    sandbox.restart(extra_env={})  # no PYTHONPATH: the code comes from the archive only
    name = sandbox.submit(flows.fast, literal_map(n=(3, int)), settings=settings)
    assert sandbox.host.wait(name) == "SUCCEEDED", sandbox.host.workflow_events
    assert python_value(sandbox.host.outputs(name).literals["o0"], list[int]) == [0, 2, 4]


def test_the_image_picks_the_python_environment_the_command_runs_in(sandbox: Sandbox, tmp_path: Path) -> None:
    environment = tmp_path / "env"
    (environment / "bin").mkdir(parents=True)
    marker = tmp_path / "used-the-image-environment"
    script = environment / "bin" / "pyflyte-execute"
    script.write_text(
        textwrap.dedent(f"""\
            #!/bin/sh
            touch {marker}
            exec {Path(sys.prefix, "bin", "pyflyte-execute")} "$@"
        """)
    )
    script.chmod(0o755)
    sandbox.restart(image_environments={"img": str(environment)})
    flows = sandbox.load(FLOWS)
    name = sandbox.run(flows.read_env, literal_map(name=("PATH", str)))
    assert sandbox.host.phase(name) == "SUCCEEDED"
    assert marker.exists()
    path = sandbox.host.outputs(name).literals["o0"].scalar.primitive.string_value
    assert path.startswith(str(environment / "bin"))


def test_the_execution_and_sandbox_environments_reach_the_task(sandbox: Sandbox) -> None:
    sandbox.restart(extra_env={"PYTHONPATH": str(sandbox.code), "FROM_SANDBOX": "s"})
    flows = sandbox.load(FLOWS)
    spec = admin_execution_pb2.ExecutionSpec()
    spec.envs.values.add(key="FROM_EXECUTION", value="e")
    variables = "FROM_EXECUTION,FROM_SANDBOX,FLYTE_INTERNAL_EXECUTION_ID,FLYTE_ATTEMPT_NUMBER"
    name = sandbox.run(flows.read_env, literal_map(name=(variables, str)), spec=spec)
    assert sandbox.host.outputs(name).literals["o0"].scalar.primitive.string_value == f"e|s|{name}|0"


def _most_at_once(marks: Path) -> int:
    intervals = [tuple(map(float, p.read_text().split())) for p in marks.iterdir()]
    return max(sum(1 for s, e in intervals if s <= t < e) for t, _ in intervals)


def test_max_parallelism_bounds_one_executions_tasks(sandbox: Sandbox, tmp_path: Path) -> None:
    flows = sandbox.load(FLOWS)
    marks = tmp_path / "marks"
    marks.mkdir()
    spec = admin_execution_pb2.ExecutionSpec(max_parallelism=1)
    name = sandbox.run(flows.naps, literal_map(marks=(str(marks), str)), spec=spec)
    assert sandbox.host.phase(name) == "SUCCEEDED"
    assert len(list(marks.iterdir())) == 3
    assert _most_at_once(marks) == 1


def test_fail_after_executable_nodes_complete_lets_independent_nodes_finish(sandbox: Sandbox, tmp_path: Path) -> None:
    flows = sandbox.load(FLOWS)
    marks = tmp_path / "marks"
    marks.mkdir()
    name = sandbox.run(flows.keeps_going, literal_map(marks=(str(marks), str)))
    assert sandbox.host.phase(name) == "FAILED"
    assert "fails at once" in sandbox.host.error(name).message
    nap = [
        n for n, phases in sandbox.host.nodes(name).items() if n not in ("start-node",) and phases[-1] == "SUCCEEDED"
    ]
    assert len(nap) == 1
    assert (marks / "1").exists()


def test_fail_immediately_aborts_the_running_nodes(sandbox: Sandbox, tmp_path: Path) -> None:
    flows = sandbox.load(FLOWS)
    marks = tmp_path / "marks"
    marks.mkdir()
    name = sandbox.run(flows.stops_at_once, literal_map(marks=(str(marks), str)))
    assert sandbox.host.phase(name) == "FAILED"
    assert sandbox.host.error(name).kind == execution_pb2.ExecutionError.USER
    phases = {n: p[-1] for n, p in sandbox.host.nodes(name).items()}
    assert sorted(phases.values()) == ["ABORTED", "FAILED", "SUCCEEDED"]  # hang, fail, start-node

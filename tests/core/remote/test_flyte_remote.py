"""FlyteRemote against a real sandbox: registration, executions, data in and out, errors, lifecycle calls."""

from __future__ import annotations

import datetime
import textwrap
from pathlib import Path
from typing import Any

import pytest

from flyte_core.exceptions.user import FlyteAssertion, FlyteTimeout, FlyteValueException
from flyte_core.sdk.module_loader import load_file

POLL = datetime.timedelta(milliseconds=100)

PROJECT_CODE = """
import time
import typing

import datetime

from flyte_core import task, workflow, LaunchPlan, approve, wait_for_input
from flyte_core.types.file.file import FlyteFile
from flyte_core.types.directory.types import FlyteDirectory


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def scale(x: int, factor: int = 3, note: typing.Optional[str] = None) -> str:
    return f"{x * factor} {note}"


@task
def describe(n: int, label: str) -> typing.NamedTuple("Out", [("text", str), ("double", int)]):
    return f"{label}:{n}", 2 * n


@workflow
def arith(a: int, b: int = 2, label: str = "sum") -> typing.NamedTuple("Out", [("text", str), ("double", int)]):
    return describe(n=add(a=a, b=b), label=label)


@task
def count_lines(f: FlyteFile) -> int:
    with open(f) as handle:
        return len(handle.read().splitlines())


@task
def write_lines(n: int) -> FlyteFile:
    path = "lines.txt"
    with open(path, "w") as handle:
        handle.write("\\n".join(f"line {i}" for i in range(n)))
    return FlyteFile(path)


@task
def list_dir(d: FlyteDirectory) -> typing.List[str]:
    import os

    return sorted(os.listdir(d))


@workflow
def files(f: FlyteFile, n: int) -> typing.Tuple[int, FlyteFile]:
    return count_lines(f=f), write_lines(n=n)


@task
def fail(message: str) -> int:
    if message:
        raise ValueError(f"user error: {message}")
    return 0


@workflow
def failing(message: str) -> int:
    return fail(message=message)


@task
def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@workflow
def gated() -> int:
    answer = wait_for_input("answer", timeout=datetime.timedelta(minutes=2), expected_type=int)
    doubled = add(a=answer, b=answer)
    return approve(doubled, "review", timeout=datetime.timedelta(minutes=2))


fixed_lp = LaunchPlan.get_or_create(arith, name="arith_fixed", fixed_inputs={"b": 10}, default_inputs={"a": 1})
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("client_project")
    (root / "remote_wf_client.py").write_text(textwrap.dedent(PROJECT_CODE))
    return load_file(root / "remote_wf_client.py").module


def test_a_local_workflow_registers_runs_and_returns_its_named_outputs(remote: Any, project: Any) -> None:
    execution = remote.execute(project.arith, inputs={"a": 3}, wait=True)
    assert execution.is_successful, execution.error
    assert execution.outputs["text"] == "sum:5"
    assert execution.outputs["double"] == 10
    assert set(execution.node_executions) == {"n0", "n1"}
    node = execution.node_executions["n0"]
    assert node.outputs["o0"] == 5
    assert [t.retry_attempt for t in node.task_executions] == [0]
    assert node.task_executions[0].is_successful


def test_the_execution_can_be_fetched_and_synced_by_name(remote: Any, project: Any) -> None:
    started = remote.execute(project.add, inputs={"a": 1, "b": 41})
    done = remote.wait(started, poll_interval=POLL)
    fetched = remote.fetch_execution(name=started.name)
    assert fetched.outputs["o0"] == 42 == done.outputs["o0"]
    assert fetched.inputs["a"] == 1
    synced = remote.sync(fetched, sync_nodes=True)
    assert list(synced.node_executions)  # a single-task execution has the task's node
    assert fetched.execution_url.endswith(
        f"/console/projects/flytesnacks/domains/development/executions/{started.name}"
    )


def test_registering_the_same_code_twice_registers_nothing_new(remote: Any, project: Any) -> None:
    first = remote.register_script(project.arith)
    second = remote.register_script(project.arith)
    assert first.version == second.version
    assert remote.fetch_workflow(name="remote_wf_client.arith").version == first.version
    messages = remote.serialize(project.arith, _settings("same-content"))
    assert remote.register_serialized(messages).already_existed == 0
    again = remote.register_serialized(messages)
    assert again.already_existed == len(messages) == len(again.identifiers) > 0


def _settings(version: str) -> Any:
    from flyte_core.config.images import ImageConfig
    from flyte_core.config.serialization import SerializationSettings

    return SerializationSettings(
        project="flytesnacks", domain="development", version=version, image_config=ImageConfig.auto_default_image()
    )


def test_a_fetched_launch_plan_runs_with_its_fixed_and_default_inputs(remote: Any, project: Any) -> None:
    registered = remote.register_script(project.fixed_lp)
    launch_plan = remote.fetch_launch_plan(name="arith_fixed", version=registered.version)
    assert set(launch_plan.python_input_types) == {"a", "label"}
    execution = remote.execute(launch_plan, inputs={}, wait=True)
    assert execution.outputs["text"] == "sum:11"
    with pytest.raises(FlyteValueException, match="'b'.*fixed input of launch plan 'arith_fixed'"):
        remote.execute(launch_plan, inputs={"b": 1})


def test_the_newest_version_is_fetched_when_none_is_given(remote: Any, project: Any) -> None:
    registered = remote.register_script(project.add, version="newest-of-add")
    newest = remote.fetch_task(name="remote_wf_client.add")
    assert newest.version == registered.version == "newest-of-add"
    execution = remote.execute(newest, inputs={"a": 2, "b": 3}, wait=True)
    assert execution.outputs["o0"] == 5


def test_local_files_are_uploaded_and_file_outputs_can_be_read(remote: Any, project: Any, tmp_path: Path) -> None:
    source = tmp_path / "three.txt"
    source.write_text("a\nb\nc\n")
    execution = remote.execute(project.files, inputs={"f": str(source), "n": 4}, wait=True)
    assert execution.is_successful, execution.error
    assert execution.outputs["o0"] == 3
    produced = execution.outputs["o1"]
    assert Path(produced.download()).read_text().splitlines() == [f"line {i}" for i in range(4)]


def test_a_local_directory_is_uploaded_as_one_prefix(remote: Any, project: Any, tmp_path: Path) -> None:
    directory = tmp_path / "inputs"
    (directory / "sub").mkdir(parents=True)
    (directory / "a.txt").write_text("a")
    (directory / "sub" / "b.txt").write_text("b")
    execution = remote.execute(project.list_dir, inputs={"d": str(directory)}, wait=True)
    assert execution.is_successful, execution.error
    assert execution.outputs["o0"] == ["a.txt", "sub"]


def test_a_failing_task_reports_the_users_error_message(remote: Any, project: Any) -> None:
    execution = remote.execute(project.failing, inputs={"message": "bad row 7"}, wait=True)
    assert execution.phase_name == "FAILED"
    assert "user error: bad row 7" in execution.error.message
    with pytest.raises(FlyteAssertion, match="(?s)failed, it has no outputs: .*bad row 7"):
        execution.outputs  # noqa: B018
    node = execution.node_executions["n0"]
    assert "bad row 7" in node.error.message


def test_unknown_and_missing_inputs_are_refused_before_anything_runs(remote: Any, project: Any) -> None:
    with pytest.raises(FlyteValueException, match="'c'.*not an input of .*the inputs it takes are: a, b"):
        remote.execute(project.add, inputs={"a": 1, "c": 2})
    with pytest.raises(FlyteValueException, match="needs the input\\(s\\) b: pass them"):
        remote.execute(project.add, inputs={"a": 1})
    with pytest.raises(FlyteValueException, match="'one' cannot be the input 'a' of task 'remote_wf_client.add'"):
        remote.execute(project.add, inputs={"a": "one", "b": 2})


def test_wait_gives_up_after_its_timeout(remote: Any, project: Any) -> None:
    execution = remote.execute(project.nap, inputs={"seconds": 30.0})
    with pytest.raises(FlyteTimeout, match="still"):
        remote.wait(execution, timeout=datetime.timedelta(seconds=0.5), poll_interval=POLL)
    remote.terminate(execution, "the test is done with it")
    aborted = remote.wait(execution, timeout=20, poll_interval=POLL)
    assert aborted.phase_name == "ABORTED"


def test_relaunch_runs_again_with_the_same_inputs(remote: Any, project: Any) -> None:
    first = remote.execute(project.add, inputs={"a": 20, "b": 22}, wait=True)
    again = remote.relaunch(first)
    assert again.name != first.name
    assert remote.wait(again, poll_interval=POLL).outputs["o0"] == 42


def test_recover_reruns_a_failed_execution(remote: Any, project: Any) -> None:
    failed = remote.execute(project.failing, inputs={"message": "x"}, wait=True)
    recovered = remote.wait(remote.recover(failed), poll_interval=POLL)
    assert recovered.name != failed.name
    assert recovered.phase_name == "FAILED"  # the same code fails the same way; recover re-ran it


def test_flyte_data_uris_read_an_executions_outputs(remote: Any, project: Any) -> None:
    execution = remote.execute(project.arith, inputs={"a": 4, "b": 5}, wait=True)
    outputs = remote.get(f"flyte://v1/flytesnacks/development/{execution.name}/n0/o")
    assert outputs["o0"] == 9
    inputs = remote.get(f"flyte://v1/flytesnacks/development/{execution.name}/n1/i")
    assert dict(inputs) == {"n": 9, "label": "sum"}


def test_console_urls_point_at_the_sandboxs_pages(remote: Any, project: Any, sandbox: Any) -> None:
    import urllib.request

    execution = remote.execute(project.add, inputs={"a": 1, "b": 1}, wait=True)
    url = remote.generate_console_url(execution)
    assert url.startswith(sandbox.console_url)
    with urllib.request.urlopen(url, timeout=10) as response:
        assert "SUCCEEDED" in response.read().decode()
    task = remote.fetch_task(name="remote_wf_client.add")
    assert remote.generate_console_url(task).endswith(f"/task/remote_wf_client.add/version/{task.version}")


def _wait_for_signal(remote: Any, execution: Any, signal_id: str) -> None:
    import time

    deadline = time.monotonic() + 30
    while signal_id not in {s.id.signal_id for s in remote.list_signals(execution.name)}:
        assert time.monotonic() < deadline, f"gate {signal_id} was never reached"
        time.sleep(0.1)


def test_gates_take_inputs_and_approvals_through_the_remote(remote: Any, project: Any) -> None:
    execution = remote.execute(project.gated, inputs={})
    _wait_for_signal(remote, execution, "answer")
    with pytest.raises(FlyteValueException, match="'nope' is not a signal|nope"):
        remote.set_input("nope", execution.name, 1)
    remote.set_input("answer", execution.name, 21)
    _wait_for_signal(remote, execution, "review")
    remote.approve("review", execution.name)
    assert remote.wait(execution, timeout=60, poll_interval=POLL).outputs["o0"] == 42


def test_a_rejected_approval_fails_the_execution(remote: Any, project: Any) -> None:
    execution = remote.execute(project.gated, inputs={})
    _wait_for_signal(remote, execution, "answer")
    remote.set_input("answer", execution.name, 1)
    _wait_for_signal(remote, execution, "review")
    remote.reject("review", execution.name)
    failed = remote.wait(execution, timeout=60, poll_interval=POLL)
    assert failed.phase_name == "FAILED"
    assert failed.error.code == "ReceivedRejectSignal"


def test_a_local_tasks_python_defaults_are_sent_with_its_inputs(remote: Any, project: Any) -> None:
    execution = remote.execute(project.scale, inputs={"x": 2}, wait=True)
    assert execution.outputs["o0"] == "6 None"
    assert remote.execute(project.scale, inputs={"x": 2, "factor": 5, "note": "n"}, wait=True).outputs["o0"] == "10 n"


def test_fetched_entities_are_nodes_of_a_local_workflow(remote: Any, project: Any) -> None:
    from flyte_core import workflow

    add = remote.fetch_task(name="remote_wf_client.add", version=remote.register_script(project.add).version)
    arith = remote.fetch_workflow(name="remote_wf_client.arith", version=remote.register_script(project.arith).version)

    @workflow
    def composed(a: int) -> str:
        total = add(a=a, b=1)
        return arith(a=total, b=0, label="composed").text

    # nothing of this workflow runs in a container: only references, no code to ship
    execution = remote.execute(composed, inputs={"a": 41}, version="composed-v1", wait=True)
    assert execution.is_successful, execution.error
    assert execution.outputs["o0"] == "composed:42"

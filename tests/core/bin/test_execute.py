"""``pyflyte-execute``: a task run from inputs.pb to outputs.pb / error.pb, as the backend runs it."""

from __future__ import annotations

from pathlib import Path

from flyteidl.core import errors_pb2, execution_pb2, literals_pb2, types_pb2

from tests.core.bin.conftest import Project, http_server, to_python

TASKS = """
    import os
    import sys

    from flyte_core import Deck, FlyteFile, current_context, task, workflow
    from flyte_core.exceptions.user import FlyteRecoverableException
    from flyte_core.extend import IgnoreOutputs


    @task
    def add(x: int, y: int) -> int:
        return x + y


    @task
    def shout(words: list[str]) -> dict[str, str]:
        return {w: w.upper() for w in words}


    @task
    def nothing(x: int) -> None:
        print(x)


    @task
    def fail(x: int) -> int:
        if x > 0:
            raise ValueError(f"x must not be positive, got {x}")
        return x


    @task
    def flaky(x: int) -> int:
        if x > 0:
            raise FlyteRecoverableException(f"temporarily unavailable: {x}")
        return x


    @task
    def worker(x: int) -> int:
        if x > 0:
            raise IgnoreOutputs("not the chief")
        return x


    @task
    def who(x: int) -> str:
        ctx = current_context()
        return f"{ctx.execution_id}|{ctx.task_id}|{ctx.raw_output_prefix}|{ctx.output_metadata_prefix}"


    @task
    def heavy_modules(x: int) -> list[str]:
        heavy = ("pandas", "pyarrow", "yaml", "rich", "grpc", "click", "numpy", "aiohttp", "fsspec", "asyncio")
        return sorted(m for m in sys.modules if m.split(".")[0] in heavy)


    @task
    def save(text: str) -> FlyteFile:
        path = os.path.join(current_context().working_directory, "note.txt")
        with open(path, "w") as f:
            f.write(text)
        return FlyteFile(path)


    @task(enable_deck=True)
    def report(x: int) -> int:
        Deck("notes", f"<p>x is {x}</p>")
        return x


    @workflow
    def pipeline(x: int, y: int) -> int:
        return add(x=fail(x=x), y=y)
"""


def _project(project: Project) -> Project:
    project.write("app/tasks.py", TASKS)
    return project


def test_outputs_pb_holds_the_task_outputs(project: Project) -> None:
    _project(project)
    result = project.execute("add", project.inputs(x=(2, int), y=(3, int)))
    assert result.returncode == 0, result.stderr
    assert to_python(project.outputs().literals["o0"], int) == 5


def test_collections_round_trip_through_the_literal_files(project: Project) -> None:
    _project(project)
    result = project.execute("shout", project.inputs(words=(["a", "b"], list[str])))
    assert result.returncode == 0, result.stderr
    assert to_python(project.outputs().literals["o0"], dict[str, str]) == {"a": "A", "b": "B"}


def test_a_task_without_outputs_writes_an_empty_outputs_pb(project: Project) -> None:
    _project(project)
    result = project.execute("nothing", project.inputs(x=(7, int)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "7"
    assert sorted(p.name for p in (project.root / "out").iterdir()) == ["outputs.pb"]
    assert len(project.outputs().literals) == 0


def test_inputs_and_outputs_may_be_file_uris(project: Project) -> None:
    _project(project)
    inputs = project.inputs(x=(1, int), y=(1, int))
    result = project.execute("add", f"file://{inputs}", out="out")
    assert result.returncode == 0, result.stderr
    assert to_python(project.outputs().literals["o0"], int) == 2


def test_a_user_error_writes_error_pb_with_the_users_message_and_exits_0(project: Project) -> None:
    _project(project)
    result = project.execute("fail", project.inputs(x=(3, int)))
    assert result.returncode == 0, result.stderr
    error = project.error()
    assert error.code == "USER:RuntimeError"
    assert error.kind == errors_pb2.ContainerError.NON_RECOVERABLE
    assert error.origin == execution_pb2.ExecutionError.USER
    assert error.message.startswith("Trace:\n\n    Traceback (most recent call last):")
    assert 'raise ValueError(f"x must not be positive, got {x}")' in error.message
    assert error.message.endswith("Message:\n\n    ValueError: x must not be positive, got 3")
    assert error.timestamp.seconds > 0
    assert not (project.root / "out" / "outputs.pb").exists()
    assert "ValueError: x must not be positive, got 3" in result.stderr


def test_fail_on_error_makes_the_exit_status_non_zero(project: Project) -> None:
    _project(project)
    result = project.execute("fail", project.inputs(x=(3, int)), env={"FLYTE_FAIL_ON_ERROR": "true"})
    assert result.returncode == 1
    assert project.error().code == "USER:RuntimeError"


def test_a_recoverable_exception_is_reported_recoverable(project: Project) -> None:
    _project(project)
    result = project.execute("flaky", project.inputs(x=(1, int)))
    assert result.returncode == 0, result.stderr
    error = project.error()
    assert (error.code, error.kind, error.origin) == (
        "USER:Recoverable",
        errors_pb2.ContainerError.RECOVERABLE,
        execution_pb2.ExecutionError.USER,
    )


def test_distributed_error_strategy_names_the_error_file_uniquely(project: Project) -> None:
    _project(project)
    env = {"FLYTE_INTERNAL_DIST_ERROR_STRATEGY": "EARLIEST", "FLYTE_INTERNAL_WORKER_NAME": "worker-3"}
    result = project.execute("fail", project.inputs(x=(3, int)), env=env)
    assert result.returncode == 0, result.stderr
    (name,) = [p.name for p in (project.root / "out").iterdir()]
    assert name.startswith("error-") and name.endswith(".pb") and len(name) == len("error-.pb") + 32
    assert project.error(name=name).worker == "worker-3"


def test_ignore_outputs_uploads_nothing(project: Project) -> None:
    _project(project)
    result = project.execute("worker", project.inputs(x=(1, int)))
    assert result.returncode == 0, result.stderr
    assert not (project.root / "out").exists()


def test_a_module_that_cannot_be_imported_is_a_user_error(project: Project) -> None:
    _project(project)
    project.write("app/broken.py", "import not_installed_anywhere\n")
    result = project.execute("t", project.inputs(x=(1, int)), module="app.broken")
    assert result.returncode == 0, result.stderr
    error = project.error()
    assert error.origin == execution_pb2.ExecutionError.USER
    assert "ModuleNotFoundError: No module named 'not_installed_anywhere'" in error.message


def test_the_backend_environment_reaches_the_tasks_context(project: Project) -> None:
    _project(project)
    env = {
        "FLYTE_INTERNAL_EXECUTION_PROJECT": "flytesnacks",
        "FLYTE_INTERNAL_EXECUTION_DOMAIN": "development",
        "FLYTE_INTERNAL_EXECUTION_ID": "a1b2c3",
        "_F_TK_PRJ": "flytesnacks",
        "_F_TK_DM": "development",
        "_F_TK_NM": "app.tasks.who",
        "_F_TK_V": "v7",
    }
    result = project.execute("who", project.inputs(x=(1, int)), env=env)
    assert result.returncode == 0, result.stderr
    seen = to_python(project.outputs().literals["o0"], str).split("|")
    assert seen == [
        "ex:flytesnacks:development:a1b2c3",
        "TASK:flytesnacks:development:app.tasks.who:v7",
        str(project.root / "raw"),
        str(project.root / "out"),
    ]


def test_inputs_are_read_from_any_uri_the_file_access_provider_serves(project: Project) -> None:
    _project(project)
    inputs = project.inputs(x=(20, int), y=(22, int))
    with http_server(project.root) as url:
        result = project.execute("add", f"{url}/{inputs.name}")
    assert result.returncode == 0, result.stderr
    assert to_python(project.outputs().literals["o0"], int) == 42


def test_offloaded_data_goes_under_the_raw_output_prefix(project: Project) -> None:
    _project(project)
    result = project.execute("save", project.inputs(text=("kept", str)))
    assert result.returncode == 0, result.stderr
    uri = project.outputs().literals["o0"].scalar.blob.uri
    assert uri.startswith(str(project.root / "raw"))
    assert Path(uri).read_text() == "kept"


def test_large_outputs_are_offloaded_next_to_outputs_pb(project: Project) -> None:
    _project(project)
    result = project.execute("shout", project.inputs(words=(["a"], list[str])), env={"_F_L_MIN_SIZE_MB": "0"})
    assert result.returncode == 0, result.stderr
    reference = project.outputs().literals["o0"].offloaded_metadata
    assert reference.uri == f"{project.root / 'out'}/o0_offloaded_metadata.pb"
    assert reference.inferred_type.map_value_type.simple == types_pb2.STRING
    offloaded = literals_pb2.Literal.FromString((project.root / "out" / "o0_offloaded_metadata.pb").read_bytes())
    assert to_python(offloaded, dict[str, str]) == {"a": "A"}
    assert reference.size_bytes == offloaded.ByteSize()


def test_running_a_task_imports_no_heavy_library(project: Project) -> None:
    _project(project)
    result = project.execute("heavy_modules", project.inputs(x=(1, int)))
    assert result.returncode == 0, result.stderr
    assert to_python(project.outputs().literals["o0"], list[str]) == []


def test_a_task_with_decks_uploads_deck_html_next_to_its_outputs(project: Project) -> None:
    _project(project)
    result = project.execute("report", project.inputs(x=(4, int)))
    assert result.returncode == 0, result.stderr
    assert "<p>x is 4</p>" in (project.root / "out" / "deck.html").read_text()


def test_a_workflow_resolves_the_tasks_it_calls(project: Project) -> None:
    _project(project)
    result = project.run(
        "pyflyte-execute",
        "--inputs",
        project.inputs(x=(0, int), y=(5, int)),
        "--output-prefix",
        "out",
        "--resolver",
        "app.tasks.pipeline",
        "--",
        "1",
    )
    assert result.returncode == 0, result.stderr
    assert to_python(project.outputs().literals["o0"], int) == 5


def test_test_mode_checks_the_resolver_and_runs_nothing(project: Project) -> None:
    _project(project)
    result = project.run(
        "pyflyte-execute",
        "--inputs",
        "in.pb",
        "--output-prefix",
        "out",
        "--test",
        "--",
        "task-module",
        "a",
        "task-name",
        "b",
    )
    assert result.returncode == 0, result.stderr
    assert "nothing executed" in result.stderr
    assert not (project.root / "out").exists()

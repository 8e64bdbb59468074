"""Dynamic tasks write futures.pb; ``pyflyte-map-execute`` runs the one item of its array job index."""

from __future__ import annotations

from flyteidl.core import dynamic_job_pb2

from flyte_core.config import ImageConfig, SerializationSettings
from tests.core.bin.conftest import Project, to_python

TASKS = """
    import functools

    from flyte_core import dynamic, map_task, task


    @task
    def square(x: int) -> int:
        return x * x


    @dynamic
    def squares(n: int) -> list[int]:
        return [square(x=i) for i in range(n)]


    @dynamic
    def constant(n: int) -> int:
        return 42


    @task
    def scale(x: int, factor: int) -> int:
        return x * factor


    mapped_square = map_task(square)
    mapped_scale = map_task(functools.partial(scale, factor=3))
"""

MAP_RESOLVER = "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver"
DEFAULT_RESOLVER = "flytekit.core.python_auto_container.default_task_resolver"


def _settings() -> SerializationSettings:
    return SerializationSettings(
        image_config=ImageConfig.auto(img_name="repo/img:v1"), project="p", domain="d", version="ignored"
    )


def test_a_dynamic_task_writes_futures_pb_with_its_nodes_and_tasks(project: Project) -> None:
    project.write("app/tasks.py", TASKS)
    env = {"_F_SS_C": _settings().serialized_context, "_F_TK_V": "v9", "_F_PRJ": "p", "_F_DM": "d"}
    result = project.execute("squares", project.inputs(n=(3, int)), env=env)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (project.root / "out").iterdir()) == ["futures.pb"]
    spec = dynamic_job_pb2.DynamicJobSpec.FromString((project.root / "out" / "futures.pb").read_bytes())
    assert len(spec.nodes) == 3
    assert spec.min_successes == 3
    assert {node.task_node.reference_id.name for node in spec.nodes} == {"app.tasks.square"}
    (template,) = spec.tasks
    assert template.id.name == "app.tasks.square"
    assert template.id.version == "v9"
    assert template.container.image == "repo/img:v1"
    assert list(template.container.args[-4:]) == ["task-module", "app.tasks", "task-name", "square"]
    assert [o.var for o in spec.outputs] == ["o0"]


def test_a_dynamic_task_that_calls_nothing_writes_its_outputs(project: Project) -> None:
    project.write("app/tasks.py", TASKS)
    result = project.execute("constant", project.inputs(n=(1, int)), env={"_F_SS_C": _settings().serialized_context})
    assert result.returncode == 0, result.stderr
    assert to_python(project.outputs().literals["o0"], int) == 42


def test_a_dynamic_task_without_an_image_to_serialize_with_reports_it_in_error_pb(project: Project) -> None:
    project.write("app/tasks.py", TASKS)
    result = project.execute("squares", project.inputs(n=(2, int)))  # no _F_SS_C, no config file
    assert result.returncode == 0, result.stderr
    assert "no default image" in project.error().message


def _map_execute(project: Project, task: str, bound: str, inputs: object, env: dict[str, str]) -> object:
    return project.run(
        "pyflyte-map-execute",
        "--inputs",
        inputs,
        "--output-prefix",
        "out",
        "--raw-output-data-prefix",
        "raw",
        "--checkpoint-path",
        "{{.checkpointOutputPrefix}}",
        "--prev-checkpoint",
        "{{.prevCheckpointPrefix}}",
        "--resolver",
        MAP_RESOLVER,
        "--",
        "vars",
        bound,
        "resolver",
        DEFAULT_RESOLVER,
        "task-module",
        "app.tasks",
        "task-name",
        task,
        env=env,
    )


def test_map_execute_runs_the_item_of_its_array_index(project: Project) -> None:
    project.write("app/tasks.py", TASKS)
    inputs = project.inputs(x=([1, 2, 3, 4], list[int]))
    result = _map_execute(project, "square", "", inputs, {"BATCH_JOB_ARRAY_INDEX_VAR_NAME": "MY_IDX", "MY_IDX": "2"})
    assert result.returncode == 0, result.stderr  # type: ignore[attr-defined]
    assert to_python(project.outputs().literals["o0"], int) == 9


def test_map_execute_adds_the_index_offset_and_passes_bound_inputs(project: Project) -> None:
    project.write("app/tasks.py", TASKS)
    inputs = project.inputs(x=([1, 2, 3, 4], list[int]), factor=(3, int))
    env = {"BATCH_JOB_ARRAY_INDEX_VAR_NAME": "MY_IDX", "MY_IDX": "2", "BATCH_JOB_ARRAY_INDEX_OFFSET": "1"}
    result = _map_execute(project, "scale", "factor", inputs, env)
    assert result.returncode == 0, result.stderr  # type: ignore[attr-defined]
    assert to_python(project.outputs().literals["o0"], int) == 12


def test_map_execute_past_the_last_item_is_a_system_error(project: Project) -> None:
    project.write("app/tasks.py", TASKS)
    inputs = project.inputs(x=([1, 2], list[int]))
    result = _map_execute(project, "square", "", inputs, {"BATCH_JOB_ARRAY_INDEX_VAR_NAME": "MY_IDX", "MY_IDX": "5"})
    assert result.returncode == 0, result.stderr  # type: ignore[attr-defined]
    error = project.error()
    assert error.code == "SYSTEM"
    assert "array job index 5 is out of range (2 items)" in error.message

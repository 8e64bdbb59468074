"""@dynamic: bodies that build a workflow at run time, run locally and compiled in a container."""

from __future__ import annotations

import typing

import pytest
from flyteidl.core import dynamic_job_pb2

from flyte_core import dynamic, map_task, task, workflow
from flyte_core.config import FastSerializationSettings, ImageConfig, SerializationSettings
from flyte_core.context import ExecutionState, FlyteContextManager
from flyte_core.exceptions.user import FlyteAssertion, FlyteUserRuntimeException, FlyteValueException
from flyte_core.sdk.python_function_task import ExecutionBehavior, PythonFunctionTask
from flyte_core.types.type_engine import TypeEngine, TypeTransformerFailedError

modes: list[ExecutionState.Mode | None] = []


@task
def square(x: int) -> int:
    state = FlyteContextManager.current_context().execution_state
    modes.append(state.mode if state else None)
    return x * x


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@workflow
def square_twice(x: int) -> int:
    return square(x=square(x=x))


@dynamic
def squares(n: int) -> list[int]:
    return [square(x=i) for i in range(n)]


@dynamic(retries=2)
def fan_in(n: int) -> int:
    return total(xs=[square(x=i) for i in range(n)])


def _settings(**kwargs: typing.Any) -> SerializationSettings:
    return SerializationSettings(
        image_config=ImageConfig.auto(img_name="repo/img:v1"), project="p", domain="d", version="v", **kwargs
    )


def _compile(entity: typing.Any, settings: SerializationSettings | None = None, **inputs: typing.Any) -> typing.Any:
    ctx = FlyteContextManager.current_context()
    state = ctx.new_execution_state().with_params(mode=ExecutionState.Mode.TASK_EXECUTION)
    with FlyteContextManager.with_context(
        ctx._replace(execution_state=state, serialization_settings=settings)
    ) as exec_ctx:
        literal_map = TypeEngine.dict_to_literal_map(exec_ctx, inputs, entity.python_interface.inputs)
        return entity.dispatch_execute(exec_ctx, literal_map)


def test_dynamic_is_a_python_task_in_dynamic_mode_accepting_task_arguments() -> None:
    assert isinstance(fan_in, PythonFunctionTask)
    assert fan_in.execution_mode is ExecutionBehavior.DYNAMIC
    assert fan_in.task_type == "python-task"
    assert fan_in.metadata.retries == 2


def test_body_sees_native_inputs_and_runs_in_local_dynamic_mode() -> None:
    seen: list[typing.Any] = []

    @dynamic
    def records(n: int) -> list[int]:
        state = FlyteContextManager.current_context().execution_state
        seen.append((type(n), state.mode if state else None))
        return [square(x=i) for i in range(n)]

    modes.clear()
    assert records(n=3) == [0, 1, 4]
    assert seen == [(int, ExecutionState.Mode.LOCAL_DYNAMIC_TASK_EXECUTION)]
    assert len(modes) == 3


def test_dynamic_in_a_workflow_feeds_downstream_tasks() -> None:
    @workflow
    def wf(n: int) -> int:
        return total(xs=squares(n=n))

    assert wf(n=4) == 14
    assert fan_in(n=4) == 14


def test_body_can_call_sub_workflows_and_map_tasks() -> None:
    @dynamic
    def mixed(n: int) -> tuple[int, list[int]]:
        return square_twice(x=n), map_task(square)(x=list(range(n)))

    assert mixed(n=3) == (81, [0, 1, 4])


def test_plain_python_on_inputs_decides_which_tasks_run() -> None:
    @dynamic
    def branches(n: int) -> str:
        if n > 2:
            return "big"
        return "small"

    assert branches(n=3) == "big"
    assert branches(n=1) == "small"


def test_returning_nothing_with_declared_outputs_names_the_dynamic_task() -> None:
    @dynamic
    def forgets(n: int) -> int:
        square(x=n)
        return None  # type: ignore[return-value]

    with pytest.raises(FlyteValueException, match="dynamic task '.*forgets' returned nothing"):
        forgets(n=1)


def test_wrong_output_type_names_the_output() -> None:
    @dynamic
    def wrong(n: int) -> int:
        return "text"  # type: ignore[return-value]

    with pytest.raises(
        TypeTransformerFailedError,
        match=r"outputs of dynamic task .*\n  Failed argument 'o0': Expected value of type <class 'int'> but got 'te",
    ):
        wrong(n=1)


def test_in_a_container_the_body_compiles_to_a_dynamic_job_spec() -> None:
    spec = _compile(fan_in, _settings(), n=2)
    assert isinstance(spec, dynamic_job_pb2.DynamicJobSpec)
    assert [n.id for n in spec.nodes] == ["dn0", "dn1", "dn2"]
    assert sorted(spec.nodes[2].upstream_node_ids) == ["dn0", "dn1"]
    assert [t.id.name for t in spec.tasks] == [square.name, total.name]
    args = list(spec.tasks[0].container.args)
    assert args[0] == "pyflyte-execute"
    assert args[-4:] == ["task-module", __name__, "task-name", "square"]
    assert spec.tasks[0].container.image == "repo/img:v1"


def test_compiled_sub_workflows_are_listed_once() -> None:
    @dynamic
    def twice(n: int) -> list[int]:
        return [square_twice(x=n), square_twice(x=n + 1)]

    spec = _compile(twice, _settings(), n=1)
    assert [n.workflow_node.sub_workflow_ref.name for n in spec.nodes] == [square_twice.name] * 2
    assert [w.id.name for w in spec.subworkflows] == [square_twice.name]
    assert len(spec.subworkflows[0].nodes) == 2


def test_node_overrides_reach_the_compiled_node() -> None:
    @dynamic
    def overridden(n: int) -> int:
        return square(x=n).with_overrides(retries=5, name="custom")

    spec = _compile(overridden, _settings(), n=1)
    assert spec.nodes[0].metadata.retries.retries == 5
    assert spec.nodes[0].metadata.name == "custom"


def test_fast_registration_prefixes_task_arguments() -> None:
    fast = FastSerializationSettings(enabled=True, destination_dir=".", distribution_location="s3://b/code.tar.gz")
    spec = _compile(fan_in, _settings(fast_serialization_settings=fast), n=1)
    args = list(spec.tasks[0].container.args)
    assert args[:6] == [
        "pyflyte-fast-execute",
        "--additional-distribution",
        "s3://b/code.tar.gz",
        "--dest-dir",
        ".",
        "--",
    ]
    assert args[6] == "pyflyte-execute"


def test_compiling_without_serialization_settings_says_where_they_come_from() -> None:
    with pytest.raises(FlyteUserRuntimeException, match="no serialization settings .* _F_SS_C") as info:
        _compile(fan_in, None, n=1)
    assert isinstance(info.value.value, FlyteAssertion)


def test_body_without_nodes_compiles_to_its_outputs() -> None:
    @dynamic
    def constant(n: int) -> list[int]:
        return [n, n * 2]

    literal_map = _compile(constant, _settings(), n=3)
    assert TypeEngine.to_python_value(None, literal_map.literals["o0"], list[int]) == [3, 6]


def test_map_task_in_a_dynamic_body_compiles_to_an_array_node_and_its_template() -> None:
    @dynamic
    def mapped(n: int) -> list[int]:
        return map_task(square, concurrency=2)(x=list(range(n)))

    spec = _compile(mapped, _settings(), n=3)
    (node,) = spec.nodes
    assert node.array_node.parallelism == 2
    assert node.array_node.node.task_node.reference_id.name.endswith("-arraynode")
    (template,) = spec.tasks
    assert template.task_type_version == 1
    assert template.container.args[0] == "pyflyte-map-execute"


def test_container_tasks_in_a_dynamic_body_compile_to_raw_containers() -> None:
    from flyte_core import ContainerTask, kwtypes

    raw = ContainerTask(
        name="raw_echo",
        image="alpine:3.19",
        output_data_dir="/var/outputs",
        inputs=kwtypes(a=int),
        outputs=kwtypes(p=int),
        command=["sh", "-c", "echo {{.inputs.a}} > /var/outputs/p"],
    )

    @dynamic
    def uses_raw(n: int) -> list[int]:
        return [raw(a=i) for i in range(n)]

    spec = _compile(uses_raw, _settings(), n=2)
    (template,) = spec.tasks
    assert template.type == "raw-container"
    assert list(template.container.command) == ["sh", "-c", "echo {{.inputs.a}} > /var/outputs/p"]
    assert template.container.image == "alpine:3.19"
    assert template.container.data_config.output_path == "/var/outputs"

"""map_task: mapping tasks (and launch plans) over lists, locally, in compile mode and in a container."""

from __future__ import annotations

import functools
import typing

import pytest
from flyteidl.core import literals_pb2

from flyte_core import dynamic, map_task, task, workflow
from flyte_core.config import ImageConfig, SerializationSettings
from flyte_core.context import ExecutionState, FlyteContextManager
from flyte_core.sdk.map_task import ArrayNodeMapTask, ArrayNodeMapTaskResolver
from flyte_core.types.type_engine import TypeEngine, TypeTransformerFailedError

calls: list[int] = []


@task
def square(x: int) -> int:
    calls.append(x)
    return x * x


@task
def mul(x: int, y: int) -> int:
    return x * y


@task
def no_three(x: int) -> int:
    if x == 3:
        raise KeyError(f"three: {x}")
    return x


@task
def pair(x: int) -> tuple[int, int]:
    return x, x


def test_map_task_runs_the_task_once_per_item_in_order() -> None:
    calls.clear()
    assert map_task(square)(x=[3, 1, 2]) == [9, 1, 4]
    assert calls == [3, 1, 2]


def test_map_task_interface_is_lists_of_the_task_interface() -> None:
    mapped = map_task(mul)
    assert mapped.python_interface.inputs == {"x": list[int], "y": list[int]}
    assert mapped.python_interface.outputs == {"o0": list[int]}
    assert mapped.task_type == "python-task"
    assert mapped.task_type_version == 1


def test_partial_binds_inputs_that_are_not_mapped() -> None:
    mapped = map_task(functools.partial(mul, y=10))
    assert mapped.python_interface.inputs == {"x": list[int], "y": int}
    assert mapped.bound_inputs == {"y"}
    assert mapped(x=[1, 2]) == [10, 20]


def test_partial_with_positional_arguments_is_refused() -> None:
    with pytest.raises(ValueError, match="bind inputs by name"):
        map_task(functools.partial(mul, 2))


def test_map_task_name_hashes_bound_inputs_and_options() -> None:
    plain = map_task(square)
    assert plain.name == f"{__name__}.map_square_6b3bd0353da5de6e84d7982921ead2b3-arraynode"
    assert map_task(square, concurrency=2).name != plain.name


def test_min_success_ratio_makes_outputs_optional_and_failed_items_none() -> None:
    mapped = map_task(no_three, min_success_ratio=0.5)
    assert mapped.python_interface.outputs == {"o0": list[int | None]}
    assert mapped(x=[1, 3, 2]) == [1, None, 2]


def test_too_many_failures_raise_the_task_error_naming_the_item() -> None:
    with pytest.raises(KeyError) as info:
        map_task(no_three, min_success_ratio=0.5)(x=[3, 3, 1])
    message = str(info.value)
    assert "map_no_three_" in message
    assert "map item 1 of 3, inputs x=3" in message
    assert "2 of 3 items failed, at least 2 must succeed" in message


def test_failure_without_min_success_ratio_fails_at_the_first_failed_item() -> None:
    with pytest.raises(KeyError, match="every item must succeed"):
        map_task(no_three)(x=[1, 3])


def test_min_successes_without_optional_outputs_explains_the_none() -> None:
    with pytest.raises(TypeTransformerFailedError, match="set min_success_ratio below 1"):
        map_task(no_three, min_successes=1)(x=[3, 1])


def test_lists_of_different_lengths_raise_index_error_naming_the_inputs() -> None:
    with pytest.raises(IndexError, match="input 'y' has 1 items but 'x' has 2"):
        map_task(mul)(x=[1, 2], y=[3])


def test_tasks_with_several_outputs_cannot_be_mapped() -> None:
    with pytest.raises(ValueError, match="'tests.core.sdk.test_map_task.pair' has 2 outputs"):
        map_task(pair)


def test_dynamic_tasks_and_workflows_cannot_be_mapped() -> None:
    @dynamic
    def dyn(x: int) -> int:
        return square(x=x)

    @workflow
    def wf(x: int) -> int:
        return square(x=x)

    for target in (dyn, wf):
        with pytest.raises(ValueError, match="not @dynamic or @eager"):
            map_task(target)


def test_map_task_in_a_workflow_is_one_node_bound_to_the_workflow_input() -> None:
    @workflow
    def wf(xs: list[int]) -> list[int]:
        return map_task(square)(x=xs)

    (node,) = wf.nodes
    assert isinstance(node.flyte_entity, ArrayNodeMapTask)
    assert node.id == "n0"
    assert node.bindings[0].binding.promise.var == "xs"
    assert wf(xs=[2, 3]) == [4, 9]


def test_map_task_outputs_feed_other_tasks_in_a_workflow() -> None:
    @task
    def total(xs: list[int]) -> int:
        return sum(xs)

    @workflow
    def wf(xs: list[int]) -> int:
        return total(xs=map_task(square)(x=xs))

    assert wf(xs=[1, 2, 3]) == 14


def test_map_task_of_a_task_without_outputs_returns_none() -> None:
    seen = []

    @task
    def record(x: int) -> None:
        seen.append(x)

    assert map_task(record)(x=[1, 2]) is None
    assert seen == [1, 2]


def test_array_node_idl_carries_parallelism_ratio_and_bound_inputs() -> None:
    from flyteidl.core import identifier_pb2

    mapped = map_task(functools.partial(mul, y=2), concurrency=4, min_success_ratio=0.5)
    array_node = mapped.to_array_node_idl([], identifier_pb2.Identifier(name=mapped.name))
    assert array_node.parallelism == 4
    assert array_node.WhichOneof("success_criteria") == "min_success_ratio"
    assert array_node.min_success_ratio == 0.5
    assert list(array_node.bound_inputs) == ["y"]
    assert array_node.node.id == mapped.name
    assert array_node.node.task_node.reference_id.name == mapped.name


def _run_in_container(entity: ArrayNodeMapTask, inputs: dict[str, typing.Any]) -> literals_pb2.LiteralMap:
    ctx = FlyteContextManager.current_context()
    state = ctx.new_execution_state().with_params(mode=ExecutionState.Mode.TASK_EXECUTION)
    with FlyteContextManager.with_context(ctx._replace(execution_state=state)) as exec_ctx:
        literal_map = TypeEngine.dict_to_literal_map(exec_ctx, inputs, entity.python_interface.inputs)
        return entity.dispatch_execute(exec_ctx, literal_map)


def test_in_a_container_only_the_item_of_the_array_index_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATCH_JOB_ARRAY_INDEX_VAR_NAME", "AWS_BATCH_JOB_ARRAY_INDEX")
    monkeypatch.setenv("AWS_BATCH_JOB_ARRAY_INDEX", "1")
    monkeypatch.setenv("BATCH_JOB_ARRAY_INDEX_OFFSET", "1")
    outputs = _run_in_container(map_task(functools.partial(mul, y=10)), {"x": [1, 2, 3, 4], "y": 10})
    assert TypeEngine.to_python_value(None, outputs.literals["o0"], int) == 30


def test_in_a_container_an_index_past_the_list_names_the_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATCH_JOB_ARRAY_INDEX_VAR_NAME", "MY_INDEX")
    monkeypatch.setenv("MY_INDEX", "5")
    from flyte_core.exceptions.system import FlyteNonRecoverableSystemException

    with pytest.raises(FlyteNonRecoverableSystemException, match="input 'x': array job index 5 is out of range"):
        _run_in_container(map_task(square), {"x": [1]})


def test_resolver_loader_args_name_bound_inputs_and_the_inner_resolver() -> None:
    settings = SerializationSettings(image_config=ImageConfig.auto(img_name="repo/img:1"))
    mapped = map_task(functools.partial(mul, y=2))
    args = ArrayNodeMapTaskResolver().loader_args(settings, mapped)
    assert args == [
        "vars",
        "y",
        "resolver",
        "flytekit.core.python_auto_container.default_task_resolver",
        "task-module",
        __name__,
        "task-name",
        "mul",
    ]
    assert mapped.get_command(settings)[:2] == ["pyflyte-map-execute", "--inputs"]


def test_resolver_loads_the_map_task_back_from_its_loader_args() -> None:
    settings = SerializationSettings(image_config=ImageConfig.auto(img_name="repo/img:1"))
    args = ArrayNodeMapTaskResolver().loader_args(settings, map_task(functools.partial(mul, y=2)))
    loaded = ArrayNodeMapTaskResolver().load_task(args)
    assert loaded.python_function_task is mul
    assert loaded.bound_inputs == {"y"}
    assert loaded.python_interface.inputs == {"x": list[int], "y": int}


def test_resolver_rejects_malformed_loader_args() -> None:
    with pytest.raises(ValueError, match="vars <bound,vars> resolver"):
        ArrayNodeMapTaskResolver().load_task(["task-module", "m"])


def test_map_over_a_launch_plan_skips_fixed_inputs_and_runs_each_item() -> None:
    from flyte_core.sdk.array_node import ArrayNode
    from flyte_core.sdk.launch_plan import LaunchPlan

    @workflow
    def add_wf(x: int, y: int) -> int:
        return mul(x=x, y=y)

    launch_plan = LaunchPlan.get_or_create(add_wf, "map_lp_fixed_y", fixed_inputs={"y": 5})
    mapped = map_task(launch_plan)
    assert isinstance(mapped, ArrayNode)
    assert mapped.python_interface.inputs == {"x": list[int]}
    assert mapped(x=[1, 2]) == [5, 10]

    @workflow
    def wf(xs: list[int]) -> list[int]:
        return map_task(launch_plan, concurrency=2)(x=xs)

    assert wf(xs=[3]) == [15]
    array_node = wf.nodes[0].flyte_entity
    assert array_node.bindings[0].binding.promise.var == "xs"
    from flyteidl.core import workflow_pb2

    idl = array_node.to_array_node_idl(workflow_pb2.Node(id=array_node.name))
    assert idl.parallelism == 2
    assert idl.is_original_sub_node_interface.value is True

"""@eager: async functions whose task calls run as they happen, locally under asyncio."""

from __future__ import annotations

import asyncio

import pytest

from flyte_core import eager, map_task, task, workflow
from flyte_core.context import ExecutionState, FlyteContextManager
from flyte_core.exceptions.user import FlyteAssertion, FlyteUserRuntimeException
from flyte_core.sdk.eager import EagerAsyncPythonFunctionTask
from flyte_core.sdk.python_function_task import ExecutionBehavior
from flyte_core.types.type_engine import TypeEngine


@task
def add_one(x: int) -> int:
    return x + 1


@task
async def double(x: int) -> int:
    await asyncio.sleep(0)
    return 2 * x


@task
def boom(x: int) -> int:
    if x:
        raise KeyError(f"boom {x}")
    return x


@workflow
def add_two(x: int) -> int:
    return add_one(x=add_one(x=x))


@eager
async def inner(x: int) -> int:
    return add_one(x=x) * 10


def test_eager_builds_an_eager_task_with_is_eager_metadata() -> None:
    assert isinstance(inner, EagerAsyncPythonFunctionTask)
    assert inner.metadata.is_eager is True
    assert inner.execution_mode is ExecutionBehavior.EAGER
    assert inner.task_type == "python-task"
    assert inner.enable_deck is True


def test_calling_an_eager_function_returns_a_coroutine_of_its_result() -> None:
    pending = inner(x=1)
    assert asyncio.iscoroutine(pending)
    assert asyncio.run(pending) == 20


def test_tasks_called_inside_return_native_values_in_eager_local_mode() -> None:
    seen = []

    @eager
    async def wf(x: int) -> int:
        state = FlyteContextManager.current_context().execution_state
        value = add_one(x=x)
        seen.append((state.mode if state else None, type(value)))
        return value

    assert asyncio.run(wf(x=1)) == 2
    assert seen == [(ExecutionState.Mode.EAGER_LOCAL_EXECUTION, int)]


def test_sub_workflows_map_tasks_and_nested_eager_functions_run_inside() -> None:
    @eager
    async def wf(x: int) -> list[int]:
        a = add_two(x=x)
        b = await inner(x=a)
        mapped = map_task(add_one)(x=[a, b])
        return [a, b, *mapped]

    assert asyncio.run(wf(x=1)) == [3, 40, 4, 41]


def test_gather_of_nested_eager_functions_returns_every_result() -> None:
    @eager
    async def wf(n: int) -> list[int]:
        return list(await asyncio.gather(*(inner(x=i) for i in range(n))))

    assert asyncio.run(wf(n=3)) == [10, 20, 30]


def test_async_tasks_are_awaited_and_gathered() -> None:
    @eager
    async def wf(x: int) -> list[int]:
        one = await double(x=x)
        return [one, *await asyncio.gather(double(x=1), double(x=2))]

    assert asyncio.run(wf(x=5)) == [10, 2, 4]


def test_task_errors_propagate_with_their_type_naming_both_entities() -> None:
    @eager
    async def failing(x: int) -> int:
        return boom(x=x)

    with pytest.raises(KeyError) as info:
        asyncio.run(failing(x=1))
    message = str(info.value)
    assert "failing" in message
    assert "boom" in message


def test_task_errors_can_be_caught_inside_the_eager_function() -> None:
    @eager
    async def recovering(x: int) -> int:
        try:
            return boom(x=x)
        except KeyError:
            return -1

    assert asyncio.run(recovering(x=1)) == -1


def test_eager_function_awaited_from_a_running_loop_sees_its_context() -> None:
    async def main() -> int:
        return await inner(x=4)

    assert asyncio.run(main()) == 50


def test_eager_function_in_a_workflow_is_a_node_and_runs_locally() -> None:
    @workflow
    def wf(x: int) -> int:
        return add_one(x=inner(x=x))

    assert [n.flyte_entity for n in wf.nodes] == [inner, add_one]
    assert wf(x=1) == 21


def test_sync_function_is_refused_with_a_hint() -> None:
    with pytest.raises(TypeError, match="must be an async function"):

        @eager
        def not_async(x: int) -> int:
            return x


def test_task_arguments_set_the_eager_task_metadata() -> None:
    @eager(retries=2, timeout=30, container_image="repo/img:1")
    async def configured(x: int) -> int:
        return x

    assert configured.metadata.retries == 2
    assert configured.metadata.timeout.total_seconds() == 30
    assert configured.metadata.is_eager is True
    assert configured.container_image == "repo/img:1"


def test_remote_controller_arguments_are_ignored_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="ignoring argument\\(s\\) client_secret_group"):

        @eager(client_secret_group="g")
        async def remote_configured(x: int) -> int:
            return x

    assert asyncio.run(remote_configured(x=3)) == 3


def test_a_remote_eager_call_without_an_execution_context_says_what_is_missing() -> None:
    @eager
    async def remote(x: int) -> int:
        return add_one(x=x)

    ctx = FlyteContextManager.current_context()
    state = ctx.new_execution_state().with_params(mode=ExecutionState.Mode.TASK_EXECUTION)
    with FlyteContextManager.with_context(ctx._replace(execution_state=state)) as exec_ctx:
        literal_map = TypeEngine.dict_to_literal_map(exec_ctx, {"x": 1}, {"x": int})
        with pytest.raises(FlyteUserRuntimeException, match="needs FlyteRemote, the eager execution's id") as info:
            remote.dispatch_execute(exec_ctx, literal_map)
    assert isinstance(info.value.value, FlyteAssertion)
    assert "eager workflow 'tests.core.sdk.test_eager.remote' called 'tests.core.sdk.test_eager.add_one'" in str(
        info.value
    )

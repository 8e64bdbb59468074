"""``@task``: definition, interface, and local execution by calling it."""

from __future__ import annotations

import asyncio
import datetime
import os
import typing

import pytest

from flyte_core import Cache, Resources, Secret, current_context, task, workflow
from flyte_core.exceptions.user import FlyteMissingReturnValueException, FlyteMissingTypeException
from flyte_core.sdk.python_function_task import AsyncPythonFunctionTask, PythonFunctionTask
from flyte_core.types.type_engine import TypeTransformerFailedError


@task
def add(x: int, y: float) -> float:
    """Add two numbers.

    :param x: the integer
    :param y: the float
    :return: the sum
    """
    return x + y


@task
def nothing(x: int) -> None:
    pass


Stats = typing.NamedTuple("Stats", [("mean", float), ("count", int)])


@task
def stats(xs: list[float]) -> Stats:
    return Stats(mean=sum(xs) / len(xs), count=len(xs))


@task
def pair(x: int) -> tuple[int, str]:
    return x, str(x)


def test_bare_decorator_builds_a_python_function_task_named_after_its_module() -> None:
    assert isinstance(add, PythonFunctionTask)
    assert add.name == f"{__name__}.add"
    assert add.task_type == "python-task"
    assert add.__doc__ is not None and add.__name__ == "add"


def test_interface_takes_types_defaults_and_docstring_descriptions() -> None:
    variables = add.interface.inputs.variables
    assert set(variables) == {"x", "y"}
    assert variables["x"].description == "the integer"
    assert add.interface.outputs.variables["o0"].description == "the sum"
    assert add.docs.short_description == "Add two numbers."


def test_calling_a_task_runs_it_with_keyword_or_positional_arguments() -> None:
    assert add(x=1, y=2.5) == 3.5
    assert add(1, 2.5) == 3.5
    assert nothing(x=1) is None


def test_several_outputs_come_back_as_a_named_tuple() -> None:
    result = stats(xs=[1.0, 2.0, 3.0])
    assert (result.mean, result.count) == (2.0, 3)
    assert type(result).__name__ == "Stats"
    assert pair(x=4) == (4, "4")
    assert pair(x=4).o1 == "4"


def test_wrong_input_type_names_the_task_the_input_and_both_types() -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        add(x="a", y=1.0)
    assert str(info.value) == (
        f"Failed to convert inputs of task '{__name__}.add':\n"
        "  Failed argument 'x': Expected value of type <class 'int'> but got 'a' of type <class 'str'>"
    )  # flytekit's words, which code and tests match on
    with pytest.raises(
        TypeTransformerFailedError, match="Failed argument 'y': Expected value of type <class 'float'> but got 2 "
    ):
        add(x=1, y=2)


def test_unexpected_and_duplicate_arguments_are_errors() -> None:
    with pytest.raises(AssertionError, match="Received unexpected keyword argument 'z'"):
        add(x=1, y=2.0, z=3)
    with pytest.raises(AssertionError, match="Got multiple values for argument 'x'"):
        add(1, x=1, y=2.0)
    with pytest.raises(AssertionError, match="Received more arguments than expected"):
        add(1, 2.0, 3)


def test_missing_argument_fails_like_a_python_call() -> None:
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'y'"):
        add(x=1)


def test_exception_in_the_task_keeps_its_type_and_names_the_task() -> None:
    @task
    def boom(x: int) -> int:
        if x:
            raise KeyError("bad x")
        return x

    with pytest.raises(KeyError) as info:
        boom(x=1)
    assert "Error encountered while executing" in str(info.value)
    assert "boom" in str(info.value) and "bad x" in str(info.value)


def test_wrong_output_names_the_task_and_the_output() -> None:
    @task
    def bad_out(x: int) -> int:
        return "a"  # type: ignore[return-value]

    with pytest.raises(TypeTransformerFailedError, match="task '.*bad_out' output 'o0': expected int, got str 'a'"):
        bad_out(x=1)


def test_wrong_number_of_outputs_is_reported() -> None:
    @task
    def short(x: int) -> tuple[int, int]:
        return x  # type: ignore[return-value]

    with pytest.raises(TypeTransformerFailedError, match="it declares 2 outputs"):
        short(x=1)


def test_unknown_keyword_argument_of_the_decorator_is_an_error() -> None:
    with pytest.raises(ValueError, match="Unrecognized argument\\(s\\) for task: cpus"):

        @task(cpus=2)
        def f(x: int) -> int:
            return x


def test_missing_annotation_and_missing_return_are_compile_errors() -> None:
    with pytest.raises(FlyteMissingTypeException, match="'x' has no type"):

        @task
        def untyped(x) -> int:  # type: ignore[no-untyped-def]
            return 1

    with pytest.raises(FlyteMissingReturnValueException, match="must return a value"):

        @task
        def forgets(x: int) -> int:
            pass


def test_cache_settings_follow_flytekit() -> None:
    @task(cache=True, cache_version="1.0", cache_serialize=True)
    def cached(x: int) -> int:
        return x

    assert (cached.metadata.cache, cached.metadata.cache_version, cached.metadata.cache_serialize) == (
        True,
        "1.0",
        True,
    )

    @task(cache=Cache(version="v2", ignored_inputs="debug"))
    def cached2(x: int, debug: bool = False) -> int:
        return x

    assert cached2.metadata.cache_ignore_input_vars == ("debug",)
    with pytest.raises(ValueError, match="If version is not defined then at least one cache policy"):

        @task(cache=True)
        def unversioned(x: int) -> int:
            return x


def test_task_settings_are_validated() -> None:
    @task(retries=3, timeout=30, interruptible=True, environment={"A": "b"}, requests=Resources(cpu="1"))
    def configured(x: int) -> int:
        return x

    assert configured.metadata.timeout == datetime.timedelta(seconds=30)
    assert configured.environment == {"A": "b"}
    with pytest.raises(AssertionError, match="cpu should be of type"):
        Resources(cpu=[1, 2, 3.0, object()])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="must be of length 2"):
        Resources(cpu=("1", "2", "3"))
    with pytest.raises(ValueError, match="retries must be a non-negative integer"):

        @task(retries=-1)
        def negative(x: int) -> int:
            return x


def test_current_context_inside_a_task_has_a_working_directory_and_secrets(monkeypatch) -> None:
    monkeypatch.setenv("_FSEC_DB_PASSWORD", "s3cret")

    @task(secret_requests=[Secret(group="db", key="password")])
    def uses_context(name: str) -> str:
        ctx = current_context()
        path = os.path.join(ctx.working_directory, name)
        with open(path, "w") as f:
            f.write("x")
        return f"{os.path.exists(path)}:{ctx.secrets.get('db', 'password')}:{ctx.execution_id.name}"

    assert uses_context(name="out.txt") == "True:s3cret:local"


def test_missing_secret_error_says_where_it_looked() -> None:
    @task
    def reads_secret() -> str:
        return current_context().secrets.get("nope", "missing")

    with pytest.raises(ValueError, match="_FSEC_NOPE_MISSING"):
        reads_secret()


def test_async_task_runs_under_asyncio() -> None:
    @task
    async def slow_double(x: int) -> int:
        await asyncio.sleep(0)
        return 2 * x

    assert isinstance(slow_double, AsyncPythonFunctionTask)
    assert slow_double(x=21) == 42

    @workflow
    def wf(x: int) -> int:
        return slow_double(x=slow_double(x=x))

    assert wf(x=1) == 4


def test_tasks_run_concurrently_in_threads_with_their_own_context() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: add(x=i, y=0.5), range(20)))
    assert results == [i + 0.5 for i in range(20)]


def test_a_task_class_from_another_module_names_its_task_after_the_users_module(tmp_path, monkeypatch) -> None:
    """A plugin's task class (its __init__ in the plugin's module) does not make the plugin the task's home."""
    import importlib
    import sys

    (tmp_path / "some_plugin.py").write_text(
        "from flyte_core.sdk.python_function_task import PythonFunctionTask\n\n"
        "class PluginTask(PythonFunctionTask):\n"
        "    def __init__(self, task_function, **kwargs):\n"
        "        super().__init__(task_config=None, task_function=task_function, task_type='plugin-kind', **kwargs)\n"
    )
    (tmp_path / "user_flows.py").write_text(
        "from some_plugin import PluginTask\n\ndef work(x: int) -> int:\n    return x\n\nwork_task = PluginTask(work)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        module = importlib.import_module("user_flows")
        assert module.work_task.instantiated_in == "user_flows"
        assert module.work_task.name == "user_flows.work"
    finally:
        for name in ("user_flows", "some_plugin"):
            sys.modules.pop(name, None)

"""Tasks whose body is a Python function (the ``@task`` kind) and tasks that are class instances."""

from __future__ import annotations

import enum
import inspect
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from flyte_core.exceptions.user import FlyteAssertion
from flyte_core.sdk.base_task import TaskResolverMixin
from flyte_core.sdk.interface import Docstring, transform_function_to_interface
from flyte_core.sdk.python_auto_container import (
    DefaultTaskResolver,
    PythonAutoContainerTask,
    default_task_resolver,
    instantiating_module,
    main_module_name,
    task_module_and_name,
)
from flyte_core.sdk.tracker import is_functools_wrapped_module_level, isnested, istestfunction

T = TypeVar("T")


class ExecutionBehavior(enum.Enum):
    DEFAULT = 1
    DYNAMIC = 2
    EAGER = 3


class PythonInstanceTask(PythonAutoContainerTask[T]):
    """A task that is an instance of a class (``SQLTask``, ``ShellTask``...), found where it is defined.

    The module that creates the instance is recorded; the module-level variable holding it (``lhs``)
    is found on first use, so the default resolver can import the task in a container.
    """

    def __init__(
        self,
        name: str,
        task_config: T | None,
        task_type: str = "python-task",
        task_resolver: TaskResolverMixin | None = None,
        **kwargs: Any,
    ) -> None:
        self._instantiated_in = instantiating_module()
        self._found_lhs: str | None = None
        super().__init__(name=name, task_config=task_config, task_type=task_type, task_resolver=task_resolver, **kwargs)

    @property
    def instantiated_in(self) -> str:
        """The module that created this task."""
        return self._instantiated_in

    @property
    def lhs(self) -> str:
        """The module-level variable holding this task."""
        if self._found_lhs is None:
            module = sys.modules.get(self._instantiated_in) or sys.modules.get("__main__")
            for attr, value in vars(module).items() if module is not None else ():
                if value is self:
                    self._found_lhs = attr
                    break
            else:
                raise FlyteAssertion(
                    f"{type(self).__name__} '{self.name}' is not a module-level variable of {self._instantiated_in}: "
                    "assign it to one so that a container can import it"
                )
        return self._found_lhs

    @property
    def _lhs(self) -> str:
        return self.lhs


class PythonFunctionTask(PythonAutoContainerTask[T]):
    """The task ``@task`` builds: runs the decorated function."""

    def __init__(
        self,
        task_config: T | None,
        task_function: Callable[..., Any],
        task_type: str = "python-task",
        ignore_input_vars: list[str] | None = None,
        execution_mode: ExecutionBehavior = ExecutionBehavior.DEFAULT,
        task_resolver: TaskResolverMixin | None = None,
        node_dependency_hints: Any = None,
        pickle_untyped: bool = False,
        **kwargs: Any,
    ) -> None:
        if task_function is None:
            raise ValueError("TaskFunction is a required parameter for PythonFunctionTask")
        self._task_function = task_function
        self._instantiated_in = instantiating_module()
        self._execution_mode = execution_mode
        self._node_dependency_hints = node_dependency_hints
        interface = transform_function_to_interface(
            task_function,
            Docstring(callable_=task_function),
            pickle_untyped=pickle_untyped,
        )
        if ignore_input_vars:
            interface = interface.remove_inputs(ignore_input_vars)
        super().__init__(
            name=_task_name(task_function),
            task_config=task_config,
            task_type=task_type,
            interface=interface,
            task_resolver=task_resolver,
            **kwargs,
        )
        if self._task_resolver is default_task_resolver:
            _check_reachable(task_function)
        self._is_async = inspect.iscoroutinefunction(task_function)

    @property
    def task_function(self) -> Callable[..., Any]:
        return self._task_function

    @property
    def execution_mode(self) -> ExecutionBehavior:
        return self._execution_mode

    @property
    def node_dependency_hints(self) -> Any:
        return self._node_dependency_hints

    @property
    def name(self) -> str:
        """``<module>.<function>``; a task made in another module (``ShellTask``...) is prefixed with that module."""
        if self._instantiated_in and self._instantiated_in not in self._name:
            return f"{self._instantiated_in}.{self._name}"
        return self._name

    @property
    def instantiated_in(self) -> str:
        """The module that made this task (for ``@task``, the function's module)."""
        return self._instantiated_in

    @property
    def lhs(self) -> str:
        return str(self._task_function.__name__)

    def execute(self, **kwargs: Any) -> Any:
        if self._execution_mode is ExecutionBehavior.DYNAMIC:
            from flyte_core.sdk.dynamic import execute_dynamic

            return execute_dynamic(self, **kwargs)
        if self._is_async:
            from flyte_core.types.type_engine import run_sync

            return run_sync(self._task_function(**kwargs))
        return self._task_function(**kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class AsyncPythonFunctionTask(PythonFunctionTask[T]):
    """A task whose function is a coroutine; it runs under asyncio.

    Called inside an ``@eager`` function it returns an awaitable, so ``await t(x=1)`` and
    ``asyncio.gather(...)`` work there; everywhere else a call runs it to completion.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from flyte_core.context import ExecutionState, FlyteContextManager

        state = FlyteContextManager.current_context().execution_state
        if state is not None and state.mode in (
            ExecutionState.Mode.EAGER_LOCAL_EXECUTION,
            ExecutionState.Mode.EAGER_EXECUTION,
        ):
            return _awaitable_call(self, args, kwargs)
        return super().__call__(*args, **kwargs)


async def _awaitable_call(entity: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    from flyte_core.sdk.promise import flyte_entity_call_handler

    result = flyte_entity_call_handler(entity, *args, **kwargs)
    if inspect.isawaitable(result):  # in a remote eager function the call is an execution to wait for
        return await result
    return result


def _check_reachable(task_function: Callable[..., Any]) -> None:
    """The default resolver finds a task by module and name: a nested function cannot be one (flytekit's rule)."""
    if (
        isnested(task_function)
        and not istestfunction(task_function)
        and not is_functools_wrapped_module_level(task_function)
    ):
        raise ValueError(
            "TaskFunction cannot be a nested/inner or local function. It should be accessible at a module level for "
            f"Flyte to execute it: '{task_function.__qualname__}' is defined inside a function. Move it to the "
            "module's top level (test modules named test_* may define nested tasks); a custom decorator must use "
            "functools.wraps; tasks made at run time need their own TaskResolverMixin."
        )


def _task_name(fn: Callable[..., Any]) -> str:
    module = fn.__module__
    if module == "__main__":
        module = main_module_name()
    return f"{module}.{fn.__name__}"


__all__ = [
    "AsyncPythonFunctionTask",
    "DefaultTaskResolver",
    "ExecutionBehavior",
    "PythonFunctionTask",
    "PythonInstanceTask",
    "TaskResolverMixin",
    "default_task_resolver",
    "main_module_name",
    "task_module_and_name",
]

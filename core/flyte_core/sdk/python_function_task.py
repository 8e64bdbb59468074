"""Tasks whose body is a Python function (the ``@task`` kind), and how containers find them again.

A task is found in a container by its resolver: the default resolver imports the task's module and
takes the attribute of the task's name (``task-module M task-name T``).
"""

from __future__ import annotations

import enum
import importlib
import inspect
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from flyte_core.exceptions.user import FlyteAssertion, FlyteValidationException
from flyte_core.sdk.base_task import PythonTask, TaskMetadata
from flyte_core.sdk.interface import Docstring, transform_function_to_interface
from flyte_core.sdk.resources import Resources, construct_resource_spec
from flyte_core.sdk.security import Secret, SecurityContext

T = TypeVar("T")


class ExecutionBehavior(enum.Enum):
    DEFAULT = 1
    DYNAMIC = 2
    EAGER = 3


class TaskResolverMixin:
    """Finds a task again inside a container from the arguments it was serialized with."""

    @property
    def location(self) -> str:
        raise NotImplementedError

    def name(self) -> str:
        raise NotImplementedError

    def load_task(self, loader_args: list[str]) -> Any:
        raise NotImplementedError

    def loader_args(self, settings: Any, t: Any) -> list[str]:
        raise NotImplementedError

    def get_all_tasks(self) -> list[Any]:
        raise NotImplementedError

    def task_name(self, t: Any) -> str | None:
        return None


class DefaultTaskResolver(TaskResolverMixin):
    """``task-module <module> task-name <attribute>``: the task is a module-level attribute."""

    @property
    def location(self) -> str:
        return "flytekit.core.python_auto_container.default_task_resolver"

    def name(self) -> str:
        return "DefaultTaskResolver"

    def load_task(self, loader_args: list[str]) -> Any:
        _, task_module, _, task_name, *_ = loader_args
        module = importlib.import_module(task_module)
        return getattr(module, task_name)

    def loader_args(self, settings: Any, task: Any) -> list[str]:
        module, name = task_module_and_name(task)
        return ["task-module", module, "task-name", name]

    def get_all_tasks(self) -> list[Any]:
        raise NotImplementedError


default_task_resolver = DefaultTaskResolver()


def main_module_name(file: str | None = None) -> str:
    """The importable module name of ``__main__`` (relative to the first ancestor without ``__init__.py``)."""
    main = sys.modules.get("__main__")
    path = file or getattr(main, "__file__", None)
    if not path:
        return "__main__"
    path = os.path.abspath(path)
    directory, filename = os.path.split(path)
    parts = [os.path.splitext(filename)[0]]
    while os.path.exists(os.path.join(directory, "__init__.py")):
        directory, package = os.path.split(directory)
        parts.insert(0, package)
    return ".".join(parts)


def task_module_and_name(task: Any) -> tuple[str, str]:
    """Where a task can be imported from: (module, attribute name)."""
    module = getattr(task, "instantiated_in", None) or task.task_function.__module__
    if module == "__main__":
        module = main_module_name()
    return module, getattr(task, "lhs", None) or task.task_function.__name__


def instantiating_module() -> str:
    """The module constructing an object: the first calling frame outside flyte_core."""
    frame = sys._getframe(1)
    while frame is not None and str(frame.f_globals.get("__name__", "")).startswith("flyte_core."):
        frame = frame.f_back  # type: ignore[assignment]
    name = str(frame.f_globals.get("__name__", "__main__")) if frame is not None else "__main__"
    return main_module_name() if name == "__main__" else name


class PythonInstanceTask(PythonTask[T]):
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
        self._task_resolver = task_resolver or default_task_resolver
        self._container_image = kwargs.pop("container_image", None)
        self._instantiated_in = instantiating_module()
        self._found_lhs: str | None = None
        super().__init__(task_type=task_type, name=name, task_config=task_config, **kwargs)

    @property
    def task_resolver(self) -> TaskResolverMixin:
        return self._task_resolver

    @property
    def container_image(self) -> Any:
        return self._container_image

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


class PythonFunctionTask(PythonTask[T]):
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
        container_image: Any = None,
        requests: Resources | None = None,
        limits: Resources | None = None,
        resources: Resources | None = None,
        secret_requests: list[Secret] | None = None,
        pod_template: Any = None,
        pod_template_name: str | None = None,
        accelerator: Any = None,
        shared_memory: bool | str | None = None,
        metadata: TaskMetadata | None = None,
        environment: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        if task_function is None:
            raise ValueError("TaskFunction is a required parameter for PythonFunctionTask")
        self._task_function = task_function
        self._execution_mode = execution_mode
        self._node_dependency_hints = node_dependency_hints
        self._task_resolver = task_resolver or default_task_resolver
        self._container_image = container_image
        self._requests, self._limits = construct_resource_spec(requests, limits, resources)
        self._pod_template = pod_template
        self._accelerator = accelerator
        self._shared_memory = shared_memory
        self._secret_requests = list(secret_requests or [])
        for secret in self._secret_requests:
            if not isinstance(secret, Secret):
                raise FlyteAssertion(f"Secret {secret} should be of type flyte_core.Secret, received {type(secret)}")
        if environment is not None and not isinstance(environment, dict):
            raise FlyteValidationException(f"environment must be a dict of strings, got {environment!r}")
        interface = transform_function_to_interface(
            task_function,
            Docstring(callable_=task_function),
            pickle_untyped=pickle_untyped,
        )
        if ignore_input_vars:
            interface = interface.remove_inputs(ignore_input_vars)
        name = _task_name(task_function)
        metadata = metadata or TaskMetadata()
        if pod_template_name is not None:
            metadata.pod_template_name = pod_template_name
        security = SecurityContext(secrets=self._secret_requests) if self._secret_requests else None
        super().__init__(
            task_type=task_type,
            name=name,
            task_config=task_config,
            interface=interface,
            metadata=metadata,
            environment=environment,
            security_ctx=security,
            **kwargs,
        )
        self._is_async = inspect.iscoroutinefunction(task_function)

    @property
    def task_function(self) -> Callable[..., Any]:
        return self._task_function

    @property
    def execution_mode(self) -> ExecutionBehavior:
        return self._execution_mode

    @property
    def task_resolver(self) -> TaskResolverMixin:
        return self._task_resolver

    @property
    def node_dependency_hints(self) -> Any:
        return self._node_dependency_hints

    @property
    def container_image(self) -> Any:
        return self._container_image

    @property
    def resources(self) -> Any:
        from flyte_core.sdk.resources import ResourceSpec

        return ResourceSpec(requests=self._requests or Resources(), limits=self._limits or Resources())

    @property
    def pod_template(self) -> Any:
        return self._pod_template

    @property
    def accelerator(self) -> Any:
        return self._accelerator

    @property
    def shared_memory(self) -> bool | str | None:
        return self._shared_memory

    @property
    def secret_requests(self) -> list[Secret]:
        return self._secret_requests

    @property
    def instantiated_in(self) -> str:
        return str(self._task_function.__module__)

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
        from flyte_core.sdk.context import ExecutionState, FlyteContextManager

        state = FlyteContextManager.current_context().execution_state
        if state is not None and state.mode in (
            ExecutionState.Mode.EAGER_LOCAL_EXECUTION,
            ExecutionState.Mode.EAGER_EXECUTION,
        ):
            return _awaitable_call(self, args, kwargs)
        return super().__call__(*args, **kwargs)


async def _awaitable_call(entity: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    from flyte_core.sdk.promise import flyte_entity_call_handler

    return flyte_entity_call_handler(entity, *args, **kwargs)


def _task_name(fn: Callable[..., Any]) -> str:
    module = fn.__module__
    if module == "__main__":
        module = main_module_name()
    return f"{module}.{fn.__name__}"

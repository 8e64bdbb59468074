"""The ``@task`` decorator and the lookup of task classes by the type of ``task_config``."""

from __future__ import annotations

import datetime
import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flyte_core.sdk.base_task import TaskMetadata
from flyte_core.sdk.cache import Cache, VersionParameters
from flyte_core.sdk.python_function_task import (
    AsyncPythonFunctionTask,
    ExecutionBehavior,
    PythonFunctionTask,
    TaskResolverMixin,
)
from flyte_core.sdk.resources import Resources
from flyte_core.sdk.security import Secret

if TYPE_CHECKING:
    from flyte_core.plugins.types import FlyteTaskType

_LEGACY_CACHE_KWARGS = frozenset({"cache_serialize", "cache_version", "cache_ignore_input_vars"})


class TaskPlugins:
    """Task classes by ``task_config`` type: plugins register them through ``flyte_task_types``."""

    _PYTHONFUNCTION_TASK_PLUGINS: dict[type, type] = {}
    """Task classes registered from code (flytekit's ``register_pythontask_plugin``): they come first."""
    _found: dict[type, type] = {}
    """Plugins' task classes looked up so far (forgotten when the plugin manager changes)."""

    @classmethod
    def register_pythontask_plugin(cls, plugin_config_type: type, plugin: type) -> None:
        """flytekit API: map a config type to a task class from code."""
        existing = cls._PYTHONFUNCTION_TASK_PLUGINS.get(plugin_config_type)
        if existing is not None and existing is not plugin:
            raise TypeError(
                f"Requesting to register plugin {plugin} - collides with existing plugin {existing} "
                f"for type {plugin_config_type}"
            )
        cls._PYTHONFUNCTION_TASK_PLUGINS[plugin_config_type] = plugin

    @classmethod
    def find_pythontask_plugin(cls, plugin_config_type: type) -> type:
        """The task class for a ``task_config`` type: the registration of the type or its nearest base.

        A config type nothing claims gets the ``python-task`` type's class (``PythonFunctionTask``), as in
        flytekit.
        """
        found = cls._PYTHONFUNCTION_TASK_PLUGINS.get(plugin_config_type) or cls._found.get(plugin_config_type)
        if found is not None:
            return found
        from flyte_core.plugins.lookup import registration_for_type
        from flyte_core.plugins.manager import get_plugin_manager, on_plugin_manager_change

        on_plugin_manager_change(cls._found.clear)
        registrations = get_plugin_manager().task_types()
        registration = registration_for_type(registrations.values(), plugin_config_type, _config_type)
        if registration is None:
            registration = registrations[_PYTHON_TASK]
        task_class = registration.load_task_class()
        cls._found[plugin_config_type] = task_class
        return task_class


_PYTHON_TASK = "builtins.NoneType"
"""The task type of ``@task`` without ``task_config`` (config type ``NoneType``), the built-in python-task's."""


def _config_type(registration: FlyteTaskType) -> type | str:
    return registration.config_type


def task(
    _task_function: Callable[..., Any] | None = None,
    task_config: Any = None,
    cache: bool | Cache = False,
    retries: int = 0,
    interruptible: bool | None = None,
    deprecated: str = "",
    timeout: datetime.timedelta | int = 0,
    container_image: Any = None,
    environment: dict[str, str] | None = None,
    requests: Resources | None = None,
    limits: Resources | None = None,
    secret_requests: list[Secret] | None = None,
    execution_mode: ExecutionBehavior = ExecutionBehavior.DEFAULT,
    node_dependency_hints: Any = None,
    task_resolver: TaskResolverMixin | None = None,
    docs: Any = None,
    disable_deck: bool | None = None,
    enable_deck: bool | None = None,
    deck_fields: tuple[Any, ...] | None = None,
    pod_template: Any = None,
    pod_template_name: str | None = None,
    accelerator: Any = None,
    pickle_untyped: bool = False,
    shared_memory: bool | str | None = None,
    resources: Resources | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    **kwargs: Any,
) -> Any:
    """Make a function a Flyte task: typed inputs and outputs, resources, caching, retries, image...

    Usable bare (``@task``) or with arguments (``@task(cache=True, cache_version="1")``). Calling the task
    runs it locally; inside a ``@workflow`` it becomes a node.
    """
    unknown = set(kwargs) - _LEGACY_CACHE_KWARGS
    if unknown:
        raise ValueError(
            f"Unrecognized argument(s) for task: {', '.join(sorted(unknown))}. Accepted: task_config, cache, "
            "cache_version, cache_serialize, cache_ignore_input_vars, retries, interruptible, deprecated, timeout, "
            "container_image, environment, requests, limits, resources, secret_requests, pod_template, "
            "pod_template_name, accelerator, shared_memory, enable_deck, deck_fields, docs, labels, annotations, "
            "pickle_untyped, execution_mode, node_dependency_hints, task_resolver"
        )
    cache_serialize = kwargs.get("cache_serialize")
    cache_version = kwargs.get("cache_version")
    cache_ignore_input_vars = kwargs.get("cache_ignore_input_vars")

    def wrapper(fn: Callable[..., Any]) -> PythonFunctionTask[Any]:
        cache_value: Any = cache
        serialize, version, ignored = cache_serialize, cache_version, cache_ignore_input_vars
        if isinstance(cache_value, bool) and cache_value and version is None:
            cache_value = Cache(
                serialize=serialize if serialize is not None else False,
                ignored_inputs=tuple(ignored) if ignored is not None else (),
            )
        if isinstance(cache_value, Cache):
            if serialize is not None or version is not None or ignored is not None:
                raise ValueError(
                    "cache_serialize, cache_version, and cache_ignore_input_vars are deprecated. "
                    "Please use Cache object"
                )
            version = cache_value.get_version(
                VersionParameters(
                    func=fn,
                    container_image=container_image,
                    pod_template=pod_template,
                    pod_template_name=pod_template_name,
                )
            )
            serialize = cache_value.serialize
            ignored = cache_value.get_ignored_inputs()
            cache_value = True
        metadata = TaskMetadata(
            cache=bool(cache_value),
            cache_serialize=bool(serialize) if serialize is not None else False,
            cache_version=version if version is not None else "",
            cache_ignore_input_vars=tuple(ignored) if ignored is not None else (),
            retries=retries,
            interruptible=interruptible,
            deprecated=deprecated,
            timeout=timeout,
            labels=labels,
            annotations=annotations,
            generates_deck=bool(enable_deck),
        )
        task_plugin = TaskPlugins.find_pythontask_plugin(type(task_config))
        if inspect.iscoroutinefunction(fn):
            if task_plugin is PythonFunctionTask:
                task_plugin = AsyncPythonFunctionTask
            elif not issubclass(task_plugin, AsyncPythonFunctionTask):
                raise AssertionError(f"Task plugin {task_plugin} is not compatible with async functions")
        task_instance = task_plugin(
            task_config,
            fn,
            metadata=metadata,
            container_image=container_image,
            environment=environment,
            requests=requests,
            limits=limits,
            secret_requests=secret_requests,
            execution_mode=execution_mode,
            node_dependency_hints=node_dependency_hints,
            task_resolver=task_resolver,
            disable_deck=disable_deck,
            enable_deck=enable_deck,
            deck_fields=deck_fields,
            docs=docs,
            pod_template=pod_template,
            pod_template_name=pod_template_name,
            accelerator=accelerator,
            pickle_untyped=pickle_untyped,
            shared_memory=shared_memory,
            resources=resources,
        )
        functools.update_wrapper(task_instance, fn)  # type: ignore[arg-type]
        return task_instance

    if _task_function is not None:
        return wrapper(_task_function)
    return wrapper

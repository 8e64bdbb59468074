"""``@eager``: an async function that calls tasks, workflows and other eager functions as plain Python.

Locally (``EAGER_LOCAL_EXECUTION``) the function runs under asyncio; each entity it calls runs at once
and returns native values: ``add_one(x=1)`` is an ``int``, ``await double(x=1)`` for async tasks and
nested ``@eager`` functions, so ``asyncio.gather`` works; exceptions propagate as they do in flytekit.
Calling an eager function returns a coroutine (``asyncio.run(wf(x=1))``), except inside a workflow or a
dynamic task, where it is a node like any task.

Remotely (``EAGER_EXECUTION``, the eager task in a container) every call launches an execution through
FlyteRemote (:class:`flyte_core.remote.eager.EagerController`) and returns its outputs once it finishes; a call
whose execution fails raises :class:`EagerException`. Stopping the eager task (SIGTERM) stops the executions
it started; when the registered eager workflow fails, its clean-up task stops those still running.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import os
import signal
import threading
import typing
import warnings
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flyte_core.context import ExecutionState, FlyteContext, FlyteContextManager
from flyte_core.exceptions.eager import EagerException
from flyte_core.exceptions.user import FlyteAssertion
from flyte_core.sdk.base_task import TaskMetadata
from flyte_core.sdk.promise import flyte_entity_call_handler
from flyte_core.sdk.python_auto_container import PythonAutoContainerTask
from flyte_core.sdk.python_function_task import AsyncPythonFunctionTask, ExecutionBehavior, TaskResolverMixin

T = TypeVar("T")

# Where calling an eager function makes a node or runs it for promises, rather than returning a coroutine.
_SYNC_CALL_MODES = frozenset(
    {ExecutionState.Mode.LOCAL_WORKFLOW_EXECUTION, ExecutionState.Mode.LOCAL_DYNAMIC_TASK_EXECUTION}
)
_EAGER_MODES = frozenset({ExecutionState.Mode.EAGER_LOCAL_EXECUTION, ExecutionState.Mode.EAGER_EXECUTION})


class EagerAsyncPythonFunctionTask(AsyncPythonFunctionTask[T]):
    """The task ``@eager`` builds: an async function run with asyncio, its calls executed as they happen."""

    def __init__(
        self,
        task_config: T | None,
        task_function: Callable[..., Any],
        task_type: str = "python-task",
        ignore_input_vars: list[str] | None = None,
        task_resolver: TaskResolverMixin | None = None,
        node_dependency_hints: Any = None,
        enable_deck: bool = True,
        **kwargs: Any,
    ) -> None:
        if not inspect.iscoroutinefunction(task_function):
            raise TypeError(
                f"eager workflow '{getattr(task_function, '__qualname__', task_function)}' must be an async "
                "function: declare it with 'async def' and 'await' the async tasks it calls"
            )
        kwargs.pop("execution_mode", None)
        metadata = kwargs.get("metadata")
        if metadata is not None:
            metadata.is_eager = True
        else:
            kwargs["metadata"] = TaskMetadata(is_eager=True)
        super().__init__(
            task_config,
            task_function,
            task_type=task_type,
            ignore_input_vars=ignore_input_vars,
            execution_mode=ExecutionBehavior.EAGER,
            task_resolver=task_resolver,
            node_dependency_hints=node_dependency_hints,
            enable_deck=enable_deck,
            **kwargs,
        )

    def local_execution_mode(self) -> ExecutionState.Mode:
        return ExecutionState.Mode.EAGER_LOCAL_EXECUTION

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """A coroutine of the outputs; inside a workflow or dynamic task, a node (or its promises) as any task."""
        ctx = FlyteContextManager.current_context()
        compiling = ctx.compilation_state is not None and ctx.compilation_state.mode == 1
        state = ctx.execution_state
        if compiling or (state is not None and state.mode in _SYNC_CALL_MODES):
            return flyte_entity_call_handler(self, *args, **kwargs)
        return self._call(*args, **kwargs)

    async def _call(self, *args: Any, **kwargs: Any) -> Any:
        result = flyte_entity_call_handler(self, *args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result

    def execute(self, **kwargs: Any) -> Any:
        """Run the function to completion: locally in eager-local mode, else in (remote) eager mode.

        In eager mode the calls go to the context's worker queue; in a container (none set) that is a
        controller launching them on the backend the task runs on.
        """
        ctx = FlyteContextManager.current_context()
        state = ctx.execution_state
        if state is None:
            state = ctx.new_execution_state()
        if state.is_local_execution():
            eager_ctx = ctx._replace(execution_state=state.with_params(mode=ExecutionState.Mode.EAGER_LOCAL_EXECUTION))
            return _run_coroutine(self._run_body, eager_ctx, kwargs)
        queue = ctx.worker_queue or _controller_for(self.name, ctx)
        eager_ctx = ctx._replace(
            execution_state=state.with_params(mode=ExecutionState.Mode.EAGER_EXECUTION), worker_queue=queue
        )
        with _stopping_launched_executions_on_sigterm(queue, self.name):
            return _run_coroutine(self._run_body, eager_ctx, kwargs)

    async def _run_body(self, ctx: FlyteContext, kwargs: dict[str, Any]) -> Any:
        with FlyteContextManager.with_context(ctx):
            return await self._task_function(**kwargs)

    def get_as_workflow(self) -> Any:
        """The workflow registered for this eager task: one node running it, and a clean-up task on failure.

        Launching the workflow (rather than the task) gives the execution a failure handler that stops
        the executions the eager function started.
        """
        from flyte_core.sdk.imperative import ImperativeWorkflow

        cleanup = EagerFailureHandlerTask(
            name=f"{self.name}-cleanup", container_image=self.container_image, inputs=self.python_interface.inputs
        )
        wf = ImperativeWorkflow(name=self.name)
        inputs = {
            name: wf.add_workflow_input(name, python_type) for name, python_type in self.python_interface.inputs.items()
        }
        node = wf.add_entity(self, **inputs)
        for name in self.python_interface.outputs:
            wf.add_workflow_output(name, node.outputs[name])
        wf.add_on_failure_handler(cleanup)
        return wf

    def __repr__(self) -> str:
        return f"EagerAsyncPythonFunctionTask(name={self.name!r})"


class EagerFailureTaskResolver(TaskResolverMixin):
    """Finds the clean-up task of an eager workflow in a container (``eager failure handler``)."""

    @property
    def location(self) -> str:
        return "flytekit.core.python_function_task.eager_failure_task_resolver"  # flytekit's name on the wire

    def name(self) -> str:
        return "eager_failure_task_resolver"

    def load_task(self, loader_args: list[str]) -> Any:
        return EagerFailureHandlerTask(name="no_input_default_cleanup_task", inputs={})

    def loader_args(self, settings: Any, t: Any) -> list[str]:
        return ["eager", "failure", "handler"]

    def get_all_tasks(self) -> list[Any]:
        return []


eager_failure_task_resolver = EagerFailureTaskResolver()


class EagerFailureHandlerTask(PythonAutoContainerTask[None]):
    """Runs when an eager workflow fails: terminates the executions its eager function started.

    Those executions are labelled ``eager-exec: <execution name>`` (the admin service lists labels as
    execution tags); the backend is found with ``Config.auto()``, as the eager task found it.
    """

    _TASK_TYPE = "eager_failure_handler_task"

    def __init__(self, name: str, container_image: Any = None, inputs: dict[str, Any] | None = None, **kwargs: Any):
        from flyte_core.sdk.interface import Interface

        super().__init__(
            task_type=self._TASK_TYPE,
            name=name,
            container_image=container_image,
            interface=Interface(inputs=inputs or {}, outputs=None),
            task_config=None,
            task_resolver=eager_failure_task_resolver,
            **kwargs,
        )

    def dispatch_execute(self, ctx: FlyteContext, input_literal_map: Any) -> Any:
        from flyteidl.core import literals_pb2

        from flyte_core.context import FlyteContextManager

        params = FlyteContextManager.current_context().user_space_params
        execution = params.execution_id if params is not None else None
        if execution is None or not execution.name:
            raise FlyteAssertion(
                f"eager clean-up task '{self.name}' has no execution id, so it cannot tell which executions to "
                "stop: it runs on a Flyte backend, after its eager workflow failed"
            )
        from flyte_core.remote.eager import EAGER_TAG_KEY, terminate_tagged_executions

        terminate_tagged_executions(
            execution, tag_key=EAGER_TAG_KEY, reason=f"eager workflow execution {execution.name} failed"
        )
        return literals_pb2.LiteralMap()


def _run_coroutine(
    fn: Callable[[FlyteContext, dict[str, Any]], Coroutine[Any, Any, T]], ctx: FlyteContext, kwargs: dict[str, Any]
) -> T:
    """Run ``fn(ctx, kwargs)`` to completion from sync code, in a fresh event loop that sees this context.

    Inside a running loop (an eager function called from another one, or from ``asyncio.run``) the new
    loop runs in a thread that starts from a copy of the current context variables.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(fn(ctx, kwargs))
    context = contextvars.copy_context()
    outcome: list[tuple[bool, Any]] = []

    def _target() -> None:
        try:
            outcome.append((True, context.run(asyncio.run, fn(ctx, kwargs))))
        except BaseException as exc:
            outcome.append((False, exc))

    thread = threading.Thread(target=_target, name="flyte-eager")
    thread.start()
    thread.join()
    ok, value = outcome[0]
    if not ok:
        raise value
    return typing.cast(T, value)


class _NoRemote:
    """The worker queue of a remote eager execution that cannot launch anything; calls fail with ``reason``."""

    def __init__(self, eager_name: str, reason: str) -> None:
        self.eager_name = eager_name
        self.reason = reason


def _controller_for(eager_name: str, ctx: FlyteContext) -> Any:
    """The controller launching the calls of eager task ``eager_name`` running in ``ctx`` (a container)."""
    from flyte_core.remote.eager import EagerController

    try:
        return EagerController.for_task_execution(ctx)
    except FlyteAssertion as exc:  # reported when a call is made, naming what was called
        return _NoRemote(eager_name, str(exc))


@contextmanager
def _stopping_launched_executions_on_sigterm(queue: Any, eager_name: str) -> Iterator[None]:
    """While the block runs, SIGTERM (the backend stopping the task) first stops the executions ``queue`` started.

    Signal handlers belong to the main thread; elsewhere (or for a queue that cannot stop anything) this does
    nothing.
    """
    stop = getattr(queue, "terminate_running", None)
    if stop is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)

    def _on_sigterm(signum: int, frame: Any) -> None:
        stop(f"eager task '{eager_name}' was stopped")
        signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
        if callable(previous):
            previous(signum, frame)
        elif previous != signal.SIG_IGN:
            os.kill(os.getpid(), signum)

    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def call_in_eager(ctx: FlyteContext, entity: Any, kwargs: dict[str, Any]) -> Any:
    """What calling ``entity`` inside a remote eager execution does: hand it to the worker queue.

    ``ctx.worker_queue.add(entity, input_kwargs=...)`` (flytekit's protocol) returns an awaitable of the
    outputs. Calls of ``async`` entities (tasks and nested eager functions) are awaited by their caller, so
    ``asyncio.gather`` runs them at once; for any other entity the call waits here and returns the outputs.
    """
    queue = ctx.worker_queue
    add = getattr(queue, "add", None)
    if add is None:
        eager_name = getattr(queue, "eager_name", None)
        where = f"eager workflow '{eager_name}'" if eager_name else "an eager workflow"
        reason = getattr(queue, "reason", None) or "this context has no worker queue to launch it with"
        raise FlyteAssertion(
            f"{where} called '{getattr(entity, 'name', entity)}' in remote eager execution (EAGER_EXECUTION): {reason}"
        )
    pending = add(entity, input_kwargs=kwargs)
    if isinstance(entity, AsyncPythonFunctionTask) or not inspect.isawaitable(pending):
        return pending

    async def _wait(ctx: FlyteContext, _: dict[str, Any]) -> Any:
        return await pending

    return _run_coroutine(_wait, ctx, {})


_TASK_METADATA_ARGS = frozenset(
    {"cache", "cache_version", "cache_serialize", "cache_ignore_input_vars", "retries", "interruptible", "deprecated"}
    | {"timeout", "labels", "annotations"}
)
_TASK_ARGS = frozenset(
    {
        "container_image",
        "environment",
        "requests",
        "limits",
        "resources",
        "secret_requests",
        "pod_template",
        "pod_template_name",
        "accelerator",
        "shared_memory",
        "docs",
        "deck_fields",
        "pickle_untyped",
        "node_dependency_hints",
        "task_resolver",
        "ignore_input_vars",
        "metadata",
    }
)


def eager(_fn: Callable[..., Any] | None = None, *args: Any, **kwargs: Any) -> Any:
    """Make an async function an eager workflow: its task calls run as they happen, with plain Python around them.

    Usable bare (``@eager``) or with ``@task``'s arguments (``@eager(retries=2, container_image=...)``).

    ```python
    @eager
    async def eager_wf(x: int) -> int:
        out = add_one(x=x)
        return await double_async(x=out)

    asyncio.run(eager_wf(x=1))
    ```
    """
    if _fn is None:
        return functools.partial(eager, **kwargs)
    kwargs.pop("enable_deck", None)
    metadata_args = {k: kwargs.pop(k) for k in list(kwargs) if k in _TASK_METADATA_ARGS}
    unknown = sorted(set(kwargs) - _TASK_ARGS)
    if unknown:
        warnings.warn(
            f"eager workflow '{getattr(_fn, '__qualname__', _fn)}': ignoring argument(s) {', '.join(unknown)} "
            "(flytekit's experimental eager took them to build its FlyteRemote; this eager finds the backend with "
            "Config.auto() where the eager task runs)",
            UserWarning,
            stacklevel=2,
        )
        for key in unknown:
            kwargs.pop(key)
    if metadata_args and "metadata" not in kwargs:
        kwargs["metadata"] = _task_metadata(_fn, kwargs.get("container_image"), **metadata_args)
    eager_task: EagerAsyncPythonFunctionTask[None] = EagerAsyncPythonFunctionTask(
        task_config=None, task_function=_fn, enable_deck=True, **kwargs
    )
    functools.update_wrapper(eager_task, _fn)
    return eager_task


def _task_metadata(
    fn: Callable[..., Any],
    container_image: Any,
    cache: Any = False,
    cache_version: str | None = None,
    cache_serialize: bool = False,
    cache_ignore_input_vars: tuple[str, ...] = (),
    **others: Any,
) -> TaskMetadata:
    """``TaskMetadata`` from ``@task``-style arguments (``cache=Cache(...)`` included)."""
    from flyte_core.sdk.cache import Cache, VersionParameters

    if isinstance(cache, Cache):
        cache_version = cache.get_version(VersionParameters(func=fn, container_image=container_image))
        cache_serialize = cache.serialize
        cache_ignore_input_vars = tuple(cache.get_ignored_inputs())
        cache = True
    return TaskMetadata(
        cache=bool(cache),
        cache_version=cache_version or "",
        cache_serialize=cache_serialize,
        cache_ignore_input_vars=tuple(cache_ignore_input_vars),
        is_eager=True,
        **others,
    )


__all__ = [
    "EagerAsyncPythonFunctionTask",
    "EagerException",
    "EagerFailureHandlerTask",
    "EagerFailureTaskResolver",
    "call_in_eager",
    "eager",
    "eager_failure_task_resolver",
]

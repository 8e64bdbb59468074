"""``map_task``: run a task once per element of its list inputs (a flyteidl ``ArrayNode``).

``map_task(square)`` is a task whose inputs are lists of the mapped task's inputs (except the ones bound
with ``functools.partial``) and whose output is the list of its outputs (``list[T | None]`` when some
items may fail, ``min_success_ratio < 1``). Its name, interface and ``ArrayNode`` are flytekit's, so a
workflow using it serializes to the same protobuf.

Locally the whole list is converted once (the bulk literal path), the mapped task's ``execute`` is called
per item in order, and the list of results is converted once. In a container
(``pyflyte-map-execute``) one item runs: the one of the array job index.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import os
import sys
import typing
from collections.abc import Iterator
from typing import Any

from flyteidl.core import literals_pb2

from flyte_core.context import ExecutionState, FlyteContext, FlyteContextManager
from flyte_core.sdk.base_task import PythonTask
from flyte_core.sdk.interface import Interface, transform_interface_to_list_interface
from flyte_core.sdk.locations import load_location
from flyte_core.sdk.python_auto_container import EXECUTE_TEMPLATE
from flyte_core.sdk.python_function_task import (
    ExecutionBehavior,
    PythonFunctionTask,
    PythonInstanceTask,
    TaskResolverMixin,
    task_module_and_name,
)
from flyte_core.types.type_engine import TypeEngine, TypeTransformerFailedError, value_repr

if typing.TYPE_CHECKING:
    from flyteidl.core import identifier_pb2, workflow_pb2

_MAP_EXECUTE_TEMPLATE = ["pyflyte-map-execute", *EXECUTE_TEMPLATE, "--resolver"]


class ArrayNodeMapTask(PythonTask[Any]):
    """A task mapping ``python_function_task`` over lists: the entity ``map_task`` returns.

    ``bound_inputs`` are inputs given one value for every item (from ``functools.partial`` or, in a
    container, from the resolver's arguments); every other input is a list with one value per item.
    """

    def __init__(
        self,
        python_function_task: PythonFunctionTask[Any] | PythonInstanceTask[Any] | functools.partial[Any],
        concurrency: int | None = None,
        min_successes: int | None = None,
        min_success_ratio: float | None = None,
        bound_inputs: set[str] | None = None,
        bound_inputs_values: dict[str, Any] | None = None,
        run_all_sub_nodes: bool = False,
        **kwargs: Any,
    ) -> None:
        self._partial: functools.partial[Any] | None = None
        if isinstance(python_function_task, functools.partial):
            if python_function_task.args:
                raise ValueError(
                    f"map_task({_describe(python_function_task.func)}): functools.partial binds positional "
                    f"arguments {python_function_task.args!r}; bind inputs by name instead, e.g. "
                    "functools.partial(t, y=3)"
                )
            self._partial = python_function_task
            actual_task: Any = python_function_task.func
        else:
            actual_task = python_function_task
        if not _is_mappable(actual_task):
            raise ValueError(
                "Only PythonFunctionTask with default execution mode (not @dynamic or @eager) and PythonInstanceTask "
                f"are supported in map tasks: map_task got {_describe(actual_task)}. To map over a workflow, map over "
                "its launch plan: map_task(LaunchPlan.get_or_create(wf))"
            )
        n_outputs = len(actual_task.python_interface.outputs)
        if n_outputs > 1:
            raise ValueError(
                f"Only tasks with a single output are supported in map tasks: task '{actual_task.name}' has "
                f"{n_outputs} outputs ({', '.join(actual_task.python_interface.outputs)}); return one value "
                "(a dataclass or a dict can hold several)"
            )
        if bound_inputs and bound_inputs_values and set(bound_inputs) != set(bound_inputs_values):
            raise ValueError("bound_inputs and bound_inputs_values should have the same keys if both set")
        self._bound_inputs: set[str] = set(bound_inputs) if bound_inputs else set()
        if self._partial is not None:
            self._bound_inputs.update(self._partial.keywords)
        self._bound_inputs_values: dict[str, Any] = dict(bound_inputs_values) if bound_inputs_values else {}
        self._bound_inputs.update(self._bound_inputs_values)

        optional_outputs = min_success_ratio is not None and min_success_ratio != 1 and n_outputs == 1
        collection_interface = transform_interface_to_list_interface(
            actual_task.python_interface, self._bound_inputs, set(), optional_outputs
        )
        self._run_task: Any = actual_task
        module, short_name = _module_and_short_name(actual_task)
        digest = hashlib.md5(
            f"{','.join(sorted(self._bound_inputs))}{concurrency}{min_successes}{min_success_ratio}".encode()
        ).hexdigest()
        name = f"{module}.map_{short_name}_{digest}-arraynode"
        self._concurrency = concurrency
        self._min_successes = min_successes
        self._min_success_ratio = min_success_ratio
        self._run_all_sub_nodes = run_all_sub_nodes
        self._collection_interface = collection_interface
        # flytekit: plain task classes keep the minimal state in the ArrayNode, subclasses (plugins) the full one.
        inner_class = type(actual_task)
        self._execution_mode = 0 if inner_class in (PythonFunctionTask, PythonInstanceTask) else 1
        if "metadata" not in kwargs and actual_task.metadata:
            kwargs["metadata"] = actual_task.metadata
        if "security_ctx" not in kwargs and actual_task.security_context:
            kwargs["security_ctx"] = actual_task.security_context
        kwargs.pop("max_concurrency", None)
        super().__init__(
            name=name,
            interface=collection_interface,
            task_type=actual_task.task_type,
            task_config=None,
            task_type_version=1,
            **kwargs,
        )
        self._mapped_names = [k for k in actual_task.python_interface.inputs if k not in self._bound_inputs]
        self._cmd_prefix: list[str] | None = None

    # -- what the serializer reads ---------------------------------------------------------------

    @property
    def python_interface(self) -> Interface:
        return self._collection_interface

    @property
    def python_function_task(self) -> Any:
        """The task run for each item."""
        return self._run_task

    @property
    def bound_inputs(self) -> set[str]:
        return self._bound_inputs

    @property
    def concurrency(self) -> int | None:
        return self._concurrency

    @property
    def min_successes(self) -> int | None:
        return self._min_successes

    @property
    def min_success_ratio(self) -> float | None:
        return self._min_success_ratio

    @property
    def run_all_sub_nodes(self) -> bool:
        return self._run_all_sub_nodes

    @property
    def execution_mode(self) -> int:
        """``flyteidl.core.ArrayNode.ExecutionMode``: MINIMAL_STATE (0) or FULL_STATE (1)."""
        return self._execution_mode

    @property
    def is_original_sub_node_interface(self) -> bool:
        return False

    @property
    def sub_node_metadata(self) -> workflow_pb2.NodeMetadata:
        """Metadata of the node inside the ArrayNode: the mapped task's, named after the map task."""
        metadata = super().construct_node_metadata()
        metadata.name = self.name
        return typing.cast("workflow_pb2.NodeMetadata", metadata)

    def construct_node_metadata(self) -> workflow_pb2.NodeMetadata:
        """Metadata of the workflow node holding the ArrayNode."""
        from flyteidl.core import workflow_pb2

        metadata = workflow_pb2.NodeMetadata(name=self.name)
        metadata.retries.SetInParent()
        return metadata

    def to_array_node_idl(
        self,
        bindings: list[literals_pb2.Binding],
        task_id: identifier_pb2.Identifier,
        overrides: workflow_pb2.TaskNodeOverrides | None = None,
        sub_node_metadata: workflow_pb2.NodeMetadata | None = None,
    ) -> workflow_pb2.ArrayNode:
        """The ``ArrayNode`` of a workflow node calling this map task (``task_id`` = this task's registered id)."""
        from flyteidl.core import workflow_pb2
        from google.protobuf import wrappers_pb2

        task_node = workflow_pb2.TaskNode(reference_id=task_id)
        task_node.overrides.SetInParent()
        if overrides is not None:
            task_node.overrides.CopyFrom(overrides)
        sub_node = workflow_pb2.Node(
            id=self.name,
            metadata=sub_node_metadata if sub_node_metadata is not None else self.sub_node_metadata,
            inputs=list(bindings),
            task_node=task_node,
        )
        array_node = workflow_pb2.ArrayNode(
            node=sub_node,
            execution_mode=self._execution_mode,
            is_original_sub_node_interface=wrappers_pb2.BoolValue(value=False),
            bound_inputs=sorted(self._bound_inputs),
            run_all_sub_nodes=self._run_all_sub_nodes,
        )
        if self._concurrency is not None:
            array_node.parallelism = self._concurrency
        # flytekit sets both fields of the oneof, the ratio last: the ratio wins when both are given.
        if self._min_success_ratio is not None:
            array_node.min_success_ratio = self._min_success_ratio
        elif self._min_successes is not None:
            array_node.min_successes = self._min_successes
        return array_node

    def get_command(self, settings: Any) -> list[str]:
        """The container arguments: ``pyflyte-map-execute ... --resolver <map resolver> -- <loader args>``."""
        resolver = ArrayNodeMapTaskResolver()
        command = [*_MAP_EXECUTE_TEMPLATE, resolver.name(), "--", *resolver.loader_args(settings, self)]
        return [*self._cmd_prefix, *command] if self._cmd_prefix else command

    def set_command_prefix(self, cmd: list[str] | None) -> None:
        """Arguments put before ``pyflyte-map-execute`` (fast registration's ``pyflyte-fast-execute ... --``)."""
        self._cmd_prefix = cmd

    @contextlib.contextmanager
    def prepare_target(self) -> Iterator[None]:
        """While open, the mapped task serializes with this map task's command."""
        self._run_task.set_command_fn(self.get_command)
        try:
            yield
        finally:
            self._run_task.reset_command_fn()

    def get_container(self, settings: Any) -> Any:
        with self.prepare_target():
            return self._run_task.get_container(settings)

    def get_k8s_pod(self, settings: Any) -> Any:
        with self.prepare_target():
            return self._run_task.get_k8s_pod(settings)

    def get_custom(self, settings: Any) -> dict[str, Any] | None:
        return self._run_task.get_custom(settings) or {}

    def get_config(self, settings: Any) -> dict[str, str] | None:
        with self.prepare_target():
            return typing.cast("dict[str, str] | None", self._run_task.get_config(settings))

    def get_extended_resources(self, settings: Any) -> Any:
        return self._run_task.get_extended_resources(settings)

    @property
    def container_image(self) -> Any:
        return getattr(self._run_task, "container_image", None)

    @property
    def environment(self) -> dict[str, str]:
        return typing.cast("dict[str, str]", getattr(self._run_task, "environment", {}))

    # -- calling and running --------------------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call with lists for the mapped inputs; ``functools.partial`` values fill the bound ones."""
        if self._partial is not None:
            kwargs = {**self._partial.keywords, **kwargs}
        if self._bound_inputs_values:
            kwargs.update(self._bound_inputs_values)
        return super().__call__(*args, **kwargs)

    def _literal_map_to_python_input(self, literal_map: literals_pb2.LiteralMap, ctx: FlyteContext) -> dict[str, Any]:
        state = ctx.execution_state
        if state is None or state.mode is not ExecutionState.Mode.TASK_EXECUTION:
            return super()._literal_map_to_python_input(literal_map, ctx)
        index = _array_job_index()
        run_types = self._run_task.python_interface.inputs
        native = {}
        for name, literal in literal_map.literals.items():
            if literal.HasField("offloaded_metadata"):
                literal = _load_offloaded_literal(ctx, literal)
            if name not in self._bound_inputs:
                if not literal.HasField("collection"):
                    raise ValueError(
                        f"map task '{self.name}' input '{name}': expected a list of literals, got a "
                        f"{literal.WhichOneof('value')} literal"
                    )
                items = literal.collection.literals
                if index >= len(items):
                    raise IndexError(
                        f"map task '{self.name}' input '{name}': array job index {index} is out of range "
                        f"({len(items)} items)"
                    )
                literal = items[index]
            native[name] = TypeEngine.to_python_value(ctx, literal, run_types[name])
        return native

    def _output_to_literal_map(
        self, native_outputs: Any, ctx: FlyteContext
    ) -> tuple[literals_pb2.LiteralMap, dict[str, Any]]:
        state = ctx.execution_state
        if state is not None and state.mode is ExecutionState.Mode.TASK_EXECUTION:
            return typing.cast(
                "tuple[literals_pb2.LiteralMap, dict[str, Any]]",
                self._run_task._output_to_literal_map(native_outputs, ctx),
            )
        try:
            return super()._output_to_literal_map(native_outputs, ctx)
        except TypeTransformerFailedError as exc:
            if isinstance(native_outputs, list) and None in native_outputs:
                raise TypeTransformerFailedError(
                    f"{exc}: failed items give None, which only a list of Optional values holds; set "
                    "min_success_ratio below 1 (the output becomes list[T | None]) rather than min_successes alone"
                ) from exc
            raise

    def get_type_for_output_var(self, k: str, v: Any) -> type:
        state = FlyteContextManager.current_context().execution_state
        if state is not None and state.is_local_execution():
            return typing.cast(type, self._collection_interface.outputs[k])
        return typing.cast(type, self._run_task.python_interface.outputs[k])

    def execute(self, **kwargs: Any) -> Any:
        """In a container: run the one item of this array job; locally: run every item, in order."""
        state = FlyteContextManager.current_context().execution_state
        if state is not None and state.mode is ExecutionState.Mode.TASK_EXECUTION:
            return self._run_task.execute(**kwargs)
        return self._raw_execute(**kwargs)

    def _raw_execute(self, **kwargs: Any) -> list[Any]:
        """Every item's result (None for a failed item while enough items succeed)."""
        mapped = [k for k in self._mapped_names if isinstance(kwargs.get(k), list)]
        count = len(kwargs[mapped[0]]) if mapped else 0
        for name in mapped[1:]:
            if len(kwargs[name]) < count:
                raise IndexError(
                    f"input '{name}' has {len(kwargs[name])} items but '{mapped[0]}' has {count}: every mapped "
                    "input needs one value per item"
                )
        min_successes = count
        if self._min_successes:
            min_successes = self._min_successes
        elif self._min_success_ratio:
            min_successes = math.ceil(count * self._min_success_ratio)
        outputs_expected = bool(self._collection_interface.outputs)
        run = self._run_task.execute
        fixed = {k: v for k, v in kwargs.items() if k not in mapped}
        outputs: list[Any] = []
        append = outputs.append
        failed = 0
        if len(mapped) == 1 and not fixed:
            name = mapped[0]
            items: Any = ({name: v} for v in kwargs[name])
        else:
            columns = [kwargs[k] for k in mapped]
            items = ({**fixed, **dict(zip(mapped, values, strict=False))} for values in zip(*columns, strict=False))
        for index, item in enumerate(items):
            try:
                result = run(**item)
            except Exception as exc:
                append(None)
                failed += 1
                if count - failed < min_successes:
                    _annotate(exc, index, count, failed, min_successes, {k: item[k] for k in mapped})
                    raise
                continue
            if outputs_expected:
                append(result)
        return outputs

    def __repr__(self) -> str:
        return f"ArrayNodeMapTask(name={self.name!r}, task={self._run_task.name!r})"


def _annotate(exc: Exception, index: int, count: int, failed: int, needed: int, inputs: dict[str, Any]) -> None:
    """Say which item failed and why the map task fails with it (the exception type stays the user's)."""
    shown = ", ".join(f"{k}={_short_repr(v)}" for k, v in inputs.items())
    reason = (
        f"{failed} of {count} items failed, at least {needed} must succeed"
        if failed > 1 or needed < count
        else "every item must succeed"
    )
    exc.args = (f"{exc}\n  (map item {index} of {count}, inputs {shown}; {reason})", *exc.args[1:])


def _short_repr(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_mappable(entity: Any) -> bool:
    if isinstance(entity, PythonFunctionTask):
        return entity.execution_mode is ExecutionBehavior.DEFAULT
    return isinstance(entity, PythonInstanceTask)


def _describe(entity: Any) -> str:
    name = getattr(entity, "name", None)
    kind = type(entity).__name__
    return f"{kind} '{name}'" if isinstance(name, str) else f"{kind} {value_repr(entity, 60)}"


def _module_and_short_name(task: Any) -> tuple[str, str]:
    """flytekit's parts of the map task name: the function's module and name (instance tasks: type and lhs)."""
    if isinstance(task, PythonInstanceTask):
        return task.task_type, getattr(task, "lhs", None) or task.name.rsplit(".", 1)[-1]
    return task_module_and_name(task)


def _array_job_index() -> int:
    """The index of this array job: the backend's index variable plus the optional offset."""
    offset = int(os.environ.get("BATCH_JOB_ARRAY_INDEX_OFFSET", "0"))
    return offset + int(os.environ.get(os.environ.get("BATCH_JOB_ARRAY_INDEX_VAR_NAME", "0"), "0"))


def _load_offloaded_literal(ctx: FlyteContext, literal: literals_pb2.Literal) -> literals_pb2.Literal:
    local = ctx.file_access.get_random_local_path()
    ctx.file_access.get_data(literal.offloaded_metadata.uri, local)
    with open(local, "rb") as f:
        return literals_pb2.Literal.FromString(f.read())


def map_task(
    target: Any,
    concurrency: int | None = None,
    min_successes: int | None = None,
    min_success_ratio: float = 1.0,
    run_all_sub_nodes: bool = False,
    **kwargs: Any,
) -> Any:
    """Map a task (or a ``functools.partial`` of one) or a launch plan over lists of inputs.

    Args:
        target: the task, ``functools.partial(task, fixed=...)``, launch plan or reference task.
        concurrency: how many items may run at once on the backend (None: the workflow's parallelism).
        min_successes: how many items must succeed.
        min_success_ratio: which fraction of the items must succeed; below 1 the outputs are ``list[T | None]``.
        run_all_sub_nodes: keep running the other items after the failure threshold is reached.
    """
    if _may_be_array_node_target():
        from flyte_core.sdk.array_node import array_node, is_array_node_target

        if is_array_node_target(target):
            return array_node(
                target=target,
                concurrency=concurrency,
                min_successes=min_successes,
                min_success_ratio=min_success_ratio,
                run_all_sub_nodes=run_all_sub_nodes,
            )
    return ArrayNodeMapTask(
        target,
        concurrency=concurrency,
        min_successes=min_successes,
        min_success_ratio=min_success_ratio,
        run_all_sub_nodes=run_all_sub_nodes,
        **kwargs,
    )


def _may_be_array_node_target() -> bool:
    """Launch plans and reference tasks exist only once their modules are imported."""
    return "flyte_core.sdk.launch_plan" in sys.modules or "flyte_core.sdk.reference" in sys.modules


def array_node_map_task(
    task_function: Any,
    concurrency: int | None = None,
    min_success_ratio: float = 1.0,
    run_all_sub_nodes: bool = False,
    **kwargs: Any,
) -> ArrayNodeMapTask:
    """flytekit's older spelling of ``map_task`` for tasks (no ``min_successes`` argument)."""
    return ArrayNodeMapTask(
        task_function,
        concurrency=concurrency,
        min_success_ratio=min_success_ratio,
        run_all_sub_nodes=run_all_sub_nodes,
        **kwargs,
    )


class ArrayNodeMapTaskResolver(TaskResolverMixin):
    """Finds a map task again in a container: ``vars <bound,vars> resolver <inner resolver> <inner args...>``.

    The inner task is loaded with its own resolver; the bound inputs rebuild the map task's interface.
    """

    @property
    def location(self) -> str:
        return self.name()

    def name(self) -> str:
        return "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver"

    def load_task(self, loader_args: list[str], max_concurrency: int = 0) -> ArrayNodeMapTask:
        if len(loader_args) < 4 or loader_args[0] != "vars" or loader_args[2] != "resolver":
            raise ValueError(
                "map task loader arguments must be 'vars <bound,vars> resolver <location> <args...>', "
                f"got {loader_args!r}"
            )
        _, bound_vars, _, resolver, *resolver_args = loader_args
        inner = load_location(resolver)
        if isinstance(inner, type):
            inner = inner()
        task = inner.load_task(loader_args=resolver_args)
        bound_inputs = {v for v in bound_vars.split(",") if v}
        return ArrayNodeMapTask(python_function_task=task, bound_inputs=bound_inputs)

    def loader_args(self, settings: Any, t: ArrayNodeMapTask) -> list[str]:
        inner = t.python_function_task
        return [
            "vars",
            ",".join(sorted(t.bound_inputs)),
            "resolver",
            inner.task_resolver.location,
            *inner.task_resolver.loader_args(settings, inner),
        ]

    def get_all_tasks(self) -> list[Any]:
        raise NotImplementedError("MapTask resolver cannot return every instance of the map task")


__all__ = ["ArrayNodeMapTask", "ArrayNodeMapTaskResolver", "map_task"]

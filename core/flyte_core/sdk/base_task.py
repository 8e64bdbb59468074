"""Tasks: metadata, the Python-native task base, and how a task runs on literal inputs.

``PythonTask.dispatch_execute`` is the one place a task runs, locally and in a container: literal
inputs -> Python values -> ``execute`` -> Python outputs -> literal outputs.
"""

from __future__ import annotations

import datetime
import typing
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flyteidl.core import interface_pb2, literals_pb2

from flyte_core.context import (
    ExecutionParameters,
    ExecutionState,
    FlyteContext,
    FlyteContextManager,
    FlyteEntities,
)
from flyte_core.exceptions.system import (
    FlyteDownloadDataException,
    FlyteNonRecoverableSystemException,
    FlyteUploadDataException,
)
from flyte_core.exceptions.user import FlyteUserRuntimeException
from flyte_core.sdk.interface import Interface
from flyte_core.sdk.promise import (
    Promise,
    VoidPromise,
    create_task_output,
    flyte_entity_call_handler,
    translate_inputs_to_literals,
)
from flyte_core.types.type_engine import TypeEngine, TypeTransformerFailedError, type_name, value_repr

T = TypeVar("T")


def kwtypes(**kwargs: Any) -> OrderedDict[str, type]:
    """An ordered mapping of names to types, e.g. for SQL tasks' inputs or StructuredDataset columns."""
    return OrderedDict(kwargs)


@dataclass
class TaskMetadata:
    """How a task runs: caching, retries, timeout, interruptible, deprecation, pod template name..."""

    cache: bool = False
    cache_serialize: bool = False
    cache_version: str = ""
    cache_ignore_input_vars: tuple[str, ...] = ()
    interruptible: bool | None = None
    deprecated: str = ""
    retries: int = 0
    timeout: datetime.timedelta | int | None = None
    pod_template_name: str | None = None
    generates_deck: bool = False
    is_eager: bool = False
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None

    def __post_init__(self) -> None:
        if self.timeout:
            if isinstance(self.timeout, int):
                self.timeout = datetime.timedelta(seconds=self.timeout)
            elif not isinstance(self.timeout, datetime.timedelta):
                raise ValueError("timeout should be duration represented as either a datetime.timedelta or int seconds")
        if self.cache and not self.cache_version:
            raise ValueError("Caching is enabled ``cache=True`` but ``cache_version`` is not set.")
        if self.cache_serialize and not self.cache:
            raise ValueError("Cache serialize is enabled ``cache_serialize=True`` but ``cache`` is not enabled.")
        if self.cache_ignore_input_vars and not self.cache:
            raise ValueError(
                f"Cache ignore input vars are specified ``cache_ignore_input_vars={self.cache_ignore_input_vars}`` "
                "but ``cache`` is not enabled."
            )
        if not isinstance(self.retries, int) or isinstance(self.retries, bool) or self.retries < 0:
            raise ValueError(f"retries must be a non-negative integer, got {self.retries!r}")

    def to_taskmetadata_model(self) -> Any:
        """``flyteidl.core.TaskMetadata``, with this SDK as the runtime."""
        from flyteidl.core import tasks_pb2

        from flyte_core._version import __version__

        metadata = tasks_pb2.TaskMetadata(
            discoverable=self.cache,
            runtime=tasks_pb2.RuntimeMetadata(
                type=tasks_pb2.RuntimeMetadata.RuntimeType.FLYTE_SDK, version=__version__, flavor="python"
            ),
            discovery_version=self.cache_version or "",
            deprecated_error_message=self.deprecated or "",
            cache_serializable=self.cache_serialize,
            pod_template_name=self.pod_template_name or "",
            cache_ignore_input_vars=list(self.cache_ignore_input_vars),
            is_eager=self.is_eager,
        )
        metadata.retries.retries = self.retries
        if self.timeout:
            metadata.timeout.FromTimedelta(self.timeout)  # type: ignore[arg-type]
        if self.interruptible is not None:
            metadata.interruptible = self.interruptible
        metadata.generates_deck.value = self.generates_deck
        metadata.metadata.SetInParent()
        metadata.metadata.labels.update(self.labels or {})
        metadata.metadata.annotations.update(self.annotations or {})
        return metadata


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


class IgnoreOutputs(Exception):
    """Raised by a task to tell the engine that it wrote no outputs (distributed training workers...)."""


class Task:
    """The base of every task: a name, a task type, a typed interface and metadata."""

    def __init__(
        self,
        task_type: str,
        name: str,
        interface: interface_pb2.TypedInterface | None = None,
        metadata: TaskMetadata | None = None,
        task_type_version: int = 0,
        security_ctx: Any = None,
        docs: Any = None,
        **kwargs: Any,
    ) -> None:
        self._task_type = task_type
        self._name = name
        self._typed_interface = interface
        self._metadata = metadata if metadata else TaskMetadata()
        self._task_type_version = task_type_version
        self._security_ctx = security_ctx
        self._docs = docs
        FlyteEntities.entities.append(self)

    @property
    def name(self) -> str:
        return self._name

    @property
    def task_type(self) -> str:
        return self._task_type

    @property
    def task_type_version(self) -> int:
        return self._task_type_version

    @property
    def metadata(self) -> TaskMetadata:
        return self._metadata

    @property
    def security_context(self) -> Any:
        return self._security_ctx

    @property
    def docs(self) -> Any:
        return self._docs

    @property
    def interface(self) -> interface_pb2.TypedInterface:
        if self._typed_interface is None:
            self._typed_interface = interface_pb2.TypedInterface()
        return self._typed_interface

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return flyte_entity_call_handler(self, *args, **kwargs)

    def local_execution_mode(self) -> ExecutionState.Mode:
        return ExecutionState.Mode.LOCAL_TASK_EXECUTION

    def get_type_for_input_var(self, k: str, v: Any) -> type:
        raise NotImplementedError

    def get_type_for_output_var(self, k: str, v: Any) -> type:
        raise NotImplementedError

    def get_input_types(self) -> dict[str, type] | None:
        return None

    def get_custom(self, settings: Any) -> dict[str, Any] | None:
        """The task type's plugin-specific configuration (``TaskTemplate.custom``)."""
        return None

    def get_config(self, settings: Any) -> dict[str, str] | None:
        """``TaskTemplate.config``: string settings for backend plugins."""
        return None

    def get_container(self, settings: Any) -> Any:
        return None

    def get_k8s_pod(self, settings: Any) -> Any:
        return None

    def get_sql(self, settings: Any) -> Any:
        return None

    def get_extended_resources(self, settings: Any) -> Any:
        return None

    def pre_execute(self, user_params: ExecutionParameters | None) -> ExecutionParameters | None:
        """Called before inputs are converted and ``execute`` runs; plugins set up sessions here."""
        return user_params

    def post_execute(self, user_params: ExecutionParameters | None, rval: Any) -> Any:
        """Called after ``execute`` with its result; returns the (possibly changed) result."""
        return rval

    def execute(self, **kwargs: Any) -> Any:
        raise NotImplementedError

    def dispatch_execute(self, ctx: FlyteContext, input_literal_map: literals_pb2.LiteralMap) -> Any:
        raise NotImplementedError

    def sandbox_execute(self, ctx: FlyteContext, input_literal_map: literals_pb2.LiteralMap) -> Any:
        """Run ``dispatch_execute`` in a fresh per-task working directory."""
        params = ctx.user_space_params
        if params is None:
            return self.dispatch_execute(ctx, input_literal_map)
        task_params = _TaskSandboxParams.wrap(params)
        state = ctx.execution_state.with_params(user_space_params=task_params)  # type: ignore[union-attr]
        return self.dispatch_execute(ctx._replace(execution_state=state), input_literal_map)

    def local_execute(self, ctx: FlyteContext, **kwargs: Any) -> Any:
        """Run this task on local inputs (promises or native values); return promises of its outputs."""
        literals = translate_inputs_to_literals(
            ctx,
            incoming_values=kwargs,
            flyte_interface_types=self.interface.inputs.variables,
            native_types=self.get_input_types() or {},
            entity_kind="task",
            entity_name=self.name,
        )
        input_literal_map = literals_pb2.LiteralMap(literals=literals)
        if self.metadata.cache:
            outputs_literal_map = _run_with_local_cache(self, ctx, input_literal_map)
        else:
            outputs_literal_map = self.sandbox_execute(ctx, input_literal_map)
        output_names = list(self.python_interface.outputs)
        outputs = outputs_literal_map.literals
        if len(output_names) != len(outputs):
            raise AssertionError(f"Length difference {len(output_names)} {len(outputs)}")
        if not output_names:
            return VoidPromise(self.name)
        return create_task_output([Promise(name, outputs[name]) for name in output_names], self.python_interface)

    @property
    def python_interface(self) -> Interface:
        raise NotImplementedError


def _run_with_local_cache(task: Task, ctx: FlyteContext, input_literal_map: literals_pb2.LiteralMap) -> Any:
    from flyte_core.config import LocalConfig
    from flyte_core.sdk.local_cache import LocalTaskCache

    local_config = LocalConfig.auto()
    if not local_config.cache_enabled:
        return task.sandbox_execute(ctx, input_literal_map)
    metadata = task.metadata
    outputs = None
    if not local_config.cache_overwrite:
        outputs = LocalTaskCache.get(
            task.name, metadata.cache_version, input_literal_map, metadata.cache_ignore_input_vars
        )
    if outputs is None:
        outputs = task.sandbox_execute(ctx, input_literal_map)
        LocalTaskCache.set(
            task.name, metadata.cache_version, input_literal_map, metadata.cache_ignore_input_vars, outputs
        )
    return outputs


class _TaskSandboxParams(ExecutionParameters):
    """Execution parameters whose working directory is created only if the task asks for it."""

    _parent_dir: str
    _created: bool

    @classmethod
    def wrap(cls, params: ExecutionParameters) -> _TaskSandboxParams:
        new = cls.__new__(cls)
        new.__dict__.update(params.__dict__)
        new._parent_dir = params._working_directory
        new._created = False
        new._decks = []  # each task's report holds its own decks only
        return new

    @property
    def working_directory(self) -> str:
        if not self._created:
            import os
            import tempfile

            os.makedirs(self._parent_dir, exist_ok=True)
            self._working_directory = tempfile.mkdtemp(prefix="user_space", dir=self._parent_dir)
            self._created = True
        return self._working_directory

    @property
    def checkpoint(self) -> Any:
        """The task's checkpoint: locally, as in flytekit, one writing into the task's working directory."""
        if self._checkpoint is None:
            from flyte_core.sdk.checkpointer import SyncCheckpoint

            self._checkpoint = SyncCheckpoint(checkpoint_dest=f"{self.working_directory}/__cp")
        return self._checkpoint


class PythonTask(Task, Generic[T]):
    """A task with a Python-native interface (``execute`` receives and returns Python values)."""

    def __init__(
        self,
        task_type: str,
        name: str,
        task_config: T | None = None,
        interface: Interface | None = None,
        environment: dict[str, str] | None = None,
        disable_deck: bool | None = None,
        enable_deck: bool | None = None,
        deck_fields: tuple[Any, ...] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(task_type=task_type, name=name, interface=None, **kwargs)
        self._python_interface = interface if interface else Interface()
        self._environment = environment if environment else {}
        self._task_config = task_config
        if disable_deck is not None and enable_deck is not None:
            raise ValueError("only one of [disable_deck, enable_deck] can be set")
        if disable_deck is not None:
            import warnings

            warnings.warn(
                "disable_deck was deprecated in 1.10.0, please use enable_deck instead", FutureWarning, stacklevel=3
            )
            self._disable_deck = disable_deck
        else:
            self._disable_deck = not enable_deck if enable_deck is not None else True
        if deck_fields is None:
            from flyte_core.sdk.deck import DEFAULT_DECK_FIELDS

            deck_fields = DEFAULT_DECK_FIELDS
        self._deck_fields = list(deck_fields) if self.enable_deck else []
        if self._python_interface.docstring and self._docs is None:
            self._docs = _documentation(self._python_interface)
        self._input_types = self._python_interface.inputs
        self._output_items = list(self._python_interface.outputs.items())

    @property
    def interface(self) -> interface_pb2.TypedInterface:
        if self._typed_interface is None:
            self._typed_interface = self._python_interface.typed()
        return self._typed_interface

    @property
    def python_interface(self) -> Interface:
        return self._python_interface

    @property
    def task_config(self) -> T | None:
        return self._task_config

    @property
    def environment(self) -> dict[str, str]:
        return self._environment

    @property
    def enable_deck(self) -> bool:
        return not self._disable_deck

    @property
    def disable_deck(self) -> bool:
        return self._disable_deck

    @property
    def deck_fields(self) -> list[Any]:
        return self._deck_fields

    def get_type_for_input_var(self, k: str, v: Any) -> type:
        return typing.cast(type, self._python_interface.inputs[k])

    def get_type_for_output_var(self, k: str, v: Any) -> type:
        return typing.cast(type, self._python_interface.outputs[k])

    def get_input_types(self) -> dict[str, type]:
        return self._input_types

    def construct_node_metadata(self) -> Any:
        from flyteidl.core import workflow_pb2

        metadata = workflow_pb2.NodeMetadata(name=_node_name(self.name))
        if self.metadata.timeout:
            metadata.timeout.FromTimedelta(self.metadata.timeout)  # type: ignore[arg-type]
        metadata.retries.retries = self.metadata.retries
        if self.metadata.interruptible is not None:
            metadata.interruptible = self.metadata.interruptible
        return metadata

    def _literal_map_to_python_input(self, literal_map: literals_pb2.LiteralMap, ctx: FlyteContext) -> dict[str, Any]:
        types = self._input_types
        native = {}
        for name, literal in literal_map.literals.items():
            try:
                native[name] = TypeEngine.to_python_value(ctx, literal, types[name])
            except (FlyteUploadDataException, FlyteDownloadDataException, ImportError):
                raise
            except Exception as exc:
                raise TypeTransformerFailedError(
                    f"task '{self.name}' input '{name}': cannot read a {literal.WhichOneof('value')} literal as "
                    f"{type_name(types[name])}: {exc}"
                ) from exc
        return native

    def _output_to_literal_map(
        self, native_outputs: Any, ctx: FlyteContext
    ) -> tuple[literals_pb2.LiteralMap, dict[str, Any]]:
        items = self._output_items
        if len(items) == 0:
            return literals_pb2.LiteralMap(), {}
        if len(items) == 1:
            if self._python_interface.output_tuple_name and isinstance(native_outputs, tuple):
                native_outputs = native_outputs[0]
            values = [native_outputs]
        else:
            if not isinstance(native_outputs, tuple):
                raise TypeTransformerFailedError(
                    f"task '{self.name}' returned {value_repr(native_outputs)}; it declares {len(items)} outputs "
                    f"({', '.join(n for n, _ in items)}): return a tuple of {len(items)} values"
                )
            if len(native_outputs) != len(items):
                raise TypeTransformerFailedError(
                    f"task '{self.name}' returned {len(native_outputs)} values; it declares {len(items)} outputs "
                    f"({', '.join(n for n, _ in items)})"
                )
            values = list(native_outputs)
        literals = {}
        as_map = {}
        typed_outputs = self.interface.outputs.variables
        for (name, python_type), value in zip(items, values, strict=True):
            as_map[name] = value
            try:
                literals[name] = TypeEngine.to_literal(ctx, value, python_type, typed_outputs[name].type)
            except Exception as exc:
                message = (
                    f"task '{self.name}' output '{name}': expected {type_name(python_type)}, got {value_repr(value)}"
                )
                detail = str(exc).strip()
                if detail and "Expected value of type" not in detail:
                    message += f" ({detail})"
                raise TypeTransformerFailedError(message) from exc
        return literals_pb2.LiteralMap(literals=literals), as_map

    def dispatch_execute(self, ctx: FlyteContext, input_literal_map: literals_pb2.LiteralMap) -> Any:
        """Convert inputs, run ``execute``, convert outputs; errors name this task."""
        user_params = ctx.user_space_params
        new_user_params = self.pre_execute(user_params)
        if self.enable_deck and new_user_params is not None:
            new_user_params = new_user_params.with_enable_deck(enable_deck=True).build()
        state = ctx.execution_state
        if new_user_params is not user_params and state is not None:
            exec_ctx = ctx._replace(execution_state=state.with_params(user_space_params=new_user_params))
        else:
            exec_ctx = ctx
        is_local = state is not None and state.is_local_execution()
        timed = _timeline(self.enable_deck and "Timeline" in self._deck_fields)
        with FlyteContextManager.with_context(exec_ctx):
            try:
                with timed("Translate literal to python value"):
                    native_inputs = self._literal_map_to_python_input(input_literal_map, exec_ctx)
            except (FlyteUploadDataException, FlyteDownloadDataException):
                raise
            except Exception as exc:
                if is_local:
                    _prefix_message(exc, f"Error encountered while converting inputs of '{self.name}'")
                    raise
                raise FlyteNonRecoverableSystemException(exc) from exc
            try:
                with timed("Execute user level code"):
                    native_outputs = self.execute(**native_inputs)
            except Exception as exc:
                if is_local:
                    _prefix_message(exc, f"Error encountered while executing '{self.name}'")
                    raise
                raise FlyteUserRuntimeException(exc) from exc
            native_outputs = self.post_execute(new_user_params, native_outputs)
            if isinstance(native_outputs, literals_pb2.LiteralMap) or type(native_outputs).__name__ == "DynamicJobSpec":
                return native_outputs
            try:
                with timed("Translate the output to literals"):
                    literal_map, outputs_as_map = self._output_to_literal_map(native_outputs, exec_ctx)
            except (FlyteUploadDataException, FlyteDownloadDataException):
                raise
            except Exception as exc:
                if is_local:
                    raise
                raise FlyteNonRecoverableSystemException(exc) from exc
            if self.enable_deck and new_user_params is not None:
                from flyte_core.sdk.deck import _output_deck

                _output_deck(self, native_inputs, outputs_as_map, new_user_params)
            return literal_map


def _prefix_message(exc: BaseException, prefix: str) -> None:
    """Prefix an exception's message in place, keeping its type and traceback (as flytekit does locally)."""
    message = f"{prefix}:\n  {exc}"
    exc.args = (message, *exc.args[1:])
    if isinstance(exc, ImportError):  # ImportError's str() is its msg attribute
        exc.msg = message


def _timeline(enabled: bool) -> Any:
    """``timeit`` of the Timeline deck when decks are on, else a no-op context (no cost on the hot path)."""
    if not enabled:
        return _no_timing
    from flyte_core.sdk.deck import timeit

    return timeit


def _no_timing(name: str) -> Any:
    return _NULL_CONTEXT


class _NullContext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NULL_CONTEXT = _NullContext()


def _node_name(task_name: str) -> str:
    """flytekit's node name: the entity name after the last dot."""
    return task_name.rsplit(".", 1)[-1]


def _documentation(interface: Interface) -> Any:
    from flyte_core.sdk.docs import Documentation

    return Documentation.from_docstring(interface.docstring)

"""Reference entities: tasks, workflows and launch plans that exist on a Flyte backend, used by id.

``@reference_task(project, domain, name, version)`` on a function stub gives an entity with the stub's
interface; inside a workflow it becomes a node pointing at the remote id. It cannot run locally (a
``NotImplementedError`` naming it) unless its ``execute`` is mocked, e.g.
``mock.patch.object(ref, "execute", return_value=...)``.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flyteidl.core import identifier_pb2, literals_pb2

from flyte_core.context import ExecutionState, FlyteContext, FlyteContextManager
from flyte_core.exceptions.user import FlyteValidationException
from flyte_core.sdk.base_task import PythonTask
from flyte_core.sdk.interface import Interface, transform_function_to_interface
from flyte_core.sdk.launch_plan import LaunchPlan
from flyte_core.sdk.promise import (
    Promise,
    VoidPromise,
    create_and_link_node,
    create_task_output,
    flyte_entity_call_handler,
    translate_inputs_to_literals,
)
from flyte_core.sdk.workflow import PythonFunctionWorkflow
from flyte_core.types.type_engine import TypeEngine, TypeTransformerFailedError, type_name, value_repr
from flyte_core.values.identifier import ResourceType

if typing.TYPE_CHECKING:
    from flyteidl.core import interface_pb2, workflow_pb2


@dataclass
class Reference:
    """Where a registered entity lives: project, domain, name and version."""

    project: str
    domain: str
    name: str
    version: str

    _resource_type: typing.ClassVar[int] = ResourceType.UNSPECIFIED

    def __post_init__(self) -> None:
        self._id = identifier_pb2.Identifier(
            resource_type=self.resource_type,
            project=self.project,
            domain=self.domain,
            name=self.name,
            version=self.version,
        )

    @property
    def id(self) -> identifier_pb2.Identifier:
        return self._id

    @property
    def resource_type(self) -> int:
        return self._resource_type


@dataclass
class TaskReference(Reference):
    """A task registered on a Flyte backend."""

    _resource_type: typing.ClassVar[int] = ResourceType.TASK


@dataclass
class WorkflowReference(Reference):
    """A workflow registered on a Flyte backend."""

    _resource_type: typing.ClassVar[int] = ResourceType.WORKFLOW


@dataclass
class LaunchPlanReference(Reference):
    """A launch plan registered on a Flyte backend."""

    _resource_type: typing.ClassVar[int] = ResourceType.LAUNCH_PLAN


_KIND = {ResourceType.TASK: "task", ResourceType.WORKFLOW: "workflow", ResourceType.LAUNCH_PLAN: "launch plan"}


class ReferenceEntity:
    """An entity known only by its reference and the interface the user declares for it."""

    def __init__(
        self,
        reference: TaskReference | WorkflowReference | LaunchPlanReference,
        inputs: dict[str, Any],
        outputs: dict[str, Any],
    ) -> None:
        if not isinstance(reference, TaskReference | WorkflowReference | LaunchPlanReference):
            raise ValueError(
                f"Must be one of task, workflow, or launch plan, but got {type(reference)}: use TaskReference, "
                "WorkflowReference or LaunchPlanReference"
            )
        self._reference = reference
        self._native_interface = Interface(inputs=inputs, outputs=outputs)
        self._interface: interface_pb2.TypedInterface | None = None

    @property
    def _description(self) -> str:
        ref = self._reference
        kind = _KIND.get(ref.resource_type, "entity")
        return f"reference {kind} '{ref.name}' (project {ref.project}, domain {ref.domain}, version {ref.version})"

    def execute(self, **kwargs: Any) -> Any:
        """A reference entity has no code here: mock this method to run workflows that use it locally."""
        raise NotImplementedError(
            f"Remote reference entities cannot be run locally. You must mock this out: {self._description} exists "
            "only on a Flyte backend; e.g. mock.patch.object(<entity>, 'execute', return_value=...)."
        )

    @property
    def python_interface(self) -> Interface:
        return self._native_interface

    @property
    def interface(self) -> interface_pb2.TypedInterface:
        if self._interface is None:
            self._interface = self._native_interface.typed()
        return self._interface

    @property
    def reference(self) -> TaskReference | WorkflowReference | LaunchPlanReference:
        return self._reference

    @property
    def name(self) -> str:
        return self._reference.name

    @property
    def id(self) -> identifier_pb2.Identifier:
        return self._reference.id

    def unwrap_literal_map_and_execute(self, ctx: FlyteContext, input_literal_map: literals_pb2.LiteralMap) -> Any:
        """Literal inputs -> ``execute`` (normally mocked) -> literal outputs."""
        interface = self._native_interface
        native_inputs = TypeEngine.literal_map_to_kwargs(ctx, input_literal_map, interface.inputs)
        native_outputs = self.execute(**native_inputs)
        names = list(interface.outputs)
        if len(names) == 0:
            as_map: dict[str, Any] = {}
        elif len(names) == 1:
            as_map = {names[0]: native_outputs}
        else:
            as_map = dict(zip(names, native_outputs, strict=False))
        literals = {}
        for name, value in as_map.items():
            python_type = interface.outputs[name]
            if isinstance(value, tuple):
                raise AssertionError(
                    f"Output({name}) in task{self.name} received a tuple {value}, instead of {python_type}"
                )
            try:
                literals[name] = TypeEngine.to_literal(
                    ctx, value, python_type, self.interface.outputs.variables[name].type
                )
            except Exception as exc:
                raise TypeTransformerFailedError(
                    f"{self._description} output '{name}': expected {type_name(python_type)}, got {value_repr(value)}"
                ) from exc
        return literals_pb2.LiteralMap(literals=literals)

    def local_execute(self, ctx: FlyteContext, **kwargs: Any) -> Any:
        """Run the (mocked) entity on local inputs; return promises of its outputs."""
        literals = translate_inputs_to_literals(
            ctx,
            incoming_values=kwargs,
            flyte_interface_types=self.interface.inputs.variables,
            native_types=self._native_interface.inputs,
            entity_kind=f"reference {_KIND.get(self._reference.resource_type, 'entity')}",
            entity_name=self.name,
        )
        outputs = self.unwrap_literal_map_and_execute(ctx, literals_pb2.LiteralMap(literals=literals)).literals
        names = list(self._native_interface.outputs)
        if len(names) != len(outputs):
            raise AssertionError(f"Length difference {len(names)} {len(outputs)}")
        if not names:
            return VoidPromise(self.name)
        return create_task_output([Promise(name, outputs[name]) for name in names], self._native_interface)

    def local_execution_mode(self) -> ExecutionState.Mode:
        return ExecutionState.Mode.LOCAL_TASK_EXECUTION

    def construct_node_metadata(self) -> workflow_pb2.NodeMetadata:
        """Node metadata named after the last part of the referenced name (and an empty retry strategy)."""
        from flyteidl.core import workflow_pb2

        metadata = workflow_pb2.NodeMetadata(name=self.name.rsplit(".", 1)[-1])
        metadata.retries.SetInParent()
        return metadata

    def compile(self, ctx: FlyteContext, *args: Any, **kwargs: Any) -> Any:
        return create_and_link_node(ctx, entity=self, **kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """In a workflow: a node referencing the remote entity; in a local run: the (mocked) ``execute``."""
        inputs = self._native_interface.inputs
        if len(args) > len(inputs):
            raise AssertionError(
                f"Received more arguments than expected in function '{self.name}'. Expected {len(inputs)} but got "
                f"{len(args)}"
            )
        for arg, input_name in zip(args, inputs, strict=False):
            if input_name in kwargs:
                raise AssertionError(f"Got multiple values for argument '{input_name}' in function '{self.name}'")
            kwargs[input_name] = arg
        ctx = FlyteContextManager.current_context()
        if ctx.compilation_state is not None and ctx.compilation_state.mode == 1:
            return self.compile(ctx, **kwargs)
        state = ctx.execution_state
        if state is not None and (state.is_local_execution() or state.mode is ExecutionState.Mode.EAGER_EXECUTION):
            return flyte_entity_call_handler(self, **kwargs)
        return self.execute(**kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._description})"


class ReferenceTask(ReferenceEntity, PythonTask):  # type: ignore[misc]
    """A task registered on a Flyte backend, used through the interface of a function stub."""

    def __init__(
        self, project: str, domain: str, name: str, version: str, inputs: dict[str, Any], outputs: dict[str, Any]
    ) -> None:
        super().__init__(TaskReference(project, domain, name, version), inputs, outputs)
        self._task_resolver = None


class ReferenceWorkflow(ReferenceEntity, PythonFunctionWorkflow):  # type: ignore[misc]
    """A workflow registered on a Flyte backend, used through the interface of a function stub."""

    def __init__(
        self, project: str, domain: str, name: str, version: str, inputs: dict[str, Any], outputs: dict[str, Any]
    ) -> None:
        super().__init__(WorkflowReference(project, domain, name, version), inputs, outputs)


class ReferenceLaunchPlan(ReferenceEntity, LaunchPlan):  # type: ignore[misc]
    """A launch plan registered on a Flyte backend, used through the interface of a function stub."""

    def __init__(
        self, project: str, domain: str, name: str, version: str, inputs: dict[str, Any], outputs: dict[str, Any]
    ) -> None:
        super().__init__(LaunchPlanReference(project, domain, name, version), inputs, outputs)


def _stub_interface(fn: Callable[..., Any]) -> Interface:
    return transform_function_to_interface(fn, is_reference_entity=True)


def reference_task(project: str, domain: str, name: str, version: str) -> Callable[[Callable[..., Any]], ReferenceTask]:
    """Use the task ``name`` registered in ``project``/``domain`` at ``version``; the stub gives its interface.

    ::

        @reference_task(project="flytesnacks", domain="development", name="recipes.join", version="abc")
        def join(a: list[str]) -> str: ...
    """

    def wrapper(fn: Callable[..., Any]) -> ReferenceTask:
        interface = _stub_interface(fn)
        return ReferenceTask(project, domain, name, version, interface.inputs, interface.outputs)

    return wrapper


def reference_workflow(
    project: str, domain: str, name: str, version: str
) -> Callable[[Callable[..., Any]], ReferenceWorkflow]:
    """Use the workflow ``name`` registered in ``project``/``domain`` at ``version``; the stub gives its interface."""

    def wrapper(fn: Callable[..., Any]) -> ReferenceWorkflow:
        interface = _stub_interface(fn)
        return ReferenceWorkflow(project, domain, name, version, interface.inputs, interface.outputs)

    return wrapper


def reference_launch_plan(
    project: str, domain: str, name: str, version: str
) -> Callable[[Callable[..., Any]], ReferenceLaunchPlan]:
    """Use the launch plan ``name`` registered in ``project``/``domain`` at ``version`` (interface from the stub)."""

    def wrapper(fn: Callable[..., Any]) -> ReferenceLaunchPlan:
        interface = _stub_interface(fn)
        return ReferenceLaunchPlan(project, domain, name, version, interface.inputs, interface.outputs)

    return wrapper


def get_reference_entity(
    resource_type: int,
    project: str,
    domain: str,
    name: str,
    version: str,
    inputs: dict[str, Any],
    outputs: dict[str, Any],
) -> ReferenceTask | ReferenceWorkflow | ReferenceLaunchPlan:
    """A reference entity with an explicit interface (``inputs=kwtypes(a=str)``) instead of a function stub."""
    if resource_type == ResourceType.TASK:
        return ReferenceTask(project, domain, name, version, inputs, outputs)
    if resource_type == ResourceType.WORKFLOW:
        return ReferenceWorkflow(project, domain, name, version, inputs, outputs)
    if resource_type == ResourceType.LAUNCH_PLAN:
        return ReferenceLaunchPlan(project, domain, name, version, inputs, outputs)
    raise FlyteValidationException(
        f"Resource type must be one of task, workflow, or launch plan: got {resource_type!r} for '{name}'; use "
        "ResourceType.TASK, ResourceType.WORKFLOW or ResourceType.LAUNCH_PLAN (flyte_core.values.identifier)"
    )

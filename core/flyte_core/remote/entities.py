"""Registered entities as ``FlyteRemote`` fetches them: ``FlyteTask``, ``FlyteWorkflow``, ``FlyteLaunchPlan``.

Each wraps the admin message it came from (``.proto``) and exposes flytekit's attribute names; the
Python interface is guessed from the registered literal types, so inputs given as Python values can be
converted without the entity's source code.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2, interface_pb2

__all__ = ["FlyteLaunchPlan", "FlyteTask", "FlyteWorkflow", "RemoteEntity"]


class RemoteEntity:
    """What the registered kinds share: an identifier and a typed interface."""

    resource_type: int = identifier_pb2.UNSPECIFIED
    reference_type: int = identifier_pb2.UNSPECIFIED
    """What a node calling it refers to (a workflow runs through its default launch plan)."""

    def __init__(self, proto: Any, interface: interface_pb2.TypedInterface) -> None:
        self.proto = proto
        self._interface = interface

    @property
    def id(self) -> identifier_pb2.Identifier:
        return self.proto.id  # type: ignore[no-any-return]

    @property
    def name(self) -> str:
        return self.id.name

    @property
    def version(self) -> str:
        return self.id.version

    @property
    def project(self) -> str:
        return self.id.project

    @property
    def domain(self) -> str:
        return self.id.domain

    @property
    def interface(self) -> interface_pb2.TypedInterface:
        return self._interface

    @property
    def python_input_types(self) -> dict[str, Any]:
        """Python types for the inputs, guessed from their literal types."""
        from flyte_core.types.type_engine import TypeEngine

        return TypeEngine.guess_python_types(self._interface.inputs.variables)

    @property
    def python_output_types(self) -> dict[str, Any]:
        from flyte_core.types.type_engine import TypeEngine

        return TypeEngine.guess_python_types(self._interface.outputs.variables)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.project}/{self.domain}/{self.name}@{self.version})"

    def reference(self) -> Any:
        """This entity as the SDK's reference entity (what calling it inside a ``@workflow`` adds as a node)."""
        from flyte_core.sdk.reference import get_reference_entity

        ident = self.id
        return get_reference_entity(
            self.reference_type,
            ident.project,
            ident.domain,
            ident.name,
            ident.version,
            self.python_input_types,
            self.python_output_types,
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Inside a ``@workflow``: a node running the registered entity, as flytekit's fetched entities are."""
        return self.reference()(*args, **kwargs)


class FlyteTask(RemoteEntity):
    """A registered task (``flyteidl.admin.Task``)."""

    resource_type = reference_type = identifier_pb2.TASK

    def __init__(self, proto: task_pb2.Task) -> None:
        super().__init__(proto, proto.closure.compiled_task.template.interface)

    @property
    def template(self) -> Any:
        return self.proto.closure.compiled_task.template

    @property
    def task_type(self) -> str:
        return self.template.type  # type: ignore[no-any-return]


class FlyteWorkflow(RemoteEntity):
    """A registered workflow (``flyteidl.admin.Workflow``) with its compiled closure."""

    resource_type = identifier_pb2.WORKFLOW
    reference_type = identifier_pb2.LAUNCH_PLAN  # its default launch plan: same name and version

    def __init__(self, proto: workflow_pb2.Workflow) -> None:
        super().__init__(proto, proto.closure.compiled_workflow.primary.template.interface)

    @property
    def closure(self) -> Any:
        return self.proto.closure.compiled_workflow

    @property
    def template(self) -> Any:
        return self.closure.primary.template

    def node_ids(self) -> set[str]:
        """Every node id of the workflow and its sub-workflows (what node executions refer to)."""
        ids = {node.id for node in self.template.nodes}
        for sub in self.closure.sub_workflows:
            ids.update(node.id for node in sub.template.nodes)
        return ids


class FlyteLaunchPlan(RemoteEntity):
    """A registered launch plan (``flyteidl.admin.LaunchPlan``): its workflow, defaults and fixed inputs."""

    resource_type = reference_type = identifier_pb2.LAUNCH_PLAN

    def __init__(self, proto: launch_plan_pb2.LaunchPlan) -> None:
        interface = interface_pb2.TypedInterface()
        closure = proto.closure
        for name, parameter in closure.expected_inputs.parameters.items():
            interface.inputs.variables[name].CopyFrom(parameter.var)
        interface.outputs.CopyFrom(closure.expected_outputs)
        super().__init__(proto, interface)

    @property
    def workflow_id(self) -> identifier_pb2.Identifier:
        return self.proto.spec.workflow_id  # type: ignore[no-any-return]

    @property
    def spec(self) -> launch_plan_pb2.LaunchPlanSpec:
        return self.proto.spec  # type: ignore[no-any-return]

    @property
    def is_active(self) -> bool:
        return self.proto.closure.state == launch_plan_pb2.ACTIVE  # type: ignore[no-any-return]

    @property
    def default_inputs(self) -> Any:
        """The ``ParameterMap`` of inputs with defaults (or required)."""
        return self.proto.spec.default_inputs

    @property
    def fixed_inputs(self) -> Any:
        """The ``LiteralMap`` of inputs users cannot set."""
        return self.proto.spec.fixed_inputs

    @property
    def python_input_types(self) -> dict[str, Any]:
        """Types of the inputs a caller may give (fixed inputs left out)."""
        fixed = set(self.fixed_inputs.literals)
        return {k: v for k, v in super().python_input_types.items() if k not in fixed}

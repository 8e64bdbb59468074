"""The registry of tasks and workflows (and the fetching of launch plans): flyteadmin's CreateTask and
CreateWorkflow (identical content is ALREADY_EXISTS, different content INVALID_ARGUMENT; workflows are compiled
against the registered tasks and launch plans), their description entities and named-entity states, and the
lookups by identifier every other job uses.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import compiler_pb2, identifier_pb2, interface_pb2, tasks_pb2

from flyte_core.sandbox import events
from flyte_core.sandbox.control_plane.launch_plans import _launch_plan_interface, launch_plan_record
from flyte_core.sandbox.control_plane.records import (
    ControlPlaneParts,
    ResourceType,
    _differences,
    _digest,
    _entity_key,
    _not_registered,
    _now,
    _typed,
    check_identifier,
    describe,
)
from flyte_core.sandbox.errors import AlreadyExists, InvalidArgument


class RegistryMixin(ControlPlaneParts):
    """Registered tasks, workflows and launch plans, stored and fetched by identifier."""

    def task(self, identifier: identifier_pb2.Identifier) -> task_pb2.Task:
        row = self.state.find("tasks", "record", **_entity_key(identifier))
        if row is None:
            raise _not_registered(_typed(identifier, ResourceType.TASK))
        return task_pb2.Task.FromString(row["record"])

    def workflow(self, identifier: identifier_pb2.Identifier) -> workflow_pb2.Workflow:
        row = self.state.find("workflows", "record", **_entity_key(identifier))
        if row is None:
            raise _not_registered(_typed(identifier, ResourceType.WORKFLOW))
        return workflow_pb2.Workflow.FromString(row["record"])

    def launch_plan(self, identifier: identifier_pb2.Identifier) -> launch_plan_pb2.LaunchPlan:
        row = self.state.find("launch_plans", "record, state, created_at, updated_at", **_entity_key(identifier))
        if row is None:
            raise _not_registered(_typed(identifier, ResourceType.LAUNCH_PLAN))
        return launch_plan_record(row)

    def create_task(self, identifier: identifier_pb2.Identifier, spec: task_pb2.TaskSpec) -> None:
        """flyteadmin's CreateTask: identical content is ALREADY_EXISTS, different content INVALID_ARGUMENT."""
        check_identifier(identifier, ResourceType.TASK)
        if not spec.HasField("template"):
            raise InvalidArgument(f"missing spec.template for task {describe(identifier)}")
        self.state.check_project_domain(identifier.project, identifier.domain)
        template = tasks_pb2.TaskTemplate()
        template.CopyFrom(spec.template)
        template.id.CopyFrom(identifier)
        compiled = compiler_pb2.CompiledTask(template=template)
        digest = _digest(compiled)
        with self.state.transaction():
            existing = self.state.find("tasks", "digest, record", **_entity_key(identifier))
            if existing is not None:
                if existing["digest"] == digest:
                    raise AlreadyExists("task with identical structure already exists")
                old = task_pb2.Task.FromString(existing["record"]).closure.compiled_task.template
                raise InvalidArgument(
                    f"{identifier.name} task with different structure already exists. (Please register a new "
                    f"version of the task): {describe(identifier)} differs in "
                    f"{', '.join(_differences(old, template))}"
                )
            now = _now()
            record = task_pb2.Task(
                id=identifier,
                closure=task_pb2.TaskClosure(compiled_task=compiled, created_at=events.timestamp(now)),
                short_description=spec.description.short_description,
            )
            self.state.insert(
                "tasks",
                **_entity_key(identifier),
                created_at=now,
                updated_at=now,
                digest=digest,
                record=record.SerializeToString(),
            )
            self._save_description(identifier, spec.description if spec.HasField("description") else None, now)

    def create_workflow(self, identifier: identifier_pb2.Identifier, spec: workflow_pb2.WorkflowSpec) -> None:
        """flyteadmin's CreateWorkflow: the referenced tasks and launch plans must exist; the workflow must compile."""
        from flyte_core.sandbox import compiler

        check_identifier(identifier, ResourceType.WORKFLOW)
        if not spec.HasField("template"):
            raise InvalidArgument(f"missing spec.template for workflow {describe(identifier)}")
        self.state.check_project_domain(identifier.project, identifier.domain)
        request = workflow_pb2.WorkflowSpec()
        request.CopyFrom(spec)
        request.template.id.CopyFrom(identifier)
        try:
            closure = compiler.compile_workflow(request, self._registered_template, self._registered_interface)
        except compiler.CompileError as error:
            raise InvalidArgument(f"failed to compile workflow {describe(identifier)}: {error}") from None
        digest = compiler.closure_digest(closure)
        with self.state.transaction():
            existing = self.state.find("workflows", "digest, record", **_entity_key(identifier))
            if existing is not None:
                if existing["digest"] == digest:
                    raise AlreadyExists(f"identical workflow already exists with id {describe(identifier)}")
                old = workflow_pb2.Workflow.FromString(existing["record"]).closure.compiled_workflow
                raise InvalidArgument(
                    f"workflow with different structure already exists with id {describe(identifier)} (differs in "
                    f"{', '.join(_differences(old, closure))}): register it under a new version"
                )
            now = _now()
            record = workflow_pb2.Workflow(
                id=identifier,
                closure=workflow_pb2.WorkflowClosure(compiled_workflow=closure, created_at=events.timestamp(now)),
                short_description=spec.description.short_description,
            )
            self.state.insert(
                "workflows",
                **_entity_key(identifier),
                created_at=now,
                updated_at=now,
                digest=digest,
                record=record.SerializeToString(),
            )
            self._save_description(identifier, spec.description if spec.HasField("description") else None, now)

    def _registered_template(self, identifier: identifier_pb2.Identifier) -> tasks_pb2.TaskTemplate:
        row = self.state.find("tasks", "record", **_entity_key(identifier))
        if row is None:
            raise KeyError(describe(identifier))
        return task_pb2.Task.FromString(row["record"]).closure.compiled_task.template

    def _registered_interface(self, identifier: identifier_pb2.Identifier) -> interface_pb2.TypedInterface:
        row = self.state.find("launch_plans", "record", **_entity_key(identifier))
        if row is None:
            raise KeyError(describe(identifier))
        return _launch_plan_interface(launch_plan_pb2.LaunchPlan.FromString(row["record"]))

    def _save_description(self, identifier: identifier_pb2.Identifier, description: Any, now: float) -> None:
        if description is None or not description.ByteSize():
            return
        from flyteidl.admin import description_entity_pb2

        entity = description_entity_pb2.DescriptionEntity(
            id=identifier,
            short_description=description.short_description,
            long_description=description.long_description,
            source_code=description.source_code,
            tags=description.tags,
        )
        self.state.insert(
            "description_entities",
            replace=True,
            resource_type=identifier.resource_type,
            **_entity_key(identifier),
            created_at=now,
            updated_at=now,
            record=entity.SerializeToString(),
        )

    def _set_named_entity_state(self, resource_type: int, identifier: Any, state: int) -> None:
        key = {
            "resource_type": resource_type,
            "project": identifier.project,
            "domain": identifier.domain,
            "name": identifier.name,
        }
        with self.state.transaction():
            row = self.state.find("named_entity_metadata", "description", **key)
            self.state.insert(
                "named_entity_metadata", replace=True, **key, state=state, description=row[0] if row else ""
            )

"""ControlPlane: what flyteadmin does, over :class:`SandboxState` and the :class:`BlobStore`.

It registers tasks, workflows (compiled by :mod:`sandbox.compiler`) and launch plans, creates executions and
hands them to the engine, applies the engine's events (:mod:`sandbox.events`) and answers everything else the
engine asks for: it *is* the engine's :class:`~flyte_core.sandbox.engine.host.EngineHost`. The gRPC servicers
(:mod:`sandbox.admin`, ...) translate requests into these calls, so a launch-plan node's child execution goes
through the same path as a user's CreateExecution.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flyteidl.admin import (
    common_pb2,
    execution_pb2,
    launch_plan_pb2,
    matchable_resource_pb2,
    node_execution_pb2,
    task_execution_pb2,
    task_pb2,
    workflow_pb2,
)
from flyteidl.core import (
    compiler_pb2,
    identifier_pb2,
    interface_pb2,
    literals_pb2,
    tasks_pb2,
    types_pb2,
)
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.event import event_pb2

from flyte_core.sandbox import events
from flyte_core.sandbox.blobs import BlobStore
from flyte_core.sandbox.errors import AdminError, AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from flyte_core.sandbox.state import SandboxState

if TYPE_CHECKING:
    from flyte_core.sandbox.engine.host import Engine

_log = logging.getLogger("flyte_core.sandbox")

WorkflowPhase = core_execution_pb2.WorkflowExecution
ExecutionMode = execution_pb2.ExecutionMetadata
ResourceType = identifier_pb2.ResourceType

MAX_INLINE_BYTES = 2 * 1024 * 1024
"""flyteadmin's ``maxSizeInBytes``: data responses inline literal maps smaller than this."""

_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
"""k8s ``rand.String``'s alphabet, from which flyteadmin draws execution names (``a`` + 19 characters)."""
_EXECUTION_NAME_LENGTH = 20
"""Generated execution names: "a" + 19 characters, as flyteadmin makes them."""
_MAX_EXECUTION_NAME_LENGTH = 63
"""Names given by clients: up to a Kubernetes label value, as flyteadmin allows (``allowedExecutionNameLength``)."""
_SYSTEM_GENERATED = common_pb2.NamedEntityState.SYSTEM_GENERATED
_TABLES = {ResourceType.TASK: "tasks", ResourceType.WORKFLOW: "workflows", ResourceType.LAUNCH_PLAN: "launch_plans"}
_KIND = {ResourceType.TASK: "task", ResourceType.WORKFLOW: "workflow", ResourceType.LAUNCH_PLAN: "launch plan"}


# -- identifiers -------------------------------------------------------------------------------------------------


def check_identifier(identifier: identifier_pb2.Identifier | None, resource_type: int) -> None:
    """flyteadmin's ``ValidateIdentifier``: every part set, and the resource type the RPC is about."""
    kind = _KIND[resource_type]
    if identifier is None or not identifier.ByteSize():
        raise InvalidArgument(f"missing id: the request must name the {kind} (project, domain, name, version)")
    if identifier.resource_type != resource_type:
        raise InvalidArgument(
            f"unexpected resource type {ResourceType.Name(identifier.resource_type)} for identifier "
            f"{describe(identifier)}, expected {ResourceType.Name(resource_type)} instead"
        )
    for part in ("project", "domain", "name", "version"):
        if not getattr(identifier, part):
            raise InvalidArgument(f"missing {part} in the id of {kind} {describe(identifier)}")


def check_named_id(identifier: Any, what: str, *, name: bool = True) -> None:
    """A NamedEntityIdentifier (or execution id) with project, domain and (when ``name``) name."""
    parts = ("project", "domain", "name") if name else ("project", "domain")
    for part in parts:
        if not getattr(identifier, part, ""):
            raise InvalidArgument(f"missing {part} in the id of {what}")


def describe(identifier: Any) -> str:
    text = f"{identifier.project}/{identifier.domain}/{identifier.name}"
    version = getattr(identifier, "version", "")
    return f"{text}@{version}" if version else text


def _entity_key(identifier: identifier_pb2.Identifier) -> dict[str, str]:
    return {
        "project": identifier.project,
        "domain": identifier.domain,
        "name": identifier.name,
        "version": identifier.version,
    }


def _not_registered(identifier: identifier_pb2.Identifier) -> NotFound:
    kind = _KIND.get(identifier.resource_type, "entity")
    return NotFound(
        f"missing entity of type {ResourceType.Name(identifier.resource_type)}: {kind} {describe(identifier)} "
        "is not registered (register it first, e.g. with pyflyte register or pyflyte run --remote)"
    )


def _digest(message: Any) -> bytes:
    return hashlib.sha256(message.SerializeToString(deterministic=True)).digest()


def _differences(old: Any, new: Any, prefix: str = "", depth: int = 3) -> list[str]:
    """Paths of the fields that differ between two messages of one type (for conflict messages)."""
    if old == new:
        return []
    if depth == 0 or not hasattr(old, "ListFields"):
        return [prefix.rstrip(".") or "(whole message)"]
    names = {f.name for f, _ in old.ListFields()} | {f.name for f, _ in new.ListFields()}
    found: list[str] = []
    for name in sorted(names):
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        field = old.DESCRIPTOR.fields_by_name[name]
        if field.message_type is not None and not _is_repeated(field):
            found.extend(_differences(before, after, f"{prefix}{name}.", depth - 1))
        else:
            found.append(f"{prefix}{name}")
    return found or [prefix.rstrip(".") or "(whole message)"]


def _is_repeated(field: Any) -> bool:
    repeated = getattr(field, "is_repeated", None)
    return bool(repeated) if repeated is not None else field.label == field.LABEL_REPEATED


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class ExecutionInputs:
    """The inputs an execution runs with (defaults, fixed and given merged) and the ones the user gave."""

    inputs: literals_pb2.LiteralMap
    user_inputs: literals_pb2.LiteralMap


class ControlPlane:
    """flyteadmin over SQLite and a local blob store; the engine's host.

    ``on_launch_plan_state`` (optional) is told ``(launch_plan, state)`` whenever UpdateLaunchPlan changes a
    launch plan's state, so a scheduler can react at once rather than at its next poll.
    """

    def __init__(
        self,
        state: SandboxState,
        blobs: BlobStore,
        engine: Engine | None = None,
        *,
        on_launch_plan_state: Callable[[launch_plan_pb2.LaunchPlan, int], None] | None = None,
    ) -> None:
        self.state = state
        self._blobs = blobs
        self.engine = engine
        self.on_launch_plan_state = on_launch_plan_state

    @property
    def blobs(self) -> BlobStore:
        return self._blobs

    # ================================================================================================================
    # Registration
    # ================================================================================================================

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

    def create_launch_plan(self, identifier: identifier_pb2.Identifier, spec: launch_plan_pb2.LaunchPlanSpec) -> None:
        """flyteadmin's CreateLaunchPlan: the workflow must exist; inputs are checked against its interface."""
        check_identifier(identifier, ResourceType.LAUNCH_PLAN)
        self.state.check_project_domain(identifier.project, identifier.domain)
        if not spec.ByteSize():
            raise InvalidArgument(f"missing spec for launch plan {describe(identifier)}")
        if not spec.HasField("workflow_id"):
            raise InvalidArgument(f"missing spec.workflow_id for launch plan {describe(identifier)}")
        check_identifier(spec.workflow_id, ResourceType.WORKFLOW)
        workflow = self.workflow(spec.workflow_id)
        interface = workflow.closure.compiled_workflow.primary.template.interface
        stored = launch_plan_pb2.LaunchPlanSpec()
        stored.CopyFrom(spec)
        expected = _expected_launch_plan_inputs(
            identifier, interface.inputs, stored.fixed_inputs, stored.default_inputs
        )
        _check_schedule(identifier, stored, expected)
        stored.default_inputs.CopyFrom(expected)
        launch_plan = launch_plan_pb2.LaunchPlan(
            id=identifier,
            spec=stored,
            closure=launch_plan_pb2.LaunchPlanClosure(expected_inputs=expected, expected_outputs=interface.outputs),
        )
        digest = _digest(launch_plan)
        with self.state.transaction():
            existing = self.state.find("launch_plans", "digest, record", **_entity_key(identifier))
            if existing is not None:
                if existing["digest"] == digest:
                    raise AlreadyExists("launch plan with identical structure already exists")
                old = launch_plan_pb2.LaunchPlan.FromString(existing["record"]).spec
                raise InvalidArgument(
                    f"{identifier.name} launch plan with different structure already exists. (Please register a "
                    f"new version of the launch plan): {describe(identifier)} differs in "
                    f"{', '.join(_differences(old, stored))}"
                )
            now = _now()
            self.state.insert(
                "launch_plans",
                **_entity_key(identifier),
                created_at=now,
                updated_at=now,
                digest=digest,
                record=launch_plan.SerializeToString(),
                state=launch_plan_pb2.INACTIVE,
                workflow_project=spec.workflow_id.project,
                workflow_domain=spec.workflow_id.domain,
                workflow_name=spec.workflow_id.name,
                workflow_version=spec.workflow_id.version,
            )

    def update_launch_plan(self, identifier: identifier_pb2.Identifier, state: int) -> None:
        """ACTIVE deactivates the other versions of the name; INACTIVE deactivates this one."""
        check_identifier(identifier, ResourceType.LAUNCH_PLAN)
        if state not in (launch_plan_pb2.ACTIVE, launch_plan_pb2.INACTIVE):
            raise InvalidArgument(
                f"Unrecognized launch plan state {state} for update for launch plan {describe(identifier)}"
            )
        key = _entity_key(identifier)
        with self.state.transaction():
            if self.state.find("launch_plans", "1", **key) is None:
                raise _not_registered(identifier)
            now = _now()
            if state == launch_plan_pb2.ACTIVE:
                self.state.execute(
                    "UPDATE launch_plans SET state = ?, updated_at = ? WHERE project = ? AND domain = ? AND name = ? "
                    "AND version <> ? AND state = ?",
                    (
                        launch_plan_pb2.INACTIVE,
                        now,
                        identifier.project,
                        identifier.domain,
                        identifier.name,
                        identifier.version,
                        launch_plan_pb2.ACTIVE,
                    ),
                )
            self.state.update("launch_plans", key, state=state, updated_at=now)
        if self.on_launch_plan_state is not None:
            self.on_launch_plan_state(self.launch_plan(identifier), state)

    def active_launch_plan(self, project: str, domain: str, name: str) -> launch_plan_pb2.LaunchPlan:
        row = self.state.one(
            "SELECT record, state, created_at, updated_at FROM launch_plans WHERE project = ? AND domain = ? "
            "AND name = ? AND state = ?",
            (project, domain, name, launch_plan_pb2.ACTIVE),
        )
        if row is None:
            raise NotFound(f"No active launch plan could be found: {project}:{domain}:{name}")
        return launch_plan_record(row)

    def active_schedules(self) -> list[tuple[launch_plan_pb2.LaunchPlan, Any]]:
        """Active launch plans with a schedule, each with when it was activated (for ``schedules.Scheduler``)."""
        import datetime

        found = []
        for row in self.state.all(
            "SELECT record, state, created_at, updated_at FROM launch_plans WHERE state = ?", (launch_plan_pb2.ACTIVE,)
        ):
            launch_plan = launch_plan_record(row)
            schedule = launch_plan.spec.entity_metadata.schedule
            if schedule.ByteSize():
                found.append((launch_plan, datetime.datetime.fromtimestamp(row["updated_at"], datetime.timezone.utc)))
        return found

    def launch_scheduled(self, launch_plan: launch_plan_pb2.LaunchPlan, scheduled_at: Any) -> None:
        """Start the execution of a schedule's firing; firing twice at the same time starts it once."""
        schedule = launch_plan.spec.entity_metadata.schedule
        inputs = literals_pb2.LiteralMap()
        if schedule.kickoff_time_input_arg:
            literal = inputs.literals[schedule.kickoff_time_input_arg]
            literal.scalar.primitive.datetime.FromDatetime(scheduled_at)
        seed = f"{describe(launch_plan.id)}@{scheduled_at.isoformat()}"
        name = "s" + hashlib.sha256(seed.encode()).hexdigest()[: _EXECUTION_NAME_LENGTH - 1]
        spec = execution_pb2.ExecutionSpec(
            launch_plan=launch_plan.id, metadata=execution_pb2.ExecutionMetadata(mode=ExecutionMode.SCHEDULED)
        )
        spec.metadata.scheduled_at.FromDatetime(scheduled_at)
        request = execution_pb2.ExecutionCreateRequest(
            project=launch_plan.id.project, domain=launch_plan.id.domain, name=name, spec=spec, inputs=inputs
        )
        with contextlib.suppress(AlreadyExists):
            self.create_execution(request)

    # ================================================================================================================
    # Executions
    # ================================================================================================================

    def create_execution(
        self, request: execution_pb2.ExecutionCreateRequest
    ) -> identifier_pb2.WorkflowExecutionIdentifier:
        """flyteadmin's CreateExecution: validate, resolve the launch plan (or wrap a task), merge inputs, record
        the execution (UNDEFINED) and submit it to the engine."""
        spec = execution_pb2.ExecutionSpec()
        spec.CopyFrom(request.spec)
        user_inputs = literals_pb2.LiteralMap()
        user_inputs.CopyFrom(request.inputs if request.inputs.literals else spec.inputs)
        self._check_create_request(request)
        target = spec.launch_plan
        if target.resource_type == ResourceType.TASK:
            launch_plan, workflow = self._single_task_launch_plan(target, spec)
        else:
            launch_plan = self.launch_plan(target)
            workflow = None
        inputs = _execution_inputs(user_inputs, launch_plan)
        if workflow is None:
            workflow = self.workflow(launch_plan.spec.workflow_id)
        principal, nesting, parent = self._inherited_metadata(spec)
        resolved = self._resolved_spec(spec, launch_plan)
        name = request.name or self._fresh_name(request.project, request.domain)
        execution_id = identifier_pb2.WorkflowExecutionIdentifier(
            project=request.project, domain=request.domain, name=name
        )
        metadata = spec.metadata
        metadata.principal = principal
        metadata.nesting = nesting
        metadata.system_metadata.namespace = f"{request.project}-{request.domain}"
        spec.security_context.CopyFrom(resolved.security_context)
        for stored in (spec, resolved):
            stored.ClearField("inputs")
        resolved.metadata.CopyFrom(metadata)
        now = _now()
        closure = execution_pb2.ExecutionClosure(
            phase=WorkflowPhase.UNDEFINED,
            created_at=events.timestamp(now),
            updated_at=events.timestamp(now),
            workflow_id=workflow.id,
            state_change_details=execution_pb2.ExecutionStateChangeDetails(
                state=execution_pb2.EXECUTION_ACTIVE, principal=principal, occurred_at=events.timestamp(now)
            ),
        )
        notifications = _notifications(request.spec, launch_plan)
        if notifications is not None:
            closure.notifications.extend(notifications)
        record = execution_pb2.Execution(id=execution_id, spec=spec, closure=closure)
        compiled = workflow.closure.compiled_workflow
        base = f"metadata/{request.project}/{request.domain}/{name}"
        with self.state.transaction():
            if self.state.find("executions", "1", **events.execution_key(execution_id)) is not None:
                raise AlreadyExists(
                    f"an execution named '{name}' already exists in {request.project}/{request.domain}: "
                    "choose another name or leave it empty for a generated one"
                )
            inputs_uri = self._blobs.write_bytes(f"{base}/inputs.pb", inputs.SerializeToString())
            user_inputs_uri = self._blobs.write_bytes(f"{base}/user_inputs.pb", user_inputs.SerializeToString())
            launch_plan_id = launch_plan.id
            task_id = target if target.resource_type == ResourceType.TASK else None
            self.state.insert(
                "executions",
                **events.execution_key(execution_id),
                phase=WorkflowPhase.Phase.Name(WorkflowPhase.UNDEFINED),
                created_at=now,
                updated_at=now,
                mode=int(metadata.mode),
                state=execution_pb2.EXECUTION_ACTIVE,
                principal=principal,
                launch_entity="task" if task_id is not None else "launch_plan",
                launch_plan_project=launch_plan_id.project,
                launch_plan_domain=launch_plan_id.domain,
                launch_plan_name=launch_plan_id.name,
                launch_plan_version=launch_plan_id.version,
                workflow_project=workflow.id.project,
                workflow_domain=workflow.id.domain,
                workflow_name=workflow.id.name,
                workflow_version=workflow.id.version,
                task_project=task_id.project if task_id else None,
                task_domain=task_id.domain if task_id else None,
                task_name=task_id.name if task_id else None,
                task_version=task_id.version if task_id else None,
                parent_project=parent.execution_id.project if parent else None,
                parent_domain=parent.execution_id.domain if parent else None,
                parent_name=parent.execution_id.name if parent else None,
                parent_node_id=parent.node_id if parent else None,
                nesting=nesting,
                inputs_uri=inputs_uri,
                user_inputs_uri=user_inputs_uri,
                record=record.SerializeToString(),
                closure=compiled.SerializeToString(),
                resolved_spec=resolved.SerializeToString(),
            )
            for key, value in request.spec.labels.values.items():
                self.state.insert("execution_tags", **events.execution_key(execution_id), key=key, value=value)
            for tag in request.spec.tags:
                self.state.insert("execution_tags", **events.execution_key(execution_id), key=tag, value="")
        self._submit(execution_id, compiled, inputs, resolved)
        return execution_id

    def _check_create_request(self, request: execution_pb2.ExecutionCreateRequest) -> None:
        if not request.project:
            raise InvalidArgument("missing project: CreateExecution needs the project to run in")
        if not request.domain:
            raise InvalidArgument("missing domain: CreateExecution needs the domain to run in")
        if request.name:
            import re

            if len(request.name) > _MAX_EXECUTION_NAME_LENGTH:
                raise InvalidArgument(
                    f"size of name exceeded length {_MAX_EXECUTION_NAME_LENGTH} : {request.name} (use a shorter name "
                    "or leave it empty for a generated one)"
                )
            if not re.fullmatch(r"[a-z][a-z\-0-9]*", request.name.lower()):
                raise InvalidArgument(
                    f"invalid name format: {request.name} (lowercase letters, digits and '-', starting with a letter)"
                )
        self.state.check_project_domain(request.project, request.domain)
        if not request.HasField("spec"):
            raise InvalidArgument("missing spec: CreateExecution needs spec.launch_plan")
        target = request.spec.launch_plan
        if target.resource_type not in (ResourceType.LAUNCH_PLAN, ResourceType.TASK):
            raise InvalidArgument(
                f"Invalid reference entity resource type [{ResourceType.Name(target.resource_type)}], only "
                "[LAUNCH_PLAN, TASK] allowed in spec.launch_plan"
            )
        check_identifier(target, target.resource_type)

    def _single_task_launch_plan(
        self, task_id: identifier_pb2.Identifier, spec: execution_pb2.ExecutionSpec
    ) -> tuple[launch_plan_pb2.LaunchPlan, workflow_pb2.Workflow]:
        """flyteadmin's ``.flytegen.<task>`` workflow and launch plan, registered on first use."""
        from flyte_core.sandbox import compiler

        task = self.task(task_id)
        workflow_spec = compiler.single_task_workflow(task.closure.compiled_task.template)
        workflow_id = workflow_spec.template.id
        workflow_id.resource_type = ResourceType.WORKFLOW
        with contextlib.suppress(AlreadyExists):
            self.create_workflow(workflow_id, workflow_spec)
        self._set_named_entity_state(ResourceType.WORKFLOW, workflow_id, _SYSTEM_GENERATED)
        launch_plan_id = identifier_pb2.Identifier(
            resource_type=ResourceType.LAUNCH_PLAN,
            project=task_id.project,
            domain=task_id.domain,
            name=workflow_id.name,
            version=task_id.version,
            org=task_id.org,
        )
        launch_plan_spec = launch_plan_pb2.LaunchPlanSpec(
            workflow_id=workflow_id,
            entity_metadata=launch_plan_pb2.LaunchPlanMetadata(),
            default_inputs=interface_pb2.ParameterMap(),
            fixed_inputs=literals_pb2.LiteralMap(),
            labels=common_pb2.Labels(),
            annotations=common_pb2.Annotations(),
        )
        if spec.HasField("auth_role"):
            launch_plan_spec.auth_role.CopyFrom(spec.auth_role)
        if spec.HasField("security_context"):
            launch_plan_spec.security_context.CopyFrom(spec.security_context)
        try:
            self.create_launch_plan(launch_plan_id, launch_plan_spec)
        except AlreadyExists:
            pass
        except InvalidArgument:
            pass  # an earlier execution registered it with another auth role: flyteadmin reuses the existing one
        self._set_named_entity_state(ResourceType.LAUNCH_PLAN, launch_plan_id, _SYSTEM_GENERATED)
        return self.launch_plan(launch_plan_id), self.workflow(workflow_id)

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

    def _inherited_metadata(
        self, spec: execution_pb2.ExecutionSpec
    ) -> tuple[str, int, identifier_pb2.NodeExecutionIdentifier | None]:
        """(principal, nesting, parent node): a child execution inherits its parent's principal, nesting + 1.

        Unlike flyteadmin, the parent node need not have reported an event yet (only its execution must exist).
        """
        if not spec.metadata.HasField("parent_node_execution"):
            return "", 0, None
        parent = spec.metadata.parent_node_execution
        row = self.state.find("executions", "principal, nesting", **events.execution_key(parent.execution_id))
        if row is None:
            raise NotFound(f"execution {events.describe_execution(parent.execution_id)} does not exist")
        return row["principal"], row["nesting"] + 1, parent

    def _resolved_spec(
        self, spec: execution_pb2.ExecutionSpec, launch_plan: launch_plan_pb2.LaunchPlan
    ) -> execution_pb2.ExecutionSpec:
        """What the engine runs with: the request's settings, else the launch plan's, else the project-domain
        WORKFLOW_EXECUTION_CONFIG attributes (flyteadmin's ``getExecutionConfig``)."""
        resolved = execution_pb2.ExecutionSpec()
        resolved.CopyFrom(spec)
        sources: list[Any] = [launch_plan.spec]
        attributes = self.matchable_attributes(
            matchable_resource_pb2.WORKFLOW_EXECUTION_CONFIG,
            spec.launch_plan.project,
            spec.launch_plan.domain,
            launch_plan.spec.workflow_id.name,
        )
        if attributes is not None:
            sources.append(attributes.workflow_execution_config)
        for source in sources:
            _merge_execution_config(resolved, source)
        if not resolved.security_context.run_as.ByteSize():
            role = spec.auth_role if spec.HasField("auth_role") else launch_plan.spec.auth_role
            if role.assumable_iam_role or role.kubernetes_service_account:
                resolved.security_context.run_as.iam_role = role.assumable_iam_role
                resolved.security_context.run_as.k8s_service_account = role.kubernetes_service_account
        if not resolved.HasField("interruptible"):
            resolved.interruptible.value = False
        return resolved

    def matchable_attributes(
        self, resource_type: int, project: str, domain: str = "", workflow: str = "", launch_plan: str = ""
    ) -> matchable_resource_pb2.MatchingAttributes | None:
        """The most specific stored attributes: workflow (and launch plan), then project-domain, then project."""
        candidates = [(domain, workflow, launch_plan)] if workflow else []
        candidates += [(domain, "", ""), ("", "", "")]
        for scope_domain, scope_workflow, scope_launch_plan in candidates:
            row = self.state.find(
                "matchable_attributes",
                "record",
                resource_type=resource_type,
                project=project,
                domain=scope_domain,
                workflow=scope_workflow,
                launch_plan=scope_launch_plan,
            )
            if row is not None:
                return matchable_resource_pb2.MatchingAttributes.FromString(row["record"])
        return None

    def _fresh_name(self, project: str, domain: str) -> str:
        while True:
            name = "a" + "".join(secrets.choice(_NAME_ALPHABET) for _ in range(_EXECUTION_NAME_LENGTH - 1))
            if self.state.find("executions", "1", project=project, domain=domain, name=name) is None:
                return name

    def _submit(
        self,
        execution_id: identifier_pb2.WorkflowExecutionIdentifier,
        closure: compiler_pb2.CompiledWorkflowClosure,
        inputs: literals_pb2.LiteralMap,
        spec: execution_pb2.ExecutionSpec,
    ) -> None:
        if self.engine is None:
            return
        try:
            self.engine.submit(execution_id, closure, inputs, spec)
        except Exception as error:  # the execution exists; record why it never ran, as flyteadmin does
            _log.exception("the engine refused execution %s", events.describe_execution(execution_id))
            self._fail_unstarted(execution_id, f"the sandbox engine could not start the execution: {error}")

    def _fail_unstarted(self, execution_id: identifier_pb2.WorkflowExecutionIdentifier, message: str) -> None:
        failure = event_pb2.WorkflowExecutionEvent(
            execution_id=execution_id,
            phase=WorkflowPhase.FAILED,
            occurred_at=events.timestamp(_now()),
            error=core_execution_pb2.ExecutionError(
                code="Unknown", message=message, kind=core_execution_pb2.ExecutionError.SYSTEM
            ),
        )
        try:
            events.apply_workflow_event(self.state, self._blobs, failure)
        except AdminError:
            _log.exception("could not mark execution %s failed", events.describe_execution(execution_id))

    def relaunch_execution(
        self, execution_id: identifier_pb2.WorkflowExecutionIdentifier, name: str, overwrite_cache: bool
    ) -> identifier_pb2.WorkflowExecutionIdentifier:
        """A new execution of the same launch plan with the same user inputs (mode RELAUNCH)."""
        existing = self.execution(execution_id)
        row = self.state.find("executions", "user_inputs_uri", **events.execution_key(execution_id))
        spec = execution_pb2.ExecutionSpec()
        spec.CopyFrom(existing.spec)
        spec.metadata.mode = ExecutionMode.RELAUNCH
        spec.metadata.reference_execution.CopyFrom(existing.id)
        spec.overwrite_cache = overwrite_cache
        return self.create_execution(self._reference_request(execution_id, name, spec, row["user_inputs_uri"]))

    def recover_execution(
        self, execution_id: identifier_pb2.WorkflowExecutionIdentifier, name: str, metadata: Any
    ) -> identifier_pb2.WorkflowExecutionIdentifier:
        """A new execution of the same launch plan and inputs (mode RECOVERED)."""
        existing = self.execution(execution_id)
        row = self.state.find("executions", "user_inputs_uri", **events.execution_key(execution_id))
        spec = execution_pb2.ExecutionSpec()
        spec.CopyFrom(existing.spec)
        if metadata is not None and metadata.HasField("parent_node_execution"):
            spec.metadata.parent_node_execution.CopyFrom(metadata.parent_node_execution)
        spec.metadata.mode = ExecutionMode.RECOVERED
        spec.metadata.reference_execution.CopyFrom(existing.id)
        return self.create_execution(self._reference_request(execution_id, name, spec, row["user_inputs_uri"]))

    def _reference_request(
        self, execution_id: Any, name: str, spec: execution_pb2.ExecutionSpec, user_inputs_uri: str
    ) -> execution_pb2.ExecutionCreateRequest:
        spec.metadata.ClearField("system_metadata")
        inputs = literals_pb2.LiteralMap.FromString(self._blobs.read_bytes(user_inputs_uri))
        return execution_pb2.ExecutionCreateRequest(
            project=execution_id.project, domain=execution_id.domain, name=name, spec=spec, inputs=inputs
        )

    def execution(self, execution_id: identifier_pb2.WorkflowExecutionIdentifier) -> execution_pb2.Execution:
        row = self.state.find("executions", "record", **events.execution_key(execution_id))
        if row is None:
            raise NotFound(
                f"execution {events.describe_execution(execution_id)} does not exist (check the project, domain "
                "and name)"
            )
        return execution_pb2.Execution.FromString(row["record"])

    def terminate(
        self, execution_id: identifier_pb2.WorkflowExecutionIdentifier, cause: str, principal: str = ""
    ) -> None:
        """flyteadmin's TerminateExecution: ABORTING with the cause now; the engine reports ABORTED when done."""
        key = events.execution_key(execution_id)
        with self.state.transaction():
            row = self.state.find("executions", "phase, record", **key)
            if row is None:
                raise NotFound(f"execution {events.describe_execution(execution_id)} does not exist")
            if WorkflowPhase.Phase.Value(row["phase"]) in events.TERMINAL_WORKFLOW_PHASES:
                raise FailedPrecondition(
                    f"Cannot abort an already terminate workflow execution: {events.describe_execution(execution_id)} "
                    f"is {row['phase']}"
                )
            record = execution_pb2.Execution.FromString(row["record"])
            record.closure.abort_metadata.CopyFrom(execution_pb2.AbortMetadata(cause=cause, principal=principal))
            record.closure.phase = WorkflowPhase.ABORTING
            self.state.update(
                "executions",
                key,
                phase=WorkflowPhase.Phase.Name(WorkflowPhase.ABORTING),
                abort_cause=cause,
                record=record.SerializeToString(),
            )
        if self.engine is not None:
            self.engine.terminate(execution_id, cause)

    def outputs(self, closure: Any) -> literals_pb2.LiteralMap | None:
        """The outputs a closure points at (``outputs.uri`` / ``output_uri`` / inline ``output_data``), if any."""
        if closure.DESCRIPTOR.name == "ExecutionClosure":
            kind = closure.WhichOneof("output_result")
            if kind == "outputs":
                if closure.outputs.HasField("values"):
                    return closure.outputs.values
                return self._read_literal_map(closure.outputs.uri)
            return closure.output_data if kind == "output_data" else None
        kind = closure.WhichOneof("output_result")
        if kind == "output_uri":
            return self._read_literal_map(closure.output_uri)
        return closure.output_data if kind == "output_data" else None

    def _read_literal_map(self, uri: str) -> literals_pb2.LiteralMap | None:
        if not uri:
            return None
        try:
            return literals_pb2.LiteralMap.FromString(self._blobs.read_bytes(uri))
        except (OSError, ValueError):
            _log.warning("cannot read the literal map at %s", uri)
            return None

    # -- node and task executions, and their data ----------------------------------------------------------------

    def node_execution(self, node_id: identifier_pb2.NodeExecutionIdentifier) -> node_execution_pb2.NodeExecution:
        return node_execution_pb2.NodeExecution.FromString(self._node_row(node_id, "record")["record"])

    def _node_row(self, node_id: identifier_pb2.NodeExecutionIdentifier, columns: str) -> Any:
        if not node_id.node_id:
            raise InvalidArgument("missing node_id in the node execution id")
        check_named_id(node_id.execution_id, f"the execution of node '{node_id.node_id}'")
        row = self.state.find("node_executions", columns, **events.node_key(node_id))
        if row is None:
            raise NotFound(f"{events.describe_node(node_id)} does not exist (no event was recorded for it yet)")
        return row

    def dynamic_workflow(
        self, node_id: identifier_pb2.NodeExecutionIdentifier
    ) -> compiler_pb2.CompiledWorkflowClosure | None:
        return events.dynamic_workflow(self._node_row(node_id, "dynamic_closure")["dynamic_closure"])

    def node_execution_data(
        self, node_id: identifier_pb2.NodeExecutionIdentifier
    ) -> node_execution_pb2.NodeExecutionGetDataResponse:
        """flyteadmin's GetNodeExecutionData: inputs, outputs, flyte:// URLs and the compiled dynamic workflow."""
        row = self._node_row(node_id, "record, dynamic_closure")
        node = node_execution_pb2.NodeExecution.FromString(row["record"])
        full_inputs, inputs = self.data(node.input_uri)
        full_outputs, outputs = self.output_data(node.closure)
        response = node_execution_pb2.NodeExecutionGetDataResponse(
            inputs=inputs,
            outputs=outputs,
            full_inputs=full_inputs,
            full_outputs=full_outputs,
            flyte_urls=flyte_urls(node_id, None, bool(node.closure.deck_uri)),
        )
        dynamic = events.dynamic_workflow(row["dynamic_closure"])
        if dynamic is not None:
            response.dynamic_workflow.CopyFrom(
                node_execution_pb2.DynamicWorkflowNodeMetadata(
                    id=dynamic.primary.template.id,
                    compiled_workflow=dynamic,
                    dynamic_job_spec_uri=node.closure.dynamic_job_spec_uri,
                )
            )
        return response

    def task_execution(self, identifier: identifier_pb2.TaskExecutionIdentifier) -> task_execution_pb2.TaskExecution:
        if not identifier.HasField("task_id") or not identifier.task_id.name:
            raise InvalidArgument("missing task_id in the task execution id")
        self._node_row(identifier.node_execution_id, "1")
        row = self.state.find("task_executions", "record", **events.task_key(identifier))
        if row is None:
            raise NotFound(
                f"task execution of task {describe(identifier.task_id)} attempt {identifier.retry_attempt} of "
                f"{events.describe_node(identifier.node_execution_id)} does not exist"
            )
        return self.with_is_parent(row["record"])

    def with_is_parent(self, record: bytes) -> task_execution_pb2.TaskExecution:
        """A stored task execution, ``is_parent`` when nodes were launched by it (as flyteadmin's preload)."""
        execution = task_execution_pb2.TaskExecution.FromString(record)
        key = events.parent_task_key(execution.id)
        execution.is_parent = self.state.one("SELECT 1 FROM node_executions WHERE parent_task = ?", (key,)) is not None
        return execution

    def task_execution_data(
        self, identifier: identifier_pb2.TaskExecutionIdentifier
    ) -> task_execution_pb2.TaskExecutionGetDataResponse:
        execution = self.task_execution(identifier)
        full_inputs, inputs = self.data(execution.input_uri)
        full_outputs, outputs = self.output_data(execution.closure)
        return task_execution_pb2.TaskExecutionGetDataResponse(
            inputs=inputs,
            outputs=outputs,
            full_inputs=full_inputs,
            full_outputs=full_outputs,
            flyte_urls=flyte_urls(identifier.node_execution_id, identifier.retry_attempt, False),
        )

    def data(self, uri: str) -> tuple[literals_pb2.LiteralMap, common_pb2.UrlBlob]:
        """The literal map at ``uri`` inline (when under 2 MB) and its ``UrlBlob`` (file:// URL and size)."""
        if not uri:
            return literals_pb2.LiteralMap(), common_pb2.UrlBlob()
        try:
            size = self._blobs.size(uri)
        except (OSError, ValueError):
            _log.warning("cannot read the literal map at %s", uri)
            return literals_pb2.LiteralMap(), common_pb2.UrlBlob()
        blob = common_pb2.UrlBlob(url=uri, bytes=size)
        if size >= MAX_INLINE_BYTES:
            return literals_pb2.LiteralMap(), blob
        return literals_pb2.LiteralMap.FromString(self._blobs.read_bytes(uri)), blob

    def output_data(self, closure: Any) -> tuple[literals_pb2.LiteralMap, common_pb2.UrlBlob]:
        """The outputs a closure points at, as :meth:`data`; inline ``output_data`` under 2 MB is returned as is."""
        kind = closure.WhichOneof("output_result")
        if kind == "outputs" and not closure.outputs.HasField("values"):
            return self.data(closure.outputs.uri)
        if kind == "output_uri":
            return self.data(closure.output_uri)
        inline = self.outputs(closure)
        if inline is not None and inline.ByteSize() < MAX_INLINE_BYTES:
            return inline, common_pb2.UrlBlob()
        return literals_pb2.LiteralMap(), common_pb2.UrlBlob()

    # ================================================================================================================
    # EngineHost
    # ================================================================================================================

    def record_workflow_event(self, event: event_pb2.WorkflowExecutionEvent) -> None:
        """Apply an execution's phase change; repeats and changes after a terminal phase are ignored (as propeller)."""
        self._apply(events.apply_workflow_event, event)

    def record_node_event(self, event: event_pb2.NodeExecutionEvent) -> None:
        self._apply(events.apply_node_event, event)

    def record_task_event(self, event: event_pb2.TaskExecutionEvent) -> None:
        self._apply(events.apply_task_event, event)

    def _apply(self, apply: Callable[..., Any], event: Any) -> None:
        try:
            apply(self.state, self._blobs, event)
        except (AlreadyExists, FailedPrecondition) as ignored:
            _log.debug("event ignored: %s", ignored.message)

    def launch_child_execution(
        self,
        launch_plan: identifier_pb2.Identifier,
        inputs: literals_pb2.LiteralMap,
        parent: identifier_pb2.NodeExecutionIdentifier,
    ) -> identifier_pb2.WorkflowExecutionIdentifier:
        """The execution of a launch-plan node: created once per parent node, inheriting the parent's settings."""
        existing = self.state.one(
            "SELECT project, domain, name FROM executions WHERE parent_project = ? AND parent_domain = ? AND "
            "parent_name = ? AND parent_node_id = ?",
            (parent.execution_id.project, parent.execution_id.domain, parent.execution_id.name, parent.node_id),
        )
        if existing is not None:
            return identifier_pb2.WorkflowExecutionIdentifier(**dict(existing))
        row = self.state.find("executions", "resolved_spec", **events.execution_key(parent.execution_id))
        if row is None:
            raise NotFound(f"execution {events.describe_execution(parent.execution_id)} does not exist")
        parent_spec = execution_pb2.ExecutionSpec.FromString(row["resolved_spec"])
        spec = execution_pb2.ExecutionSpec(
            launch_plan=launch_plan,
            metadata=execution_pb2.ExecutionMetadata(mode=ExecutionMode.CHILD_WORKFLOW, parent_node_execution=parent),
        )
        for name in ("labels", "annotations", "security_context", "raw_output_data_config", "interruptible", "envs"):
            if parent_spec.HasField(name):
                getattr(spec, name).CopyFrom(getattr(parent_spec, name))
        spec.max_parallelism = parent_spec.max_parallelism
        spec.overwrite_cache = parent_spec.overwrite_cache
        seed = f"{events.describe_execution(parent.execution_id)}/{parent.node_id}"
        name = "f" + hashlib.sha256(seed.encode()).hexdigest()[: _EXECUTION_NAME_LENGTH - 1]
        request = execution_pb2.ExecutionCreateRequest(
            project=parent.execution_id.project,
            domain=parent.execution_id.domain,
            name=name,
            spec=spec,
            inputs=inputs,
        )
        try:
            return self.create_execution(request)
        except AlreadyExists:
            return identifier_pb2.WorkflowExecutionIdentifier(project=request.project, domain=request.domain, name=name)

    def get_execution(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> execution_pb2.Execution:
        return self.execution(execution)

    def get_execution_outputs(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> literals_pb2.LiteralMap:
        record = self.execution(execution)
        if record.closure.phase != WorkflowPhase.SUCCEEDED:
            raise FailedPrecondition(
                f"execution {events.describe_execution(execution)} has no outputs: it is "
                f"{WorkflowPhase.Phase.Name(record.closure.phase)}"
            )
        return self.outputs(record.closure) or literals_pb2.LiteralMap()

    def terminate_execution(self, execution: identifier_pb2.WorkflowExecutionIdentifier, cause: str) -> None:
        """Abort a child execution; one that already finished is left alone."""
        with contextlib.suppress(FailedPrecondition):
            self.terminate(execution, cause)

    def get_or_create_signal(
        self, execution: identifier_pb2.WorkflowExecutionIdentifier, signal_id: str, type: object
    ) -> literals_pb2.Literal | None:
        signal = self.signal(execution, signal_id, type)  # type: ignore[arg-type]
        return signal.value if signal.HasField("value") else None

    def signal(
        self, execution: identifier_pb2.WorkflowExecutionIdentifier, signal_id: str, type: types_pb2.LiteralType
    ) -> Any:
        """flyteadmin's GetOrCreateSignal: the stored signal (created with ``type`` the first time)."""
        from flyteidl.admin import signal_pb2
        from flyteidl.core import identifier_pb2 as ids

        key = {**events.execution_key(execution), "signal_id": signal_id}
        key["execution_name"] = key.pop("name")
        with self.state.transaction():
            if self.state.find("executions", "1", **events.execution_key(execution)) is None:
                raise NotFound(f"execution {events.describe_execution(execution)} does not exist")
            row = self.state.find("signals", "type, value", **key)
            if row is None:
                now = _now()
                self.state.insert(
                    "signals", **key, type=type.SerializeToString(), value=None, created_at=now, updated_at=now
                )
                row = self.state.find("signals", "type, value", **key)
        signal = signal_pb2.Signal(
            id=ids.SignalIdentifier(signal_id=signal_id, execution_id=execution),
            type=types_pb2.LiteralType.FromString(row["type"]),
        )
        if row["value"] is not None:
            signal.value.CopyFrom(literals_pb2.Literal.FromString(row["value"]))
        return signal

    def launch_plan_interface(self, launch_plan: identifier_pb2.Identifier) -> interface_pb2.TypedInterface:
        return _launch_plan_interface(self.launch_plan(_typed(launch_plan, ResourceType.LAUNCH_PLAN)))

    def compile_dynamic(
        self, parent_node: str, interface: interface_pb2.TypedInterface, futures: object
    ) -> compiler_pb2.CompiledWorkflowClosure:
        from flyte_core.sandbox import compiler

        return compiler.compile_dynamic(parent_node, interface, futures, self._registered_interface)  # type: ignore[arg-type]

    def cached_outputs(
        self, task: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap
    ) -> literals_pb2.LiteralMap | None:
        row = self.state.find("task_cache", "outputs", key=cache_key(task, inputs))
        return literals_pb2.LiteralMap.FromString(row["outputs"]) if row else None

    def cache_outputs(
        self, task: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap, outputs: literals_pb2.LiteralMap
    ) -> None:
        self.state.insert(
            "task_cache",
            replace=True,
            key=cache_key(task, inputs),
            task_name=task.id.name,
            cache_version=task.metadata.discovery_version,
            outputs=outputs.SerializeToString(),
            created_at=_now(),
        )

    def load_engine_state(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> bytes | None:
        key = events.execution_key(execution)
        row = self.state.find(
            "engine_state", "state", project=key["project"], domain=key["domain"], execution_name=key["name"]
        )
        return bytes(row["state"]) if row else None

    def save_engine_state(self, execution: identifier_pb2.WorkflowExecutionIdentifier, state: bytes) -> None:
        key = events.execution_key(execution)
        self.state.insert(
            "engine_state",
            replace=True,
            project=key["project"],
            domain=key["domain"],
            execution_name=key["name"],
            state=state,
            updated_at=_now(),
        )

    # -- restart ----------------------------------------------------------------------------------------------------

    def resume_unfinished(self) -> int:
        """Hand every execution that is not terminal back to the engine (after a restart); how many there were."""
        if self.engine is None:
            return 0
        terminal = [WorkflowPhase.Phase.Name(p) for p in events.TERMINAL_WORKFLOW_PHASES]
        marks = ", ".join("?" for _ in terminal)
        rows = self.state.all(
            f"SELECT project, domain, name, phase, closure, inputs_uri, resolved_spec, abort_cause FROM executions "
            f"WHERE phase NOT IN ({marks}) ORDER BY created_at",
            terminal,
        )
        for row in rows:
            execution_id = identifier_pb2.WorkflowExecutionIdentifier(
                project=row["project"], domain=row["domain"], name=row["name"]
            )
            closure = compiler_pb2.CompiledWorkflowClosure.FromString(row["closure"])
            inputs = literals_pb2.LiteralMap.FromString(self._blobs.read_bytes(row["inputs_uri"]))
            spec = execution_pb2.ExecutionSpec.FromString(row["resolved_spec"])
            self.engine.resume(execution_id, closure, inputs, spec)
            if row["phase"] == WorkflowPhase.Phase.Name(WorkflowPhase.ABORTING):
                self.engine.terminate(execution_id, row["abort_cause"] or "")
        return len(rows)


# -- helpers -----------------------------------------------------------------------------------------------------------


def _typed(identifier: identifier_pb2.Identifier, resource_type: int) -> identifier_pb2.Identifier:
    typed = identifier_pb2.Identifier()
    typed.CopyFrom(identifier)
    typed.resource_type = resource_type
    return typed


def launch_plan_record(row: Any) -> launch_plan_pb2.LaunchPlan:
    """A stored launch plan with its state and times filled in, as flyteadmin's ``FromLaunchPlanModel``."""
    launch_plan = launch_plan_pb2.LaunchPlan.FromString(row["record"])
    launch_plan.closure.state = row["state"]
    launch_plan.closure.created_at.CopyFrom(events.timestamp(row["created_at"]))
    launch_plan.closure.updated_at.CopyFrom(events.timestamp(row["updated_at"]))
    return launch_plan


def _launch_plan_interface(launch_plan: launch_plan_pb2.LaunchPlan) -> interface_pb2.TypedInterface:
    interface = interface_pb2.TypedInterface()
    for name, parameter in launch_plan.closure.expected_inputs.parameters.items():
        interface.inputs.variables[name].CopyFrom(parameter.var)
    interface.outputs.CopyFrom(launch_plan.closure.expected_outputs)
    return interface


def _expected_launch_plan_inputs(
    identifier: identifier_pb2.Identifier,
    workflow_inputs: interface_pb2.VariableMap,
    fixed: literals_pb2.LiteralMap,
    defaults: interface_pb2.ParameterMap,
) -> interface_pb2.ParameterMap:
    """flyteadmin's ``checkAndFetchExpectedInputForLaunchPlan``: defaults, plus every free workflow input required."""
    variables = workflow_inputs.variables
    if not variables:
        if defaults.parameters:
            raise InvalidArgument(
                f"invalid launch plan default inputs, expected none but found {len(defaults.parameters)} "
                f"(launch plan {describe(identifier)})"
            )
        if fixed.literals:
            raise InvalidArgument(
                f"invalid launch plan fixed inputs, expected none but found {len(fixed.literals)} "
                f"(launch plan {describe(identifier)})"
            )
        return interface_pb2.ParameterMap()
    for name, parameter in defaults.parameters.items():
        if name not in variables:
            raise InvalidArgument(f"unexpected default_input {name} (launch plan {describe(identifier)})")
        if parameter.HasField("default") and not literal_matches(parameter.default, variables[name].type):
            raise InvalidArgument(f"invalid default_input wrong type {name} (launch plan {describe(identifier)})")
    for name, literal in fixed.literals.items():
        if name not in variables:
            raise InvalidArgument(f"unexpected fixed_input {name} (launch plan {describe(identifier)})")
        if not literal_matches(literal, variables[name].type):
            raise InvalidArgument(f"invalid fixed_input wrong type {name} (launch plan {describe(identifier)})")
    expected = interface_pb2.ParameterMap()
    for name, variable in variables.items():
        if name in defaults.parameters:
            expected.parameters[name].CopyFrom(defaults.parameters[name])
        elif name not in fixed.literals:
            parameter = expected.parameters[name]
            parameter.var.type.CopyFrom(variable.type)
            parameter.var.description = variable.description
            parameter.required = True
    return expected


def _check_schedule(
    identifier: identifier_pb2.Identifier, spec: launch_plan_pb2.LaunchPlanSpec, expected: interface_pb2.ParameterMap
) -> None:
    schedule = spec.entity_metadata.schedule
    if not (schedule.cron_expression or schedule.HasField("rate") or schedule.HasField("cron_schedule")):
        return
    for name, parameter in expected.parameters.items():
        if parameter.required and name != schedule.kickoff_time_input_arg:
            raise InvalidArgument(
                f"Cannot create a launch plan with a schedule if there is an unbound required input. [{name}] is "
                f"required (launch plan {describe(identifier)})"
            )
    if schedule.kickoff_time_input_arg:
        parameter = expected.parameters.get(schedule.kickoff_time_input_arg)
        if parameter is None:
            raise InvalidArgument(
                "Cannot create a schedule with a KickoffTimeInputArg that does not point to a free input. "
                f"[{schedule.kickoff_time_input_arg}] is not free or does not exist."
            )
        if parameter.var.type.simple != types_pb2.DATETIME:
            raise InvalidArgument(
                f"KickoffTimeInputArg must reference a datetime input. [{schedule.kickoff_time_input_arg}] is not"
            )


def _execution_inputs(
    user_inputs: literals_pb2.LiteralMap, launch_plan: launch_plan_pb2.LaunchPlan
) -> literals_pb2.LiteralMap:
    """flyteadmin's ``CheckAndFetchInputsForExecution``: given inputs, then defaults; fixed inputs cannot be given."""
    expected = launch_plan.closure.expected_inputs.parameters
    merged = literals_pb2.LiteralMap()
    for name, value in user_inputs.literals.items():
        if name in launch_plan.spec.fixed_inputs.literals:
            raise InvalidArgument(
                f"invalid input {name}: launch plan {describe(launch_plan.id)} fixes it (fixed_inputs), it cannot "
                "be overridden"
            )
        if name not in expected:
            raise InvalidArgument(
                f"invalid input {name}: launch plan {describe(launch_plan.id)} takes "
                f"{', '.join(sorted(expected)) or 'no inputs'}"
            )
        if not literal_matches(value, expected[name].var.type):
            raise InvalidArgument(f"invalid {name} input wrong type (launch plan {describe(launch_plan.id)})")
        merged.literals[name].CopyFrom(value)
    for name, parameter in expected.items():
        if name in merged.literals:
            continue
        if parameter.required:
            raise InvalidArgument(
                f"expected_inputs {name} missing: launch plan {describe(launch_plan.id)} requires input '{name}'"
            )
        merged.literals[name].CopyFrom(parameter.default)
    for name, value in launch_plan.spec.fixed_inputs.literals.items():
        if name in merged.literals:
            raise InvalidArgument(
                f"fixed_inputs {name} cannot be overridden: launch plan {describe(launch_plan.id)} fixes it"
            )
        merged.literals[name].CopyFrom(value)
    return merged


def literal_matches(literal: literals_pb2.Literal, expected: types_pb2.LiteralType) -> bool:
    """A conservative type check of a value against a declared type: False only when they clearly disagree.

    It compares shapes (scalar / collection / map) and, for primitives, the simple type; anything it cannot
    judge (unions, blobs, structured types, offloaded values) is accepted and left to the task to reject.
    """
    kind = expected.WhichOneof("type")
    value = literal.WhichOneof("value")
    if kind in (None, "union_type") or value in (None, "offloaded_metadata"):
        return True
    if value == "scalar" and literal.scalar.WhichOneof("value") == "none_type":
        return True
    if kind == "collection_type":
        return value == "collection" and all(
            literal_matches(item, expected.collection_type) for item in literal.collection.literals
        )
    if kind == "map_value_type":
        return value == "map" and all(
            literal_matches(item, expected.map_value_type) for item in literal.map.literals.values()
        )
    if value in ("collection", "map"):
        return False
    if kind == "simple" and value == "scalar" and literal.scalar.WhichOneof("value") == "primitive":
        primitive = literal.scalar.primitive.WhichOneof("value")
        allowed = {
            types_pb2.INTEGER: {"integer"},
            types_pb2.FLOAT: {"float_value", "integer"},
            types_pb2.STRING: {"string_value"},
            types_pb2.BOOLEAN: {"boolean"},
            types_pb2.DATETIME: {"datetime"},
            types_pb2.DURATION: {"duration"},
        }.get(expected.simple)
        return allowed is None or primitive in allowed
    return True


def _merge_execution_config(target: execution_pb2.ExecutionSpec, source: Any) -> None:
    """flyteadmin's ``MergeIntoExecConfig``: fill what ``target`` leaves unset from ``source``."""
    if not target.max_parallelism and getattr(source, "max_parallelism", 0):
        target.max_parallelism = source.max_parallelism
    if not target.security_context.run_as.ByteSize() and source.HasField("security_context"):
        run_as = source.security_context.run_as
        if run_as.k8s_service_account or run_as.iam_role or run_as.execution_identity:
            target.security_context.CopyFrom(source.security_context)
    if not target.raw_output_data_config.output_location_prefix and source.HasField("raw_output_data_config"):
        target.raw_output_data_config.CopyFrom(source.raw_output_data_config)
    for name in ("labels", "annotations", "envs"):
        own = getattr(target, name)
        if not own.values and source.HasField(name) and getattr(source, name).values:
            own.CopyFrom(getattr(source, name))
    if not target.HasField("interruptible") and source.HasField("interruptible"):
        target.interruptible.CopyFrom(source.interruptible)
    if not target.overwrite_cache and getattr(source, "overwrite_cache", False):
        target.overwrite_cache = True


def _notifications(spec: execution_pb2.ExecutionSpec, launch_plan: launch_plan_pb2.LaunchPlan) -> list[Any] | None:
    if spec.HasField("notifications") and spec.notifications.notifications:
        return list(spec.notifications.notifications)
    if spec.disable_all:
        return []
    return list(launch_plan.spec.entity_metadata.notifications) or None


def cache_key(task: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap) -> str:
    """The task cache key: project, domain, task name, cache version, interface and inputs (minus the ignored ones,
    each literal standing for its ``hash`` when it has one), as datacatalog keys artifacts."""
    ignored = set(task.metadata.cache_ignore_input_vars)
    kept = literals_pb2.LiteralMap()
    for name, literal in inputs.literals.items():
        if name not in ignored:
            kept.literals[name].CopyFrom(_hashable(literal))
    digest = hashlib.sha256()
    for part in (task.id.project, task.id.domain, task.id.name, task.metadata.discovery_version):
        digest.update(part.encode() + b"\0")
    digest.update(hashlib.sha256(task.interface.SerializeToString(deterministic=True)).digest())
    digest.update(hashlib.sha256(kept.SerializeToString(deterministic=True)).digest())
    return digest.hexdigest()


def _hashable(literal: literals_pb2.Literal) -> literals_pb2.Literal:
    """propeller's ``hashify``: a literal with a ``hash`` stands for it; collections and maps recurse."""
    if literal.hash:
        return literals_pb2.Literal(hash=literal.hash)
    if literal.HasField("collection"):
        return literals_pb2.Literal(
            collection=literals_pb2.LiteralCollection(
                literals=[_hashable(item) for item in literal.collection.literals]
            )
        )
    if literal.HasField("map"):
        result = literals_pb2.Literal()
        for name, item in literal.map.literals.items():
            result.map.literals[name].CopyFrom(_hashable(item))
        return result
    return literal


def flyte_urls(
    node_id: identifier_pb2.NodeExecutionIdentifier, attempt: int | None, deck: bool
) -> common_pb2.FlyteURLs:
    """flyteadmin's ``flyte://v1/<project>/<domain>/<execution>/<node>[/<attempt>]/{i,o,d}`` URLs."""
    execution = node_id.execution_id
    base = f"flyte://v1/{execution.project}/{execution.domain}/{execution.name}/{node_id.node_id}"
    if attempt is not None:
        base += f"/{attempt}"
    return common_pb2.FlyteURLs(inputs=f"{base}/i", outputs=f"{base}/o", deck=f"{base}/d" if deck else "")

"""Executions: flyteadmin's CreateExecution (validated, the launch plan resolved or a task wrapped in one, inputs
merged, recorded UNDEFINED and submitted to the engine), relaunch and recovery, lookup and termination.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from typing import Any

from flyteidl.admin import common_pb2, execution_pb2, launch_plan_pb2, workflow_pb2
from flyteidl.core import compiler_pb2, identifier_pb2, interface_pb2, literals_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.event import event_pb2

from flyte_core.sandbox import events
from flyte_core.sandbox.control_plane.inputs import _execution_inputs
from flyte_core.sandbox.control_plane.records import (
    _EXECUTION_NAME_LENGTH,
    ControlPlaneParts,
    ExecutionMode,
    ResourceType,
    WorkflowPhase,
    _now,
    check_identifier,
)
from flyte_core.sandbox.errors import AdminError, AlreadyExists, FailedPrecondition, InvalidArgument, NotFound

_log = logging.getLogger("flyte_core.sandbox")

_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
"""k8s ``rand.String``'s alphabet, from which flyteadmin draws execution names (``a`` + 19 characters)."""
_MAX_EXECUTION_NAME_LENGTH = 63
"""Names given by clients: up to a Kubernetes label value, as flyteadmin allows (``allowedExecutionNameLength``)."""
_SYSTEM_GENERATED = common_pb2.NamedEntityState.SYSTEM_GENERATED


class ExecutionsMixin(ControlPlaneParts):
    """Executions created, relaunched, recovered, fetched and terminated."""

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


def _notifications(spec: execution_pb2.ExecutionSpec, launch_plan: launch_plan_pb2.LaunchPlan) -> list[Any] | None:
    if spec.HasField("notifications") and spec.notifications.notifications:
        return list(spec.notifications.notifications)
    if spec.disable_all:
        return []
    return list(launch_plan.spec.entity_metadata.notifications) or None

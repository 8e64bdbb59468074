"""Launch plans: registration (inputs checked against the workflow's interface, schedules validated), activation
(one active version per name, the scheduler told at once), the active plans and schedules, and the start of a
schedule's firing; with the stored record and interface of a launch plan other jobs read.
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

from flyteidl.admin import execution_pb2, launch_plan_pb2
from flyteidl.core import identifier_pb2, interface_pb2, literals_pb2, types_pb2

from flyte_core.sandbox import events
from flyte_core.sandbox.control_plane.inputs import _expected_launch_plan_inputs
from flyte_core.sandbox.control_plane.records import (
    _EXECUTION_NAME_LENGTH,
    ControlPlaneParts,
    ExecutionMode,
    ResourceType,
    _differences,
    _digest,
    _entity_key,
    _not_registered,
    _now,
    check_identifier,
    describe,
)
from flyte_core.sandbox.errors import AlreadyExists, InvalidArgument, NotFound


class LaunchPlansMixin(ControlPlaneParts):
    """flyteadmin's launch plan store: CreateLaunchPlan, UpdateLaunchPlan, GetActiveLaunchPlan and schedules."""

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

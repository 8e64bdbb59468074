"""The sandbox's ``flyteidl.service.AdminService``: flyteadmin's answers, over :class:`ControlPlane`.

Every RPC a flytekit 1.16 client, flytectl or the console uses is implemented as flyteadmin answers it
(registration, executions, node and task executions, projects, named entities, launch-plan activation,
attributes, description entities, versions); the event RPCs propeller uses apply events like the engine's.
Errors map to flyteadmin's status codes through :func:`~flyte_core.sandbox.errors.guard_servicer`.
"""

from __future__ import annotations

import time
from typing import Any

from flyteidl.admin import (
    common_pb2,
    description_entity_pb2,
    event_pb2,
    execution_pb2,
    launch_plan_pb2,
    matchable_resource_pb2,
    node_execution_pb2,
    project_attributes_pb2,
    project_domain_attributes_pb2,
    project_pb2,
    task_execution_pb2,
    task_pb2,
    version_pb2,
    workflow_attributes_pb2,
    workflow_pb2,
)
from flyteidl.core import identifier_pb2, metrics_pb2
from flyteidl.service import admin_pb2_grpc

from flyte_core.sandbox import events, filters
from flyte_core.sandbox.control_plane import (
    ControlPlane,
    check_identifier,
    check_named_id,
    describe,
    launch_plan_record,
)
from flyte_core.sandbox.errors import AlreadyExists, InvalidArgument, NotFound, guard_servicer
from flyte_core.sandbox.state import DOMAINS

ResourceType = identifier_pb2.ResourceType
_ENTITY_TABLES = {
    ResourceType.TASK: "tasks",
    ResourceType.WORKFLOW: "workflows",
    ResourceType.LAUNCH_PLAN: "launch_plans",
}
_ENTITY_FILTERS = {
    ResourceType.TASK: "task",
    ResourceType.WORKFLOW: "workflow",
    ResourceType.LAUNCH_PLAN: "launch_plan",
}
_TRIMMED_ERROR_BYTES = 100
"""flyteadmin trims error messages to this many bytes in list responses (``TrimErrorMessage``)."""


def _sort(request: Any) -> Any:
    return request.sort_by if request.HasField("sort_by") else None


def _trim_error(closure: Any) -> None:
    if closure.HasField("error") and len(closure.error.message.encode()) > _TRIMMED_ERROR_BYTES:
        closure.error.message = closure.error.message.encode()[:_TRIMMED_ERROR_BYTES].decode("utf-8", "ignore")


def _execution_id(identifier: Any, what: str = "execution") -> None:
    if identifier is None or not identifier.ByteSize():
        raise InvalidArgument(f"missing id: the request must name the {what} (project, domain, name)")
    check_named_id(identifier, what)


def _node_execution_id(identifier: Any) -> None:
    if not identifier.node_id:
        raise InvalidArgument("missing node_id in the node execution id")
    _execution_id(identifier.execution_id, f"execution of node '{identifier.node_id}'")


@guard_servicer
class AdminService(admin_pb2_grpc.AdminServiceServicer):
    """flyteadmin's AdminService on the sandbox's control plane."""

    def __init__(self, control_plane: ControlPlane, version: str = "") -> None:
        self.cp = control_plane
        self.state = control_plane.state
        self.version = version

    # -- tasks, workflows, launch plans ---------------------------------------------------------------------------

    def CreateTask(self, request: task_pb2.TaskCreateRequest, context: Any) -> task_pb2.TaskCreateResponse:
        self.cp.create_task(request.id, request.spec)
        return task_pb2.TaskCreateResponse()

    def GetTask(self, request: common_pb2.ObjectGetRequest, context: Any) -> task_pb2.Task:
        check_identifier(request.id, ResourceType.TASK)
        return self.cp.task(request.id)

    def ListTasks(self, request: common_pb2.ResourceListRequest, context: Any) -> task_pb2.TaskList:
        page = self._entity_page(ResourceType.TASK, request, "ListTasks")
        return task_pb2.TaskList(tasks=[task_pb2.Task.FromString(r["record"]) for r in page.rows], token=page.token)

    def ListTaskIds(
        self, request: common_pb2.NamedEntityIdentifierListRequest, context: Any
    ) -> common_pb2.NamedEntityIdentifierList:
        return self._entity_ids(ResourceType.TASK, request, "ListTaskIds")

    def CreateWorkflow(
        self, request: workflow_pb2.WorkflowCreateRequest, context: Any
    ) -> workflow_pb2.WorkflowCreateResponse:
        self.cp.create_workflow(request.id, request.spec)
        return workflow_pb2.WorkflowCreateResponse()

    def GetWorkflow(self, request: common_pb2.ObjectGetRequest, context: Any) -> workflow_pb2.Workflow:
        check_identifier(request.id, ResourceType.WORKFLOW)
        return self.cp.workflow(request.id)

    def ListWorkflows(self, request: common_pb2.ResourceListRequest, context: Any) -> workflow_pb2.WorkflowList:
        page = self._entity_page(ResourceType.WORKFLOW, request, "ListWorkflows")
        workflows = []
        for row in page.rows:
            workflow = workflow_pb2.Workflow.FromString(row["record"])
            workflow.closure.ClearField("compiled_workflow")  # flyteadmin lists workflows without their closure
            workflows.append(workflow)
        return workflow_pb2.WorkflowList(workflows=workflows, token=page.token)

    def ListWorkflowIds(
        self, request: common_pb2.NamedEntityIdentifierListRequest, context: Any
    ) -> common_pb2.NamedEntityIdentifierList:
        return self._entity_ids(ResourceType.WORKFLOW, request, "ListWorkflowIds")

    def CreateLaunchPlan(
        self, request: launch_plan_pb2.LaunchPlanCreateRequest, context: Any
    ) -> launch_plan_pb2.LaunchPlanCreateResponse:
        self.cp.create_launch_plan(request.id, request.spec)
        return launch_plan_pb2.LaunchPlanCreateResponse()

    def GetLaunchPlan(self, request: common_pb2.ObjectGetRequest, context: Any) -> launch_plan_pb2.LaunchPlan:
        check_identifier(request.id, ResourceType.LAUNCH_PLAN)
        return self.cp.launch_plan(request.id)

    def ListLaunchPlans(self, request: common_pb2.ResourceListRequest, context: Any) -> launch_plan_pb2.LaunchPlanList:
        page = self._entity_page(ResourceType.LAUNCH_PLAN, request, "ListLaunchPlans")
        return launch_plan_pb2.LaunchPlanList(
            launch_plans=[launch_plan_record(row) for row in page.rows], token=page.token
        )

    def ListLaunchPlanIds(
        self, request: common_pb2.NamedEntityIdentifierListRequest, context: Any
    ) -> common_pb2.NamedEntityIdentifierList:
        return self._entity_ids(ResourceType.LAUNCH_PLAN, request, "ListLaunchPlanIds")

    def UpdateLaunchPlan(
        self, request: launch_plan_pb2.LaunchPlanUpdateRequest, context: Any
    ) -> launch_plan_pb2.LaunchPlanUpdateResponse:
        self.cp.update_launch_plan(request.id, request.state)
        return launch_plan_pb2.LaunchPlanUpdateResponse()

    def GetActiveLaunchPlan(
        self, request: launch_plan_pb2.ActiveLaunchPlanRequest, context: Any
    ) -> launch_plan_pb2.LaunchPlan:
        check_named_id(request.id, "the launch plan")
        return self.cp.active_launch_plan(request.id.project, request.id.domain, request.id.name)

    def ListActiveLaunchPlans(
        self, request: launch_plan_pb2.ActiveLaunchPlanListRequest, context: Any
    ) -> launch_plan_pb2.LaunchPlanList:
        check_named_id(request, "the launch plans", name=False)
        filters.check_limit(request.limit, "ListActiveLaunchPlans")
        page = self.state.page(
            "launch_plan",
            select="record, state, created_at, updated_at",
            base="project = ? AND domain = ? AND state = ?",
            base_params=[request.project, request.domain, launch_plan_pb2.ACTIVE],
            sort_by=_sort(request),
            token=request.token,
            limit=request.limit,
            rpc="ListActiveLaunchPlans",
        )
        return launch_plan_pb2.LaunchPlanList(
            launch_plans=[launch_plan_record(row) for row in page.rows], token=page.token
        )

    def _entity_page(self, resource_type: int, request: common_pb2.ResourceListRequest, rpc: str) -> Any:
        if not request.HasField("id"):
            raise InvalidArgument(f"missing id: {rpc} needs the project and domain (and optionally the name)")
        check_named_id(request.id, f"the {rpc} request", name=False)
        filters.check_limit(request.limit, rpc)
        base, params = "project = ? AND domain = ?", [request.id.project, request.id.domain]
        if request.id.name:
            base, params = base + " AND name = ?", [*params, request.id.name]
        select = "record, state, created_at, updated_at" if resource_type == ResourceType.LAUNCH_PLAN else "record"
        return self.state.page(
            _ENTITY_FILTERS[resource_type],
            select=select,
            base=base,
            base_params=params,
            filters_text=request.filters,
            sort_by=_sort(request),
            token=request.token,
            limit=request.limit,
            rpc=rpc,
        )

    def _entity_ids(
        self, resource_type: int, request: common_pb2.NamedEntityIdentifierListRequest, rpc: str
    ) -> common_pb2.NamedEntityIdentifierList:
        check_named_id(request, f"the {rpc} request", name=False)
        filters.check_limit(request.limit, rpc)
        page = self.state.page(
            "named_entity",
            select="project, domain, name",
            source=self._named_source(resource_type),
            base_params=[request.project, request.domain],
            filters_text=request.filters,
            sort_by=_sort(request),
            token=request.token,
            limit=request.limit,
            rpc=rpc,
            default_sort="name",
        )
        return common_pb2.NamedEntityIdentifierList(
            entities=[common_pb2.NamedEntityIdentifier(project=r[0], domain=r[1], name=r[2]) for r in page.rows],
            token=page.token,
        )

    # -- named entities --------------------------------------------------------------------------------------------

    def _named_source(self, resource_type: int) -> str:
        if resource_type not in _ENTITY_TABLES:
            raise InvalidArgument(
                f"unsupported resource type {ResourceType.Name(resource_type)}: use TASK, WORKFLOW or LAUNCH_PLAN"
            )
        return (
            f"(SELECT e.project, e.domain, e.name, MAX(e.created_at) AS created_at, "
            f"COALESCE(m.state, 0) AS state, COALESCE(m.description, '') AS description "
            f"FROM {_ENTITY_TABLES[resource_type]} e LEFT JOIN named_entity_metadata m ON m.resource_type = "
            f"{int(resource_type)} AND m.project = e.project AND m.domain = e.domain AND m.name = e.name "
            f"WHERE e.project = ? AND e.domain = ? GROUP BY e.project, e.domain, e.name) AS names"
        )

    def ListNamedEntities(self, request: common_pb2.NamedEntityListRequest, context: Any) -> common_pb2.NamedEntityList:
        check_named_id(request, "the named entities", name=False)
        filters.check_limit(request.limit, "ListNamedEntities")
        base = "1"
        if request.resource_type == ResourceType.WORKFLOW:  # system-generated workflows are hidden, as flyteadmin
            base = f"state <> {int(common_pb2.NamedEntityState.SYSTEM_GENERATED)}"
        page = self.state.page(
            "named_entity",
            select="project, domain, name, state, description",
            source=self._named_source(request.resource_type),
            base=base,
            base_params=[request.project, request.domain],
            filters_text=request.filters,
            sort_by=_sort(request),
            token=request.token,
            limit=request.limit,
            rpc="ListNamedEntities",
            default_sort="name",
        )
        return common_pb2.NamedEntityList(
            entities=[self._named_entity(request.resource_type, row) for row in page.rows], token=page.token
        )

    @staticmethod
    def _named_entity(resource_type: int, row: Any) -> common_pb2.NamedEntity:
        return common_pb2.NamedEntity(
            resource_type=resource_type,
            id=common_pb2.NamedEntityIdentifier(project=row["project"], domain=row["domain"], name=row["name"]),
            metadata=common_pb2.NamedEntityMetadata(description=row["description"], state=row["state"]),
        )

    def _named_entity_row(self, resource_type: int, identifier: Any) -> Any:
        check_named_id(identifier, "the named entity")
        row = self.state.one(
            f"SELECT * FROM {self._named_source(resource_type)} WHERE name = ?",
            (identifier.project, identifier.domain, identifier.name),
        )
        if row is None:
            raise NotFound(
                f"missing entity of type {ResourceType.Name(resource_type)}: nothing named "
                f"{identifier.project}/{identifier.domain}/{identifier.name} is registered"
            )
        return row

    def GetNamedEntity(self, request: common_pb2.NamedEntityGetRequest, context: Any) -> common_pb2.NamedEntity:
        return self._named_entity(request.resource_type, self._named_entity_row(request.resource_type, request.id))

    def UpdateNamedEntity(
        self, request: common_pb2.NamedEntityUpdateRequest, context: Any
    ) -> common_pb2.NamedEntityUpdateResponse:
        self._named_entity_row(request.resource_type, request.id)
        self.state.insert(
            "named_entity_metadata",
            replace=True,
            resource_type=request.resource_type,
            project=request.id.project,
            domain=request.id.domain,
            name=request.id.name,
            state=request.metadata.state,
            description=request.metadata.description,
        )
        return common_pb2.NamedEntityUpdateResponse()

    # -- executions ------------------------------------------------------------------------------------------------

    def CreateExecution(
        self, request: execution_pb2.ExecutionCreateRequest, context: Any
    ) -> execution_pb2.ExecutionCreateResponse:
        return execution_pb2.ExecutionCreateResponse(id=self.cp.create_execution(request))

    def RelaunchExecution(
        self, request: execution_pb2.ExecutionRelaunchRequest, context: Any
    ) -> execution_pb2.ExecutionCreateResponse:
        _execution_id(request.id)
        return execution_pb2.ExecutionCreateResponse(
            id=self.cp.relaunch_execution(request.id, request.name, request.overwrite_cache)
        )

    def RecoverExecution(
        self, request: execution_pb2.ExecutionRecoverRequest, context: Any
    ) -> execution_pb2.ExecutionCreateResponse:
        _execution_id(request.id)
        metadata = request.metadata if request.HasField("metadata") else None
        return execution_pb2.ExecutionCreateResponse(id=self.cp.recover_execution(request.id, request.name, metadata))

    def GetExecution(self, request: execution_pb2.WorkflowExecutionGetRequest, context: Any) -> execution_pb2.Execution:
        _execution_id(request.id)
        return self.cp.execution(request.id)

    def UpdateExecution(
        self, request: execution_pb2.ExecutionUpdateRequest, context: Any
    ) -> execution_pb2.ExecutionUpdateResponse:
        _execution_id(request.id)
        key = events.execution_key(request.id)
        with self.state.transaction():
            record = self.cp.execution(request.id)
            now = events.timestamp(time.time())
            record.closure.state_change_details.CopyFrom(
                execution_pb2.ExecutionStateChangeDetails(state=request.state, occurred_at=now)
            )
            self.state.update("executions", key, state=int(request.state), record=record.SerializeToString())
        return execution_pb2.ExecutionUpdateResponse()

    def GetExecutionData(
        self, request: execution_pb2.WorkflowExecutionGetDataRequest, context: Any
    ) -> execution_pb2.WorkflowExecutionGetDataResponse:
        _execution_id(request.id)
        record = self.cp.execution(request.id)
        row = self.state.find("executions", "inputs_uri", **events.execution_key(request.id))
        full_inputs, inputs = self.cp.data(row["inputs_uri"])
        full_outputs, outputs = self.cp.output_data(record.closure)
        return execution_pb2.WorkflowExecutionGetDataResponse(
            inputs=inputs, outputs=outputs, full_inputs=full_inputs, full_outputs=full_outputs
        )

    def ListExecutions(self, request: common_pb2.ResourceListRequest, context: Any) -> execution_pb2.ExecutionList:
        if not request.HasField("id"):
            raise InvalidArgument("missing id: ListExecutions needs the project and domain")
        check_named_id(request.id, "the ListExecutions request", name=False)
        filters.check_limit(request.limit, "ListExecutions")
        base, params = "project = ? AND domain = ?", [request.id.project, request.id.domain]
        if request.id.name:
            base, params = base + " AND name = ?", [*params, request.id.name]
        entity = filters.ENTITIES["execution"]
        given = filters.parse_filters(request.filters, entity)
        extra = []
        if not any(condition.name == "state" for condition in given):  # only active executions unless asked
            extra.append(
                filters.Condition("eq", "state", entity.fields["state"], (execution_pb2.EXECUTION_ACTIVE,), "")
            )
        page = self.state.page(
            "execution",
            select="record",
            base=base,
            base_params=params,
            filters_text=request.filters,
            sort_by=_sort(request),
            token=request.token,
            limit=request.limit,
            rpc="ListExecutions",
            extra=extra,
        )
        executions = []
        for row in page.rows:
            execution = execution_pb2.Execution.FromString(row["record"])
            _trim_error(execution.closure)
            execution.spec.ClearField("inputs")
            execution.closure.ClearField("computed_inputs")
            executions.append(execution)
        return execution_pb2.ExecutionList(executions=executions, token=page.token)

    def TerminateExecution(
        self, request: execution_pb2.ExecutionTerminateRequest, context: Any
    ) -> execution_pb2.ExecutionTerminateResponse:
        _execution_id(request.id)
        self.cp.terminate(request.id, request.cause)
        return execution_pb2.ExecutionTerminateResponse()

    def GetExecutionMetrics(
        self, request: execution_pb2.WorkflowExecutionGetMetricsRequest, context: Any
    ) -> execution_pb2.WorkflowExecutionGetMetricsResponse:
        _execution_id(request.id)
        record = self.cp.execution(request.id)
        span = metrics_pb2.Span(workflow_id=request.id)
        if record.closure.HasField("started_at"):
            span.start_time.CopyFrom(record.closure.started_at)
            span.end_time.CopyFrom(record.closure.updated_at)
        return execution_pb2.WorkflowExecutionGetMetricsResponse(span=span)

    # -- node executions -------------------------------------------------------------------------------------------

    def GetNodeExecution(
        self, request: node_execution_pb2.NodeExecutionGetRequest, context: Any
    ) -> node_execution_pb2.NodeExecution:
        return self.cp.node_execution(request.id)

    def ListNodeExecutions(
        self, request: node_execution_pb2.NodeExecutionListRequest, context: Any
    ) -> node_execution_pb2.NodeExecutionList:
        _execution_id(request.workflow_execution_id)
        filters.check_limit(request.limit, "ListNodeExecutions")
        execution = request.workflow_execution_id
        base = "project = ? AND domain = ? AND execution_name = ?"
        params: list[Any] = [execution.project, execution.domain, execution.name]
        if request.unique_parent_id:
            parent = identifier_pb2.NodeExecutionIdentifier(execution_id=execution, node_id=request.unique_parent_id)
            self.cp.node_execution(parent)
            base, params = base + " AND parent_node_id = ?", [*params, request.unique_parent_id]
        else:
            base += " AND parent_node_id IS NULL AND parent_task IS NULL"
        return self._node_page(base, params, request, "ListNodeExecutions")

    def ListNodeExecutionsForTask(
        self, request: node_execution_pb2.NodeExecutionForTaskListRequest, context: Any
    ) -> node_execution_pb2.NodeExecutionList:
        task_execution = request.task_execution_id
        _node_execution_id(task_execution.node_execution_id)
        filters.check_limit(request.limit, "ListNodeExecutionsForTask")
        if self.state.find("task_executions", "1", **events.task_key(task_execution)) is None:
            raise NotFound(
                f"task execution {task_execution.task_id.name} attempt {task_execution.retry_attempt} of "
                f"{events.describe_node(task_execution.node_execution_id)} does not exist"
            )
        execution = task_execution.node_execution_id.execution_id
        base = "project = ? AND domain = ? AND execution_name = ? AND parent_task = ?"
        params = [execution.project, execution.domain, execution.name, events.parent_task_key(task_execution)]
        return self._node_page(base, params, request, "ListNodeExecutionsForTask")

    def _node_page(self, base: str, params: list[Any], request: Any, rpc: str) -> node_execution_pb2.NodeExecutionList:
        page = self.state.page(
            "node_execution",
            select="record",
            base=base,
            base_params=params,
            filters_text=request.filters,
            sort_by=_sort(request),
            token=request.token,
            limit=request.limit,
            rpc=rpc,
        )
        nodes = []
        for row in page.rows:
            node = node_execution_pb2.NodeExecution.FromString(row["record"])
            _trim_error(node.closure)
            nodes.append(node)
        return node_execution_pb2.NodeExecutionList(node_executions=nodes, token=page.token)

    def GetNodeExecutionData(
        self, request: node_execution_pb2.NodeExecutionGetDataRequest, context: Any
    ) -> node_execution_pb2.NodeExecutionGetDataResponse:
        return self.cp.node_execution_data(request.id)

    def GetDynamicNodeWorkflow(
        self, request: node_execution_pb2.GetDynamicNodeWorkflowRequest, context: Any
    ) -> node_execution_pb2.DynamicNodeWorkflowResponse:
        dynamic = self.cp.dynamic_workflow(request.id)
        if dynamic is None:
            raise NotFound(f"{events.describe_node(request.id)} does not contain a dynamic workflow")
        return node_execution_pb2.DynamicNodeWorkflowResponse(compiled_workflow=dynamic)

    # -- task executions -------------------------------------------------------------------------------------------

    def GetTaskExecution(
        self, request: task_execution_pb2.TaskExecutionGetRequest, context: Any
    ) -> task_execution_pb2.TaskExecution:
        return self.cp.task_execution(request.id)

    def ListTaskExecutions(
        self, request: task_execution_pb2.TaskExecutionListRequest, context: Any
    ) -> task_execution_pb2.TaskExecutionList:
        _node_execution_id(request.node_execution_id)
        filters.check_limit(request.limit, "ListTaskExecutions")
        page = self.state.page(
            "task_execution",
            select="record",
            base="project = ? AND domain = ? AND execution_name = ? AND node_id = ?",
            base_params=list(events.node_key(request.node_execution_id).values()),
            filters_text=request.filters,
            sort_by=_sort(request),
            token=request.token,
            limit=request.limit,
            rpc="ListTaskExecutions",
        )
        return task_execution_pb2.TaskExecutionList(
            task_executions=[self.cp.with_is_parent(row["record"]) for row in page.rows], token=page.token
        )

    def GetTaskExecutionData(
        self, request: task_execution_pb2.TaskExecutionGetDataRequest, context: Any
    ) -> task_execution_pb2.TaskExecutionGetDataResponse:
        return self.cp.task_execution_data(request.id)

    # -- events (propeller's RPCs) -------------------------------------------------------------------------------

    def CreateWorkflowEvent(
        self, request: event_pb2.WorkflowExecutionEventRequest, context: Any
    ) -> event_pb2.WorkflowExecutionEventResponse:
        events.apply_workflow_event(self.state, self.cp.blobs, request.event)
        return event_pb2.WorkflowExecutionEventResponse()

    def CreateNodeEvent(
        self, request: event_pb2.NodeExecutionEventRequest, context: Any
    ) -> event_pb2.NodeExecutionEventResponse:
        events.apply_node_event(self.state, self.cp.blobs, request.event)
        return event_pb2.NodeExecutionEventResponse()

    def CreateTaskEvent(
        self, request: event_pb2.TaskExecutionEventRequest, context: Any
    ) -> event_pb2.TaskExecutionEventResponse:
        events.apply_task_event(self.state, self.cp.blobs, request.event)
        return event_pb2.TaskExecutionEventResponse()

    # -- projects and domains ----------------------------------------------------------------------------------------

    def RegisterProject(
        self, request: project_pb2.ProjectRegisterRequest, context: Any
    ) -> project_pb2.ProjectRegisterResponse:
        import re

        project = request.project
        if not request.HasField("project") or not project.id:
            raise InvalidArgument("missing project.id: RegisterProject needs the project's id")
        if len(project.id) > 63 or not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", project.id):
            raise InvalidArgument(
                f"invalid project id [{project.id}]: use lowercase letters, digits and '-' (a DNS-1123 label, at "
                "most 63 characters)"
            )
        if not project.name:
            raise InvalidArgument(f"missing project.name for project {project.id}")
        if project.domains:
            raise InvalidArgument(
                "Domains are currently only set system wide. Please retry without domains included in your request."
            )
        with self.state.transaction():
            if self.state.project(project.id) is not None:
                raise AlreadyExists(f"project {project.id} already exists")
            self.state.save_project(project)
        return project_pb2.ProjectRegisterResponse()

    def UpdateProject(self, request: project_pb2.Project, context: Any) -> project_pb2.ProjectUpdateResponse:
        if not request.id:
            raise InvalidArgument("missing id: UpdateProject needs the project's id")
        if request.domains:
            raise InvalidArgument(
                "Domains are currently only set system wide. Please retry without domains included in your request."
            )
        with self.state.transaction():
            if self.state.project(request.id) is None:
                raise NotFound(f"project {request.id} does not exist (RegisterProject creates it)")
            self.state.save_project(request)
        return project_pb2.ProjectUpdateResponse()

    def GetProject(self, request: project_pb2.ProjectGetRequest, context: Any) -> project_pb2.Project:
        if not request.id:
            raise InvalidArgument("missing id: GetProject needs the project's id")
        project = self.state.project(request.id)
        if project is None:
            raise NotFound(f"project {request.id} does not exist")
        return _with_domains(project)

    def ListProjects(self, request: project_pb2.ProjectListRequest, context: Any) -> project_pb2.Projects:
        entity = filters.ENTITIES["project"]
        given = filters.parse_filters(request.filters, entity)
        base = "1"
        if not any(condition.name == "state" for condition in given):  # archived projects only when asked for
            base = f"state <> {int(project_pb2.Project.ARCHIVED)}"
        page = self.state.page(
            "project",
            select="record",
            base=base,
            filters_text=request.filters,
            sort_by=_sort(request),
            token=request.token,
            limit=request.limit,
            rpc="ListProjects",
        )
        return project_pb2.Projects(
            projects=[_with_domains(project_pb2.Project.FromString(row["record"])) for row in page.rows],
            token=page.token,
        )

    def GetDomains(self, request: project_pb2.GetDomainRequest, context: Any) -> project_pb2.GetDomainsResponse:
        return project_pb2.GetDomainsResponse(domains=_domains())

    # -- matchable attributes ------------------------------------------------------------------------------------------

    def _save_attributes(
        self, attributes: matchable_resource_pb2.MatchingAttributes, project: str, domain: str = "", workflow: str = ""
    ) -> None:
        kind = attributes.WhichOneof("target")
        if kind is None:
            raise InvalidArgument("missing matching_attributes: say which attributes to set")
        if not project:
            raise InvalidArgument("missing project for the attributes")
        if domain and domain not in DOMAINS:
            raise InvalidArgument(f"domain [{domain}] is unrecognized by system (known: {', '.join(DOMAINS)})")
        if self.state.project(project) is None:
            raise InvalidArgument(f"project {project} does not exist")
        self.state.insert(
            "matchable_attributes",
            replace=True,
            resource_type=_resource_type(kind),
            project=project,
            domain=domain,
            workflow=workflow,
            launch_plan="",
            record=attributes.SerializeToString(),
        )

    def _attributes(
        self, resource_type: int, project: str, domain: str = "", workflow: str = ""
    ) -> matchable_resource_pb2.MatchingAttributes:
        row = self.state.find(
            "matchable_attributes",
            "record",
            resource_type=resource_type,
            project=project,
            domain=domain,
            workflow=workflow,
            launch_plan="",
        )
        if row is None:
            scope = "/".join(part for part in (project, domain, workflow) if part)
            raise NotFound(
                f"no {matchable_resource_pb2.MatchableResource.Name(resource_type)} attributes are set for {scope}"
            )
        return matchable_resource_pb2.MatchingAttributes.FromString(row["record"])

    def _delete_attributes(self, resource_type: int, project: str, domain: str = "", workflow: str = "") -> None:
        self._attributes(resource_type, project, domain, workflow)
        self.state.execute(
            "DELETE FROM matchable_attributes WHERE resource_type = ? AND project = ? AND domain = ? AND workflow = ? "
            "AND launch_plan = ''",
            (resource_type, project, domain, workflow),
        )

    def UpdateProjectDomainAttributes(
        self, request: project_domain_attributes_pb2.ProjectDomainAttributesUpdateRequest, context: Any
    ) -> project_domain_attributes_pb2.ProjectDomainAttributesUpdateResponse:
        a = request.attributes
        if not a.domain:
            raise InvalidArgument("missing domain for the project-domain attributes")
        self._save_attributes(a.matching_attributes, a.project, a.domain)
        return project_domain_attributes_pb2.ProjectDomainAttributesUpdateResponse()

    def GetProjectDomainAttributes(
        self, request: project_domain_attributes_pb2.ProjectDomainAttributesGetRequest, context: Any
    ) -> project_domain_attributes_pb2.ProjectDomainAttributesGetResponse:
        attributes = self._attributes(request.resource_type, request.project, request.domain)
        return project_domain_attributes_pb2.ProjectDomainAttributesGetResponse(
            attributes=project_domain_attributes_pb2.ProjectDomainAttributes(
                project=request.project, domain=request.domain, matching_attributes=attributes
            )
        )

    def DeleteProjectDomainAttributes(
        self, request: project_domain_attributes_pb2.ProjectDomainAttributesDeleteRequest, context: Any
    ) -> project_domain_attributes_pb2.ProjectDomainAttributesDeleteResponse:
        self._delete_attributes(request.resource_type, request.project, request.domain)
        return project_domain_attributes_pb2.ProjectDomainAttributesDeleteResponse()

    def UpdateProjectAttributes(
        self, request: project_attributes_pb2.ProjectAttributesUpdateRequest, context: Any
    ) -> project_attributes_pb2.ProjectAttributesUpdateResponse:
        self._save_attributes(request.attributes.matching_attributes, request.attributes.project)
        return project_attributes_pb2.ProjectAttributesUpdateResponse()

    def GetProjectAttributes(
        self, request: project_attributes_pb2.ProjectAttributesGetRequest, context: Any
    ) -> project_attributes_pb2.ProjectAttributesGetResponse:
        attributes = self._attributes(request.resource_type, request.project)
        return project_attributes_pb2.ProjectAttributesGetResponse(
            attributes=project_attributes_pb2.ProjectAttributes(project=request.project, matching_attributes=attributes)
        )

    def DeleteProjectAttributes(
        self, request: project_attributes_pb2.ProjectAttributesDeleteRequest, context: Any
    ) -> project_attributes_pb2.ProjectAttributesDeleteResponse:
        self._delete_attributes(request.resource_type, request.project)
        return project_attributes_pb2.ProjectAttributesDeleteResponse()

    def UpdateWorkflowAttributes(
        self, request: workflow_attributes_pb2.WorkflowAttributesUpdateRequest, context: Any
    ) -> workflow_attributes_pb2.WorkflowAttributesUpdateResponse:
        a = request.attributes
        if not a.domain or not a.workflow:
            raise InvalidArgument("missing domain or workflow for the workflow attributes")
        self._save_attributes(a.matching_attributes, a.project, a.domain, a.workflow)
        return workflow_attributes_pb2.WorkflowAttributesUpdateResponse()

    def GetWorkflowAttributes(
        self, request: workflow_attributes_pb2.WorkflowAttributesGetRequest, context: Any
    ) -> workflow_attributes_pb2.WorkflowAttributesGetResponse:
        attributes = self._attributes(request.resource_type, request.project, request.domain, request.workflow)
        return workflow_attributes_pb2.WorkflowAttributesGetResponse(
            attributes=workflow_attributes_pb2.WorkflowAttributes(
                project=request.project,
                domain=request.domain,
                workflow=request.workflow,
                matching_attributes=attributes,
            )
        )

    def DeleteWorkflowAttributes(
        self, request: workflow_attributes_pb2.WorkflowAttributesDeleteRequest, context: Any
    ) -> workflow_attributes_pb2.WorkflowAttributesDeleteResponse:
        self._delete_attributes(request.resource_type, request.project, request.domain, request.workflow)
        return workflow_attributes_pb2.WorkflowAttributesDeleteResponse()

    def ListMatchableAttributes(
        self, request: matchable_resource_pb2.ListMatchableAttributesRequest, context: Any
    ) -> matchable_resource_pb2.ListMatchableAttributesResponse:
        rows = self.state.all(
            "SELECT project, domain, workflow, launch_plan, record FROM matchable_attributes WHERE resource_type = ? "
            "ORDER BY project, domain, workflow",
            (request.resource_type,),
        )
        return matchable_resource_pb2.ListMatchableAttributesResponse(
            configurations=[
                matchable_resource_pb2.MatchableAttributesConfiguration(
                    attributes=matchable_resource_pb2.MatchingAttributes.FromString(row["record"]),
                    project=row["project"],
                    domain=row["domain"],
                    workflow=row["workflow"],
                    launch_plan=row["launch_plan"],
                )
                for row in rows
            ]
        )

    # -- version, description entities ---------------------------------------------------------------------------------

    def GetVersion(self, request: version_pb2.GetVersionRequest, context: Any) -> version_pb2.GetVersionResponse:
        version = self.version
        if not version:
            from flyte_core._version import __version__ as version
        return version_pb2.GetVersionResponse(
            control_plane_version=version_pb2.Version(Build="flyte-core-sandbox", Version=version, BuildTime="")
        )

    def GetDescriptionEntity(
        self, request: common_pb2.ObjectGetRequest, context: Any
    ) -> description_entity_pb2.DescriptionEntity:
        identifier = request.id
        if identifier.resource_type not in _ENTITY_TABLES:
            raise InvalidArgument("a description entity's id has resource type TASK, WORKFLOW or LAUNCH_PLAN")
        check_identifier(identifier, identifier.resource_type)
        row = self.state.find(
            "description_entities",
            "record",
            resource_type=identifier.resource_type,
            project=identifier.project,
            domain=identifier.domain,
            name=identifier.name,
            version=identifier.version,
        )
        if row is None:
            raise NotFound(f"no description entity for {describe(identifier)}")
        return description_entity_pb2.DescriptionEntity.FromString(row["record"])

    def ListDescriptionEntities(
        self, request: description_entity_pb2.DescriptionEntityListRequest, context: Any
    ) -> description_entity_pb2.DescriptionEntityList:
        check_named_id(request.id, "the description entities", name=False)
        filters.check_limit(request.limit, "ListDescriptionEntities")
        base = "resource_type = ? AND project = ? AND domain = ?"
        params: list[Any] = [request.resource_type, request.id.project, request.id.domain]
        if request.id.name:
            base, params = base + " AND name = ?", [*params, request.id.name]
        page = self.state.page(
            "description_entity",
            select="record",
            base=base,
            base_params=params,
            filters_text=request.filters,
            sort_by=_sort(request),
            token=request.token,
            limit=request.limit,
            rpc="ListDescriptionEntities",
        )
        return description_entity_pb2.DescriptionEntityList(
            descriptionEntities=[description_entity_pb2.DescriptionEntity.FromString(r["record"]) for r in page.rows],
            token=page.token,
        )


def _domains() -> list[project_pb2.Domain]:
    return [project_pb2.Domain(id=domain, name=domain) for domain in DOMAINS]


def _with_domains(project: project_pb2.Project) -> project_pb2.Project:
    project.domains.extend(_domains())
    return project


def _resource_type(target: str) -> int:
    fields = [f.name for f in matchable_resource_pb2.MatchingAttributes.DESCRIPTOR.oneofs_by_name["target"].fields]
    return fields.index(target)

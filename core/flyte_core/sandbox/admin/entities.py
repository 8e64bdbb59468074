"""The AdminService's RPCs on registered entities: tasks, workflows and launch plans (create, get, list, list
ids, launch plan activation and the active ones), named entities and description entities.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import common_pb2, description_entity_pb2, launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2

from flyte_core.sandbox import filters
from flyte_core.sandbox.admin.requests import AdminRPCs, _sort
from flyte_core.sandbox.control_plane import check_identifier, check_named_id, describe, launch_plan_record
from flyte_core.sandbox.errors import InvalidArgument, NotFound

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


class EntityRPCs(AdminRPCs):
    """Tasks, workflows, launch plans, named entities and description entities."""

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

    # -- description entities --------------------------------------------------------------------------------------

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

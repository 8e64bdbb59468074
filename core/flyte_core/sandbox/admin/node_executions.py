"""The AdminService's node and task execution RPCs: get and list them (the nodes of an execution, of a parent
node or launched by a task), their data and dynamic workflows.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import node_execution_pb2, task_execution_pb2
from flyteidl.core import identifier_pb2

from flyte_core.sandbox import events, filters
from flyte_core.sandbox.admin.requests import AdminRPCs, _execution_id, _node_execution_id, _sort, _trim_error
from flyte_core.sandbox.errors import NotFound

ResourceType = identifier_pb2.ResourceType


class NodeExecutionRPCs(AdminRPCs):
    """Node executions and task executions."""

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

"""The AdminService's execution RPCs: create, relaunch, recover, get, update, list and terminate executions, their
data and metrics; and the event RPCs propeller uses, applied as the engine's events are.
"""

from __future__ import annotations

import time
from typing import Any

from flyteidl.admin import common_pb2, event_pb2, execution_pb2
from flyteidl.core import identifier_pb2, metrics_pb2

from flyte_core.sandbox import events, filters
from flyte_core.sandbox.admin.requests import AdminRPCs, _execution_id, _sort, _trim_error
from flyte_core.sandbox.control_plane import check_named_id
from flyte_core.sandbox.errors import InvalidArgument

ResourceType = identifier_pb2.ResourceType


class ExecutionRPCs(AdminRPCs):
    """Executions, and the events that move them on."""

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

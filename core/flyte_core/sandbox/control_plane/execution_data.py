"""Node and task executions and the data of executions: the stored node and task execution records, their
inputs and outputs (inline under 2 MB, else a URL), flyte:// URLs and compiled dynamic workflows, as flyteadmin's
Get*Data RPCs answer them.
"""

from __future__ import annotations

import logging
from typing import Any

from flyteidl.admin import common_pb2, node_execution_pb2, task_execution_pb2
from flyteidl.core import compiler_pb2, identifier_pb2, literals_pb2

from flyte_core.sandbox import events
from flyte_core.sandbox.control_plane.records import ControlPlaneParts, check_named_id, describe
from flyte_core.sandbox.errors import InvalidArgument, NotFound

_log = logging.getLogger("flyte_core.sandbox")

MAX_INLINE_BYTES = 2 * 1024 * 1024
"""flyteadmin's ``maxSizeInBytes``: data responses inline literal maps smaller than this."""


class ExecutionDataMixin(ControlPlaneParts):
    """Node and task executions, and the inputs and outputs of executions, nodes and tasks."""

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


def flyte_urls(
    node_id: identifier_pb2.NodeExecutionIdentifier, attempt: int | None, deck: bool
) -> common_pb2.FlyteURLs:
    """flyteadmin's ``flyte://v1/<project>/<domain>/<execution>/<node>[/<attempt>]/{i,o,d}`` URLs."""
    execution = node_id.execution_id
    base = f"flyte://v1/{execution.project}/{execution.domain}/{execution.name}/{node_id.node_id}"
    if attempt is not None:
        base += f"/{attempt}"
    return common_pb2.FlyteURLs(inputs=f"{base}/i", outputs=f"{base}/o", deck=f"{base}/d" if deck else "")

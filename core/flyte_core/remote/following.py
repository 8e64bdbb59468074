"""Following executions: fetch, list, wait for and sync them (node and task executions, inputs, outputs),
terminate, relaunch and recover them, and read ``flyte://`` data.

``ExecutionFollowing`` turns the admin's answers into ``FlyteWorkflowExecution`` objects with their
``FlyteNodeExecution`` and ``FlyteTaskExecution`` children.
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import Any

from flyteidl.admin import common_pb2, execution_pb2, node_execution_pb2, task_execution_pb2
from flyteidl.core import identifier_pb2, interface_pb2, literals_pb2

from flyte_core.exceptions.user import FlyteEntityNotExistException, FlyteTimeout, FlyteValueException
from flyte_core.remote.connection import _required
from flyte_core.remote.executions import FlyteNodeExecution, FlyteTaskExecution, FlyteWorkflowExecution
from flyte_core.remote.fetching import EntityFetching
from flyte_core.remote.literals import LiteralsResolver, guess_literal_type

__all__ = ["ExecutionFollowing"]

_FIRST_POLL = 0.05
_MAX_POLL = 10.0
_NODE_PAGE = 100
_TERMINAL_NODE = ("start-node", "end-node")


class ExecutionFollowing(EntityFetching):
    """``FlyteRemote``'s calls on executions: fetch, list, wait, sync, terminate, relaunch, recover, get."""

    def recent_executions(
        self, project: str | None = None, domain: str | None = None, limit: int = 100
    ) -> list[FlyteWorkflowExecution]:
        """The newest executions of a project and domain."""
        project, domain = self._project_domain(project, domain)
        response = self._call(
            "ListExecutions",
            common_pb2.ResourceListRequest(
                id=common_pb2.NamedEntityIdentifier(project=project, domain=domain),
                limit=limit,
                sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.DESCENDING),
            ),
        )
        return [FlyteWorkflowExecution(e, self) for e in response.executions]

    def fetch_execution(
        self, project: str | None = None, domain: str | None = None, name: str | None = None
    ) -> FlyteWorkflowExecution:
        """The execution ``name``, with its inputs and (when done) outputs."""
        project, domain = self._project_domain(project, domain)
        ident = identifier_pb2.WorkflowExecutionIdentifier(project=project, domain=domain, name=_required(name, "name"))
        proto = self._call("GetExecution", execution_pb2.WorkflowExecutionGetRequest(id=ident))
        return self.sync_execution(FlyteWorkflowExecution(proto, self))

    def wait(
        self,
        execution: FlyteWorkflowExecution,
        timeout: datetime.timedelta | float | None = None,
        poll_interval: datetime.timedelta | float | None = None,
        sync_nodes: bool = True,
    ) -> FlyteWorkflowExecution:
        """Poll until the execution is done; return it synced.

        Without ``poll_interval`` the first checks come quickly (a sandbox finishes small workflows in well
        under a second) and the interval grows to 10 s for long executions.

        Raises:
            FlyteTimeout: ``timeout`` passed first.
        """
        interval = _seconds(poll_interval) if poll_interval is not None else _FIRST_POLL
        deadline = None if timeout is None else time.monotonic() + _seconds(timeout)
        while True:
            execution = self.sync_execution(execution, sync_nodes=False)
            if execution.is_done:
                return self.sync_execution(execution, sync_nodes=True) if sync_nodes else execution
            if deadline is not None and time.monotonic() >= deadline:
                raise FlyteTimeout(f"{execution._describe()} is still {execution.phase_name} after {timeout}")
            time.sleep(interval if deadline is None else max(0.0, min(interval, deadline - time.monotonic())))
            if poll_interval is None:
                interval = min(interval * 1.5, _MAX_POLL)

    def sync(
        self, execution: FlyteWorkflowExecution, entity_definition: Any = None, sync_nodes: bool = False
    ) -> FlyteWorkflowExecution:
        """Refresh an execution: phase, inputs, outputs and, with ``sync_nodes``, its node and task executions."""
        return self.sync_execution(execution, entity_definition, sync_nodes)

    def sync_execution(
        self, execution: FlyteWorkflowExecution, entity_definition: Any = None, sync_nodes: bool = False
    ) -> FlyteWorkflowExecution:
        proto = self._call("GetExecution", execution_pb2.WorkflowExecutionGetRequest(id=execution.proto.id))
        synced = FlyteWorkflowExecution(proto, self)
        synced._python_output_types = execution._python_output_types
        if entity_definition is not None and hasattr(entity_definition, "python_interface"):
            synced._python_output_types = dict(entity_definition.python_interface.outputs)
        data = self._call("GetExecutionData", execution_pb2.WorkflowExecutionGetDataRequest(id=proto.id))
        interface = self._execution_interface(proto)
        synced._inputs = LiteralsResolver(
            self._literals(data.full_inputs, data.inputs), interface.inputs.variables if interface else None
        )
        if synced.is_done and synced.is_successful:
            synced._outputs = LiteralsResolver(
                self._literals(data.full_outputs, data.outputs),
                interface.outputs.variables if interface else None,
                synced._python_output_types,
            )
        if sync_nodes:
            synced._node_executions = self._sync_nodes(proto.id, None)
        return synced

    def _execution_interface(self, proto: execution_pb2.Execution) -> interface_pb2.TypedInterface | None:
        ident = proto.spec.launch_plan
        try:
            if ident.resource_type == identifier_pb2.TASK:
                return self.fetch_task(ident.project, ident.domain, ident.name, ident.version).interface
            return self.fetch_launch_plan(ident.project, ident.domain, ident.name, ident.version).interface
        except FlyteEntityNotExistException:
            return None

    def _literals(self, inline: literals_pb2.LiteralMap, blob: Any) -> dict[str, literals_pb2.Literal]:
        """Inline values, else the offloaded ``UrlBlob`` read from storage."""
        if inline.literals or not blob.url or not blob.bytes:
            return dict(inline.literals)
        from flyte_core.context import FlyteContextManager

        ctx = FlyteContextManager.current_context()
        local = ctx.file_access.get_random_local_path()
        ctx.file_access.get_data(blob.url, local)
        loaded = literals_pb2.LiteralMap()
        loaded.ParseFromString(Path(local).read_bytes())
        return dict(loaded.literals)

    def _sync_nodes(
        self, execution_id: identifier_pb2.WorkflowExecutionIdentifier, parent: str | None
    ) -> dict[str, FlyteNodeExecution]:
        nodes: dict[str, FlyteNodeExecution] = {}
        for proto in self._list_node_executions(execution_id, parent):
            if any(marker in proto.id.node_id for marker in _TERMINAL_NODE):
                continue
            if proto.closure.HasField("error"):  # list responses trim error messages; get the whole one
                proto = self._call("GetNodeExecution", node_execution_pb2.NodeExecutionGetRequest(id=proto.id))
            node = FlyteNodeExecution(proto)
            data = self._call("GetNodeExecutionData", node_execution_pb2.NodeExecutionGetDataRequest(id=proto.id))
            node._inputs = LiteralsResolver(self._literals(data.full_inputs, data.inputs))
            if node.is_done and node.is_successful:
                node._outputs = LiteralsResolver(self._literals(data.full_outputs, data.outputs))
            if proto.metadata.is_parent_node:
                node.subworkflow_node_executions = self._sync_nodes(execution_id, proto.id.node_id)
            child = proto.closure.workflow_node_metadata.executionId
            if child.name:
                child_proto = self._call("GetExecution", execution_pb2.WorkflowExecutionGetRequest(id=child))
                node.workflow_executions = [self.sync_execution(FlyteWorkflowExecution(child_proto, self))]
            node.task_executions = self._task_executions(proto.id)
            nodes[node.node_id if parent is None else proto.id.node_id] = node
        return nodes

    def _list_node_executions(
        self, execution_id: identifier_pb2.WorkflowExecutionIdentifier, parent: str | None
    ) -> list[Any]:
        found: list[Any] = []
        token = ""
        while True:
            request = node_execution_pb2.NodeExecutionListRequest(
                workflow_execution_id=execution_id,
                limit=_NODE_PAGE,
                token=token,
                sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.ASCENDING),
                unique_parent_id=parent or "",
            )
            response = self._call("ListNodeExecutions", request)
            found.extend(response.node_executions)
            token = response.token
            if not token:
                return found

    def _task_executions(self, node_id: Any) -> list[FlyteTaskExecution]:
        response = self._call(
            "ListTaskExecutions", task_execution_pb2.TaskExecutionListRequest(node_execution_id=node_id, limit=100)
        )
        attempts = []
        for proto in response.task_executions:
            if proto.closure.HasField("error"):
                proto = self._call("GetTaskExecution", task_execution_pb2.TaskExecutionGetRequest(id=proto.id))
            attempt = FlyteTaskExecution(proto)
            if attempt.is_done:
                data = self._call("GetTaskExecutionData", task_execution_pb2.TaskExecutionGetDataRequest(id=proto.id))
                attempt._inputs = LiteralsResolver(self._literals(data.full_inputs, data.inputs))
                if attempt.is_successful:
                    attempt._outputs = LiteralsResolver(self._literals(data.full_outputs, data.outputs))
            attempts.append(attempt)
        return sorted(attempts, key=lambda a: a.retry_attempt)

    def terminate(self, execution: FlyteWorkflowExecution, cause: str) -> None:
        """Abort a running execution; ``cause`` is recorded with it."""
        self._call("TerminateExecution", execution_pb2.ExecutionTerminateRequest(id=execution.proto.id, cause=cause))

    def relaunch(
        self, execution: FlyteWorkflowExecution, name: str | None = None, overwrite_cache: bool = False
    ) -> FlyteWorkflowExecution:
        """Run the execution again with the same inputs; return the new one."""
        request = execution_pb2.ExecutionRelaunchRequest(
            id=execution.proto.id, name=name or "", overwrite_cache=overwrite_cache
        )
        created = self._call("RelaunchExecution", request)
        return self.fetch_execution(created.id.project, created.id.domain, created.id.name)

    def recover(self, execution: FlyteWorkflowExecution, name: str | None = None) -> FlyteWorkflowExecution:
        """Run a failed execution again from where it failed (succeeded nodes are reused)."""
        request = execution_pb2.ExecutionRecoverRequest(id=execution.proto.id, name=name or "")
        created = self._call("RecoverExecution", request)
        return self.fetch_execution(created.id.project, created.id.domain, created.id.name)

    def get(self, flyte_uri: str) -> Any:
        """The data behind a ``flyte://v1/...`` URI: a ``LiteralsResolver``, one value, or signed URLs."""
        from flyteidl.service import dataproxy_pb2

        if not flyte_uri.startswith("flyte://"):
            raise FlyteValueException(flyte_uri, "is not a flyte:// data URI (e.g. flyte://v1/p/d/execution/n0/o)")
        response = self._call("GetData", dataproxy_pb2.GetDataRequest(flyte_url=flyte_uri), "DataProxyService")
        which = response.WhichOneof("data")
        if which == "literal_map":
            return LiteralsResolver(response.literal_map.literals)
        if which == "literal":
            from flyte_core.types.type_engine import TypeEngine

            literal = response.literal
            try:
                return TypeEngine.to_python_value(None, literal, guess_literal_type(literal))
            except Exception:
                return literal
        return response.pre_signed_urls


def _seconds(value: datetime.timedelta | float) -> float:
    return value.total_seconds() if isinstance(value, datetime.timedelta) else float(value)

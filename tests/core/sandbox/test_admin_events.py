"""Engine events -> node and task execution records, as flyteadmin applies them, read back over gRPC."""

from __future__ import annotations

import grpc
import pytest
from flyteidl.admin import event_pb2 as admin_event_pb2
from flyteidl.admin import execution_pb2, node_execution_pb2, task_execution_pb2
from flyteidl.core import catalog_pb2, compiler_pb2, identifier_pb2, literals_pb2, tasks_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.event import event_pb2
from google.protobuf import struct_pb2

from flyte_core import LaunchPlan, task, workflow
from flyte_core.sandbox import events
from flyte_core.sandbox.control_plane import cache_key
from tests.core.sandbox.admin_harness import running_sandbox, serialized

WorkflowPhase = core_execution_pb2.WorkflowExecution
NodePhase = core_execution_pb2.NodeExecution
TaskPhase = core_execution_pb2.TaskExecution


@task
def add(x: int, y: int) -> int:
    return x + y


@workflow
def pipeline(x: int, y: int = 2) -> int:
    return add(x=x, y=y)


@pytest.fixture
def sandbox(tmp_path):
    with running_sandbox(tmp_path) as running:
        running.register(*serialized(pipeline, LaunchPlan.get_or_create(pipeline)))
        yield running


@pytest.fixture
def execution(sandbox) -> identifier_pb2.WorkflowExecutionIdentifier:
    request = execution_pb2.ExecutionCreateRequest(
        project="flytesnacks",
        domain="development",
        spec=execution_pb2.ExecutionSpec(
            launch_plan=identifier_pb2.Identifier(
                resource_type=identifier_pb2.LAUNCH_PLAN,
                project="flytesnacks",
                domain="development",
                name=f"{__name__}.pipeline",
                version="v1",
            )
        ),
    )
    request.inputs.literals["x"].scalar.primitive.integer = 1
    return sandbox.admin.CreateExecution(request).id


TASK_ID = identifier_pb2.Identifier(
    resource_type=identifier_pb2.TASK, project="flytesnacks", domain="development", name=f"{__name__}.add", version="v1"
)


def _node(execution, node_id: str, phase: int, at: float, **fields) -> event_pb2.NodeExecutionEvent:
    return event_pb2.NodeExecutionEvent(
        id=identifier_pb2.NodeExecutionIdentifier(execution_id=execution, node_id=node_id),
        phase=phase,
        occurred_at=events.timestamp(at),
        **fields,
    )


def _task(execution, node_id: str, phase: int, at: float, attempt: int = 0, **fields) -> event_pb2.TaskExecutionEvent:
    return event_pb2.TaskExecutionEvent(
        task_id=TASK_ID,
        parent_node_execution_id=identifier_pb2.NodeExecutionIdentifier(execution_id=execution, node_id=node_id),
        retry_attempt=attempt,
        phase=phase,
        occurred_at=events.timestamp(at),
        **fields,
    )


def _list(sandbox, execution, parent: str = "", limit: int = 100, token: str = "", filters: str = ""):
    return sandbox.admin.ListNodeExecutions(
        node_execution_pb2.NodeExecutionListRequest(
            workflow_execution_id=execution, limit=limit, token=token, filters=filters, unique_parent_id=parent
        )
    )


def _code(call, *args):
    with pytest.raises(grpc.RpcError) as raised:
        call(*args)
    return raised.value.code(), raised.value.details()


def test_a_task_node_run_becomes_node_and_task_records_with_times_outputs_and_logs(sandbox, execution) -> None:
    host = sandbox.control_plane
    outputs = literals_pb2.LiteralMap()
    outputs.literals["o0"].scalar.primitive.integer = 3
    output_uri = sandbox.blobs.write_bytes("metadata/x/n0/data/0/outputs.pb", outputs.SerializeToString())
    inputs_uri = sandbox.blobs.write_bytes("metadata/x/n0/data/inputs.pb", b"")
    host.record_workflow_event(
        event_pb2.WorkflowExecutionEvent(
            execution_id=execution, phase=WorkflowPhase.RUNNING, occurred_at=events.timestamp(100)
        )
    )
    host.record_node_event(_node(execution, "n0", NodePhase.QUEUED, 101, input_uri=inputs_uri, spec_node_id="n0"))
    host.record_node_event(_node(execution, "n0", NodePhase.RUNNING, 102))
    host.record_node_event(_node(execution, "n0", NodePhase.RUNNING, 102.5))  # a repeat: ignored
    log = core_execution_pb2.TaskLog(uri="http://127.0.0.1/logs/0", name="stdout")
    host.record_task_event(_task(execution, "n0", TaskPhase.QUEUED, 102, logs=[log], reason="queued"))
    host.record_task_event(
        _task(
            execution,
            "n0",
            TaskPhase.RUNNING,
            103,
            logs=[log],
            reason="started",
            task_type="python-task",
            custom_info=struct_pb2.Struct(fields={"pid": struct_pb2.Value(number_value=42)}),
        )
    )
    host.record_task_event(
        _task(
            execution,
            "n0",
            TaskPhase.SUCCEEDED,
            105,
            output_uri=output_uri,
            custom_info=struct_pb2.Struct(fields={"exit": struct_pb2.Value(number_value=0)}),
        )
    )
    host.record_node_event(
        _node(
            execution,
            "n0",
            NodePhase.SUCCEEDED,
            106,
            output_uri=output_uri,
            task_node_metadata=event_pb2.TaskNodeMetadata(
                cache_status=catalog_pb2.CACHE_MISS, catalog_key=catalog_pb2.CatalogMetadata()
            ),
        )
    )
    [node] = _list(sandbox, execution).node_executions
    assert node.id.node_id == "n0" and node.metadata.spec_node_id == "n0" and node.input_uri == inputs_uri
    assert node.closure.phase == NodePhase.SUCCEEDED and node.closure.output_uri == output_uri
    assert events.epoch(node.closure.started_at) == 102 and node.closure.duration.seconds == 4
    assert node.closure.task_node_metadata.cache_status == catalog_pb2.CACHE_MISS
    [attempt] = sandbox.admin.ListTaskExecutions(
        task_execution_pb2.TaskExecutionListRequest(node_execution_id=node.id, limit=10)
    ).task_executions
    assert attempt.closure.phase == TaskPhase.SUCCEEDED and [entry.uri for entry in attempt.closure.logs] == [log.uri]
    assert attempt.closure.duration.seconds == 2 and attempt.closure.reason == "started"
    assert [r.message for r in attempt.closure.reasons] == ["queued", "started"]
    assert dict(attempt.closure.custom_info) == {"pid": 42, "exit": 0}
    data = sandbox.admin.GetTaskExecutionData(task_execution_pb2.TaskExecutionGetDataRequest(id=attempt.id))
    assert data.full_outputs == outputs and data.flyte_urls.outputs.endswith("/n0/0/o")
    node_data = sandbox.admin.GetNodeExecutionData(node_execution_pb2.NodeExecutionGetDataRequest(id=node.id))
    assert node_data.full_outputs == outputs and node_data.flyte_urls.inputs.endswith(f"{execution.name}/n0/i")


def test_children_are_listed_under_their_parent_only_and_pages_are_flyteadmins(sandbox, execution) -> None:
    host = sandbox.control_plane
    host.record_node_event(_node(execution, "n0", NodePhase.RUNNING, 10, is_parent=True, spec_node_id="n0"))
    for index in range(5):
        host.record_node_event(
            _node(
                execution,
                f"n0-0-c{index}",
                NodePhase.QUEUED,
                11 + index,
                spec_node_id=f"c{index}",
                parent_node_metadata=event_pb2.ParentNodeExecutionMetadata(node_id="n0"),
            )
        )
    host.record_node_event(
        _node(execution, "n0-0-c4", NodePhase.FAILED, 20, error=core_execution_pb2.ExecutionError(message="boom"))
    )
    top = _list(sandbox, execution)
    assert [n.id.node_id for n in top.node_executions] == ["n0"] and top.node_executions[0].metadata.is_parent_node
    first = _list(sandbox, execution, parent="n0", limit=2)
    assert [n.id.node_id for n in first.node_executions] == ["n0-0-c0", "n0-0-c1"] and first.token == "2"
    rest = _list(sandbox, execution, parent="n0", limit=3, token="2")
    assert [n.id.node_id for n in rest.node_executions] == ["n0-0-c2", "n0-0-c3", "n0-0-c4"] and rest.token == "5"
    assert _list(sandbox, execution, parent="n0", limit=3, token="5").token == ""
    failed = _list(sandbox, execution, parent="n0", filters="eq(phase,FAILED)")
    assert [n.id.node_id for n in failed.node_executions] == ["n0-0-c4"]
    code, _ = _code(_list, sandbox, execution, "no-such-parent")
    assert code == grpc.StatusCode.NOT_FOUND
    code, details = _code(_list, sandbox, execution, "n0", 10, "", "eq(phaze,FAILED)")
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "phaze" in details


def test_a_dynamic_node_returns_its_compiled_workflow_with_its_data(sandbox, execution) -> None:
    dynamic = compiler_pb2.CompiledWorkflowClosure()
    dynamic.primary.template.id.name = "dynamic_n0"
    dynamic.primary.template.nodes.add(id="start-node")
    metadata = event_pb2.TaskNodeMetadata(
        dynamic_workflow=event_pb2.DynamicWorkflowNodeMetadata(
            compiled_workflow=dynamic, dynamic_job_spec_uri="file:///futures.pb"
        )
    )
    sandbox.control_plane.record_node_event(_node(execution, "n0", NodePhase.RUNNING, 1))
    sandbox.control_plane.record_node_event(
        _node(
            execution, "n0", NodePhase.DYNAMIC_RUNNING, 2, is_parent=True, is_dynamic=True, task_node_metadata=metadata
        )
    )
    node_id = identifier_pb2.NodeExecutionIdentifier(execution_id=execution, node_id="n0")
    node = sandbox.admin.GetNodeExecution(node_execution_pb2.NodeExecutionGetRequest(id=node_id))
    assert node.metadata.is_dynamic and node.metadata.is_parent_node
    data = sandbox.admin.GetNodeExecutionData(node_execution_pb2.NodeExecutionGetDataRequest(id=node_id))
    assert data.dynamic_workflow.compiled_workflow == dynamic and data.dynamic_workflow.id.name == "dynamic_n0"
    assert data.dynamic_workflow.dynamic_job_spec_uri == "file:///futures.pb"
    workflow = sandbox.admin.GetDynamicNodeWorkflow(node_execution_pb2.GetDynamicNodeWorkflowRequest(id=node_id))
    assert workflow.compiled_workflow == dynamic


def test_a_launch_plan_node_gets_one_child_execution_linked_to_it(sandbox, execution) -> None:
    host = sandbox.control_plane
    host.record_node_event(_node(execution, "n1", NodePhase.RUNNING, 1))
    parent = identifier_pb2.NodeExecutionIdentifier(execution_id=execution, node_id="n1")
    inputs = literals_pb2.LiteralMap()
    inputs.literals["x"].scalar.primitive.integer = 5
    launch_plan = sandbox.engine.submitted[0].spec.launch_plan
    child = host.launch_child_execution(launch_plan, inputs, parent)
    assert host.launch_child_execution(launch_plan, inputs, parent) == child  # asked again after a restart
    record = host.get_execution(child)
    assert record.spec.metadata.mode == execution_pb2.ExecutionMetadata.CHILD_WORKFLOW
    assert record.spec.metadata.nesting == 1 and record.spec.metadata.parent_node_execution == parent
    assert len(sandbox.engine.submitted) == 2
    host.record_node_event(
        _node(
            execution,
            "n1",
            NodePhase.SUCCEEDED,
            3,
            workflow_node_metadata=event_pb2.WorkflowNodeMetadata(execution_id=child),
        )
    )
    node = sandbox.admin.GetNodeExecution(node_execution_pb2.NodeExecutionGetRequest(id=parent))
    assert node.closure.workflow_node_metadata.executionId == child
    host.terminate_execution(child, "parent aborted")
    assert sandbox.engine.terminated == [(child, "parent aborted")]


def test_event_rpcs_answer_flyteadmins_codes_and_change_nothing_when_refused(sandbox, execution) -> None:
    def workflow_event(phase: int):
        return admin_event_pb2.WorkflowExecutionEventRequest(
            event=event_pb2.WorkflowExecutionEvent(execution_id=execution, phase=phase, occurred_at=events.timestamp(5))
        )

    sandbox.admin.CreateWorkflowEvent(workflow_event(WorkflowPhase.RUNNING))
    code, _ = _code(sandbox.admin.CreateWorkflowEvent, workflow_event(WorkflowPhase.RUNNING))
    assert code == grpc.StatusCode.ALREADY_EXISTS
    code, _ = _code(sandbox.admin.CreateWorkflowEvent, workflow_event(WorkflowPhase.QUEUED))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    sandbox.admin.CreateWorkflowEvent(workflow_event(WorkflowPhase.SUCCEEDED))
    code, details = _code(sandbox.admin.CreateWorkflowEvent, workflow_event(WorkflowPhase.FAILED))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "terminal" in details
    record = sandbox.admin.GetExecution(execution_pb2.WorkflowExecutionGetRequest(id=execution))
    assert record.closure.phase == WorkflowPhase.SUCCEEDED
    orphan = admin_event_pb2.TaskExecutionEventRequest(event=_task(execution, "never-reported", TaskPhase.RUNNING, 1))
    code, _ = _code(sandbox.admin.CreateTaskEvent, orphan)
    assert code == grpc.StatusCode.NOT_FOUND
    child = _node(
        execution, "c", NodePhase.RUNNING, 1, parent_node_metadata=event_pb2.ParentNodeExecutionMetadata(node_id="p")
    )
    code, _ = _code(sandbox.admin.CreateNodeEvent, admin_event_pb2.NodeExecutionEventRequest(event=child))
    assert code == grpc.StatusCode.NOT_FOUND
    assert sandbox.rows("node_executions") == 0 and sandbox.rows("task_executions") == 0


def test_task_attempts_are_separate_records_and_logs_merge_by_name(sandbox, execution) -> None:
    host = sandbox.control_plane
    host.record_node_event(_node(execution, "n0", NodePhase.RUNNING, 1))
    first = core_execution_pb2.TaskLog(uri="u0", name="log", ShowWhilePending=True)
    host.record_task_event(_task(execution, "n0", TaskPhase.QUEUED, 1, logs=[first]))
    host.record_task_event(
        _task(execution, "n0", TaskPhase.RUNNING, 2, logs=[core_execution_pb2.TaskLog(uri="u1", name="log")])
    )
    host.record_task_event(
        _task(execution, "n0", TaskPhase.FAILED, 3, error=core_execution_pb2.ExecutionError(message="x"))
    )
    host.record_task_event(_task(execution, "n0", TaskPhase.RUNNING, 4, attempt=1))
    node_id = identifier_pb2.NodeExecutionIdentifier(execution_id=execution, node_id="n0")
    attempts = sandbox.admin.ListTaskExecutions(
        task_execution_pb2.TaskExecutionListRequest(node_execution_id=node_id, limit=10)
    ).task_executions
    assert [(a.id.retry_attempt, a.closure.phase) for a in attempts] == [(0, TaskPhase.FAILED), (1, TaskPhase.RUNNING)]
    assert [log.uri for log in attempts[0].closure.logs] == ["u1"] and attempts[0].closure.error.message == "x"
    retried = sandbox.admin.ListTaskExecutions(
        task_execution_pb2.TaskExecutionListRequest(node_execution_id=node_id, limit=10, filters="eq(retry_attempt,1)")
    )
    assert [a.id.retry_attempt for a in retried.task_executions] == [1]


def test_the_task_cache_keys_on_name_version_interface_and_inputs_minus_ignored_ones(sandbox) -> None:
    host = sandbox.control_plane
    template = tasks_pb2.TaskTemplate(id=TASK_ID)
    template.metadata.discovery_version = "1"
    template.metadata.cache_ignore_input_vars.append("seed")

    def inputs(x: int, seed: int, hashed: str = "") -> literals_pb2.LiteralMap:
        values = literals_pb2.LiteralMap()
        values.literals["x"].scalar.primitive.integer = x
        values.literals["x"].hash = hashed
        values.literals["seed"].scalar.primitive.integer = seed
        return values

    outputs = literals_pb2.LiteralMap()
    outputs.literals["o0"].scalar.primitive.integer = 99
    host.cache_outputs(template, inputs(1, seed=7), outputs)
    assert host.cached_outputs(template, inputs(1, seed=8)) == outputs  # an ignored input
    assert host.cached_outputs(template, inputs(2, seed=7)) is None
    host.cache_outputs(template, inputs(1, seed=0, hashed="h1"), outputs)
    assert host.cached_outputs(template, inputs(5, seed=0, hashed="h1")) == outputs  # Literal.hash stands for it
    bumped = tasks_pb2.TaskTemplate()
    bumped.CopyFrom(template)
    bumped.metadata.discovery_version = "2"
    assert host.cached_outputs(bumped, inputs(1, seed=7)) is None
    assert cache_key(template, inputs(1, 1)) != cache_key(bumped, inputs(1, 1))

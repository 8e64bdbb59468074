"""Executions through the AdminService: creation and its input rules, task-id runs, data, listing, termination."""

from __future__ import annotations

import grpc
import pytest
from flyteidl.admin import common_pb2, execution_pb2, task_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from flyteidl.event import event_pb2

from flyte_core import LaunchPlan, task, workflow
from flyte_core.sandbox import events
from flyte_core.sandbox.control_plane import ControlPlane
from flyte_core.sandbox.state import SandboxState
from tests.core.sandbox.admin_harness import RecordingEngine, running_sandbox, serialized

Phase = core_execution_pb2.WorkflowExecution


@task
def add(x: int, y: int) -> int:
    return x + y


@task
def shout(text: str) -> str:
    return text.upper()


@workflow
def pipeline(x: int, y: int = 2) -> int:
    return add(x=x, y=y)


fixed = LaunchPlan.get_or_create(pipeline, name="pipeline_fixed", fixed_inputs={"y": 5})


@pytest.fixture
def sandbox(tmp_path):
    with running_sandbox(tmp_path) as running:
        running.register(*serialized(pipeline, LaunchPlan.get_or_create(pipeline), fixed))
        yield running


def _launch_plan_id(name: str = f"{__name__}.pipeline") -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(
        resource_type=identifier_pb2.LAUNCH_PLAN, project="flytesnacks", domain="development", name=name, version="v1"
    )


def _request(name: str = "", launch_plan=None, **inputs: int) -> execution_pb2.ExecutionCreateRequest:
    request = execution_pb2.ExecutionCreateRequest(
        project="flytesnacks",
        domain="development",
        name=name,
        spec=execution_pb2.ExecutionSpec(launch_plan=launch_plan or _launch_plan_id()),
    )
    for key, value in inputs.items():
        request.inputs.literals[key].scalar.primitive.integer = value
    return request


def _code(call, *args):
    with pytest.raises(grpc.RpcError) as raised:
        call(*args)
    return raised.value.code(), raised.value.details()


def _finish(sandbox, execution_id, phase=Phase.SUCCEEDED, **result) -> None:
    for step in (Phase.RUNNING, phase):
        event = event_pb2.WorkflowExecutionEvent(
            execution_id=execution_id, phase=step, occurred_at=events.timestamp(1000.0 + step), **result
        )
        if step == Phase.RUNNING:
            event.ClearField("output_uri")
            event.ClearField("error")
        sandbox.control_plane.record_workflow_event(event)


def test_inputs_are_given_then_defaults_and_fixed_inputs_cannot_be_given(sandbox) -> None:
    sandbox.admin.CreateExecution(_request(x=1))
    assert {k: v.scalar.primitive.integer for k, v in sandbox.engine.submitted[-1].inputs.literals.items()} == {
        "x": 1,
        "y": 2,
    }
    sandbox.admin.CreateExecution(_request(launch_plan=_launch_plan_id("pipeline_fixed"), x=1))
    assert sandbox.engine.submitted[-1].inputs.literals["y"].scalar.primitive.integer == 5
    for request, expected in [
        (_request(x=1, z=3), "invalid input z"),
        (_request(), "x missing"),
        (_request(launch_plan=_launch_plan_id("pipeline_fixed"), x=1, y=9), "fixes it"),
    ]:
        code, details = _code(sandbox.admin.CreateExecution, request)
        assert code == grpc.StatusCode.INVALID_ARGUMENT and expected in details
    wrong = _request()
    wrong.inputs.literals["x"].scalar.primitive.string_value = "one"
    code, details = _code(sandbox.admin.CreateExecution, wrong)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "x" in details and "wrong type" in details
    assert sandbox.rows("executions") == 2 and len(sandbox.engine.submitted) == 2


def test_explicit_names_must_be_free_and_well_formed(sandbox) -> None:
    created = sandbox.admin.CreateExecution(_request(name="my-run", x=1))
    assert created.id.name == "my-run"
    code, details = _code(sandbox.admin.CreateExecution, _request(name="my-run", x=1))
    assert code == grpc.StatusCode.ALREADY_EXISTS and "my-run" in details
    code, _ = _code(sandbox.admin.CreateExecution, _request(name="1-starts-with-a-digit", x=1))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    missing = _launch_plan_id("no.such.plan")
    code, _ = _code(sandbox.admin.CreateExecution, _request(launch_plan=missing, x=1))
    assert code == grpc.StatusCode.NOT_FOUND
    assert sandbox.rows("executions") == 1


def test_a_task_id_runs_the_flytegen_wrapper_and_keeps_the_task_id_in_the_spec(sandbox) -> None:
    spec = next(e for e in serialized(shout) if isinstance(e, task_pb2.TaskSpec))
    sandbox.register(spec)
    request = execution_pb2.ExecutionCreateRequest(
        project="flytesnacks", domain="development", spec=execution_pb2.ExecutionSpec(launch_plan=spec.template.id)
    )
    request.inputs.literals["text"].scalar.primitive.string_value = "hi"
    for _ in range(2):  # the second run reuses the wrapper registered by the first
        created = sandbox.admin.CreateExecution(request)
    execution = sandbox.admin.GetExecution(execution_pb2.WorkflowExecutionGetRequest(id=created.id))
    assert execution.spec.launch_plan == spec.template.id
    assert execution.closure.workflow_id.name == f".flytegen.{spec.template.id.name}"
    closure = sandbox.engine.submitted[-1].closure
    [node] = [n for n in closure.primary.template.nodes if n.id not in ("start-node", "end-node")]
    assert node.task_node.reference_id == spec.template.id
    assert node.metadata.retries == spec.template.metadata.retries  # the template's, as flyteadmin
    assert sandbox.rows("workflows") == 2 and sandbox.rows("launch_plans") == 3


def test_execution_data_is_inline_under_2mb_and_only_a_url_above(sandbox) -> None:
    small = sandbox.admin.CreateExecution(_request(x=1)).id
    outputs = literals_pb2.LiteralMap()
    outputs.literals["o0"].scalar.primitive.integer = 3
    uri = sandbox.blobs.write_bytes("metadata/out/small/outputs.pb", outputs.SerializeToString())
    _finish(sandbox, small, output_uri=uri)
    data = sandbox.admin.GetExecutionData(execution_pb2.WorkflowExecutionGetDataRequest(id=small))
    assert data.full_inputs.literals["x"].scalar.primitive.integer == 1
    assert data.full_outputs.literals["o0"].scalar.primitive.integer == 3
    assert data.outputs.url == uri and data.outputs.bytes == len(outputs.SerializeToString())
    assert data.inputs.url.startswith("/") and data.inputs.bytes > 0
    big = sandbox.admin.CreateExecution(_request(x=2)).id
    large = literals_pb2.LiteralMap()
    large.literals["o0"].scalar.primitive.string_value = "x" * (3 * 1024 * 1024)
    uri = sandbox.blobs.write_bytes("metadata/out/big/outputs.pb", large.SerializeToString())
    _finish(sandbox, big, output_uri=uri)
    data = sandbox.admin.GetExecutionData(execution_pb2.WorkflowExecutionGetDataRequest(id=big))
    assert not data.full_outputs.literals and data.outputs.url == uri and data.outputs.bytes > 3 * 1024 * 1024


def test_terminating_a_running_execution_aborts_it_and_a_finished_one_cannot_be(sandbox) -> None:
    running = sandbox.admin.CreateExecution(_request(x=1)).id
    sandbox.admin.TerminateExecution(execution_pb2.ExecutionTerminateRequest(id=running, cause="changed my mind"))
    record = sandbox.admin.GetExecution(execution_pb2.WorkflowExecutionGetRequest(id=running))
    assert record.closure.phase == Phase.ABORTING and record.closure.abort_metadata.cause == "changed my mind"
    assert sandbox.engine.terminated == [(running, "changed my mind")]
    sandbox.control_plane.record_workflow_event(
        event_pb2.WorkflowExecutionEvent(execution_id=running, phase=Phase.RUNNING)
    )  # too late: ignored, as flyteadmin refuses it
    sandbox.control_plane.record_workflow_event(
        event_pb2.WorkflowExecutionEvent(execution_id=running, phase=Phase.ABORTED)
    )
    record = sandbox.admin.GetExecution(execution_pb2.WorkflowExecutionGetRequest(id=running))
    assert record.closure.phase == Phase.ABORTED and record.closure.abort_metadata.cause == "changed my mind"
    code, details = _code(
        sandbox.admin.TerminateExecution, execution_pb2.ExecutionTerminateRequest(id=running, cause="again")
    )
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "already terminate" in details
    unknown = identifier_pb2.WorkflowExecutionIdentifier(project="flytesnacks", domain="development", name="nope")
    code, _ = _code(sandbox.admin.TerminateExecution, execution_pb2.ExecutionTerminateRequest(id=unknown))
    assert code == grpc.StatusCode.NOT_FOUND


def test_list_executions_filters_by_tag_label_phase_and_launch_plan(sandbox) -> None:
    tagged = _request(x=1)
    tagged.spec.tags.append("nightly")
    tagged.spec.labels.values["eager-exec"] = "root1"
    first = sandbox.admin.CreateExecution(tagged).id
    second = sandbox.admin.CreateExecution(_request(launch_plan=_launch_plan_id("pipeline_fixed"), x=1)).id
    _finish(sandbox, second, Phase.FAILED, error=core_execution_pb2.ExecutionError(code="E", message="m" * 300))

    def names(filters: str, **sort) -> list[str]:
        request = common_pb2.ResourceListRequest(
            id=common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development"), limit=10, filters=filters
        )
        if sort:
            request.sort_by.CopyFrom(common_pb2.Sort(**sort))
        return [e.id.name for e in sandbox.admin.ListExecutions(request).executions]

    assert names("") == [first.name, second.name]
    assert names("", key="created_at", direction=common_pb2.Sort.DESCENDING) == [second.name, first.name]
    assert names("value_in(execution_tag.key,eager-exec)+value_in(execution_tag.value,root1)") == [first.name]
    assert names("value_in(execution_tag.key,eager-exec)+value_in(execution_tag.value,nightly)") == []
    assert names("eq(execution_tag.key,nightly)") == [first.name]
    assert names("value_in(phase,UNDEFINED;QUEUED;RUNNING)") == [first.name]
    assert names("eq(launch_plan.name,pipeline_fixed)") == [second.name]
    assert names("gte(created_at,2000-01-01T00:00:00Z)") == [first.name, second.name]
    listed = sandbox.admin.ListExecutions(
        common_pb2.ResourceListRequest(
            id=common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development"),
            limit=10,
            filters="eq(phase,FAILED)",
        )
    )
    assert len(listed.executions[0].closure.error.message) == 100  # trimmed in lists, as flyteadmin
    full = sandbox.admin.GetExecution(execution_pb2.WorkflowExecutionGetRequest(id=second))
    assert len(full.closure.error.message) == 300
    with pytest.raises(grpc.RpcError) as raised:
        names("gte(created_at,last tuesday)")
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "last tuesday" in raised.value.details()


def test_unexpected_failures_are_internal_with_a_message_never_unknown(sandbox) -> None:
    created = sandbox.admin.CreateExecution(_request(x=1)).id
    sandbox.state.execute("UPDATE executions SET record = ? WHERE name = ?", (b"\xff\xff not a protobuf", created.name))
    code, details = _code(sandbox.admin.GetExecution, execution_pb2.WorkflowExecutionGetRequest(id=created))
    assert code == grpc.StatusCode.INTERNAL and "GetExecution" in details and "\n" not in details


def test_relaunch_reuses_the_user_inputs_under_a_new_name(sandbox) -> None:
    first = sandbox.admin.CreateExecution(_request(x=7)).id
    again = sandbox.admin.RelaunchExecution(execution_pb2.ExecutionRelaunchRequest(id=first, name="again")).id
    record = sandbox.admin.GetExecution(execution_pb2.WorkflowExecutionGetRequest(id=again))
    assert again.name == "again" and record.spec.metadata.mode == execution_pb2.ExecutionMetadata.RELAUNCH
    assert record.spec.metadata.reference_execution == first
    assert sandbox.engine.submitted[-1].inputs.literals["x"].scalar.primitive.integer == 7


def test_an_engine_that_refuses_an_execution_leaves_it_failed_with_the_reason(sandbox) -> None:
    sandbox.engine.refuse = True
    created = sandbox.admin.CreateExecution(_request(x=1)).id
    record = sandbox.admin.GetExecution(execution_pb2.WorkflowExecutionGetRequest(id=created))
    assert record.closure.phase == Phase.FAILED and "no worker available" in record.closure.error.message


def test_unfinished_executions_resume_with_their_engine_state_after_a_restart(sandbox, tmp_path) -> None:
    running = sandbox.admin.CreateExecution(_request(x=1)).id
    done = sandbox.admin.CreateExecution(_request(x=2)).id
    _finish(sandbox, done)
    sandbox.control_plane.save_engine_state(running, b"progress")
    sandbox.admin.TerminateExecution(execution_pb2.ExecutionTerminateRequest(id=running, cause="stop"))
    engine = RecordingEngine()
    reopened = ControlPlane(SandboxState(tmp_path / "state.db"), sandbox.blobs, engine)
    assert reopened.resume_unfinished() == 1
    [resumed] = engine.resumed
    assert resumed.execution == running and resumed.inputs.literals["x"].scalar.primitive.integer == 1
    assert resumed.closure == sandbox.engine.submitted[0].closure
    assert engine.terminated == [(running, "stop")]  # it was being aborted: the abort goes on
    assert reopened.load_engine_state(running) == b"progress" and reopened.load_engine_state(done) is None
    reopened.state.close()


def test_archived_executions_leave_the_default_list_and_metrics_have_a_span(sandbox) -> None:
    kept = sandbox.admin.CreateExecution(_request(x=1)).id
    archived = sandbox.admin.CreateExecution(_request(x=2)).id
    sandbox.admin.UpdateExecution(
        execution_pb2.ExecutionUpdateRequest(id=archived, state=execution_pb2.EXECUTION_ARCHIVED)
    )
    request = common_pb2.ResourceListRequest(
        id=common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development"), limit=10
    )
    assert [e.id.name for e in sandbox.admin.ListExecutions(request).executions] == [kept.name]
    request.filters = "eq(state,1)"
    assert [e.id.name for e in sandbox.admin.ListExecutions(request).executions] == [archived.name]
    _finish(sandbox, kept)
    metrics = sandbox.admin.GetExecutionMetrics(execution_pb2.WorkflowExecutionGetMetricsRequest(id=kept))
    assert metrics.span.workflow_id == kept and metrics.span.HasField("start_time")


def test_recover_starts_the_same_inputs_in_recovered_mode(sandbox) -> None:
    first = sandbox.admin.CreateExecution(_request(x=3)).id
    _finish(sandbox, first, Phase.FAILED, error=core_execution_pb2.ExecutionError(message="flaky"))
    recovered = sandbox.admin.RecoverExecution(execution_pb2.ExecutionRecoverRequest(id=first)).id
    record = sandbox.admin.GetExecution(execution_pb2.WorkflowExecutionGetRequest(id=recovered))
    assert record.spec.metadata.mode == execution_pb2.ExecutionMetadata.RECOVERED
    assert record.spec.metadata.reference_execution == first
    assert sandbox.engine.submitted[-1].inputs.literals["x"].scalar.primitive.integer == 3


def test_dynamic_futures_compile_through_the_host(sandbox) -> None:
    from flyteidl.core import dynamic_job_pb2, interface_pb2, tasks_pb2, types_pb2, workflow_pb2

    integer = types_pb2.LiteralType(simple=types_pb2.INTEGER)
    task_id = identifier_pb2.Identifier(
        resource_type=identifier_pb2.TASK, project="p", domain="d", name="t", version="1"
    )
    interface = interface_pb2.TypedInterface()
    interface.outputs.variables["o0"].type.CopyFrom(integer)
    template = tasks_pb2.TaskTemplate(id=task_id, type="python-task", interface=interface)
    futures = dynamic_job_pb2.DynamicJobSpec(
        tasks=[template],
        nodes=[workflow_pb2.Node(id="dn0", task_node=workflow_pb2.TaskNode(reference_id=task_id))],
        outputs=[
            literals_pb2.Binding(
                var="o0",
                binding=literals_pb2.BindingData(promise=types_pb2.OutputReference(node_id="dn0", var="o0")),
            )
        ],
    )
    closure = sandbox.control_plane.compile_dynamic("n0", interface, futures)
    assert closure.primary.template.id.name == "dynamic_n0"
    assert [n.id for n in closure.primary.template.nodes] == ["start-node", "end-node", "dn0"]

"""AdminService registration, as a real flytekit client drives it: Create* (retried), Get*, List*, activation."""

from __future__ import annotations

import threading

import grpc
import pytest
from flyteidl.admin import (
    common_pb2,
    execution_pb2,
    launch_plan_pb2,
    project_pb2,
    task_pb2,
    workflow_pb2,
)
from flyteidl.core import identifier_pb2
from flyteidl.service import dataproxy_pb2

from flyte_core import LaunchPlan, task, workflow
from tests.core.sandbox.admin_harness import running_sandbox, serialized

ResourceType = identifier_pb2.ResourceType
MANUAL = execution_pb2.ExecutionMetadata.MANUAL


@task
def add(x: int, y: int) -> int:
    return x + y


@task
def shout(text: str) -> str:
    return text.upper()


@workflow
def pipeline(x: int, y: int = 2) -> int:
    return add(x=x, y=y)


@workflow
def loud(text: str) -> str:
    return shout(text=text)


@pytest.fixture
def sandbox(tmp_path):
    with running_sandbox(tmp_path) as running:
        yield running


def _ids(entities):
    return [e.template.id if hasattr(e, "template") else e.id for e in entities]


def _code(call, *args):
    with pytest.raises(grpc.RpcError) as raised:
        call(*args)
    return raised.value.code(), raised.value.details()


def test_pyflyte_run_remote_sequence_with_retries_registers_once_and_starts_the_execution(sandbox) -> None:
    # 1. the code bundle's upload location
    upload = sandbox.dataproxy.CreateUploadLocation(
        dataproxy_pb2.CreateUploadLocationRequest(
            project="flytesnacks",
            domain="development",
            filename="fastabc.tar.gz",
            content_md5=b"\x01" * 16,
            add_content_md5_metadata=True,
        )
    )
    assert upload.native_url.startswith("/") and upload.native_url.endswith("/fastabc.tar.gz")
    # 3-6. tasks concurrently, then workflow, then launch plan; flytekit retries every Create* 3 more times
    entities = serialized(pipeline, LaunchPlan.get_or_create(pipeline))
    tasks = [e for e in entities if isinstance(e, task_pb2.TaskSpec)]
    threads = [threading.Thread(target=sandbox.register, args=(t,), kwargs={"attempts": 4}) for t in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sandbox.register(*[e for e in entities if not isinstance(e, task_pb2.TaskSpec)], attempts=4)
    assert sandbox.rows("tasks") == 1 and sandbox.rows("workflows") == 1 and sandbox.rows("launch_plans") == 1
    # 7-8. the client reads back what it registered
    workflow_id, launch_plan_id = _ids(entities)[-2:]
    fetched = sandbox.admin.GetWorkflow(common_pb2.ObjectGetRequest(id=workflow_id))
    node_ids = [n.id for n in fetched.closure.compiled_workflow.primary.template.nodes]
    assert node_ids[:2] == ["start-node", "end-node"] and len(fetched.closure.compiled_workflow.tasks) == 1
    launch_plan = sandbox.admin.GetLaunchPlan(common_pb2.ObjectGetRequest(id=launch_plan_id))
    assert launch_plan.closure.state == launch_plan_pb2.INACTIVE
    assert launch_plan.closure.expected_inputs.parameters["x"].required
    assert launch_plan.closure.expected_inputs.parameters["y"].default.scalar.primitive.integer == 2
    assert list(launch_plan.closure.expected_outputs.variables) == ["o0"]
    # 9-10. the execution, with an empty name, then its record
    request = execution_pb2.ExecutionCreateRequest(
        project="flytesnacks",
        domain="development",
        spec=execution_pb2.ExecutionSpec(
            launch_plan=launch_plan_id,
            metadata=execution_pb2.ExecutionMetadata(
                mode=execution_pb2.ExecutionMetadata.MANUAL, principal="placeholder"
            ),
        ),
    )
    request.inputs.literals["x"].scalar.primitive.integer = 40
    created = sandbox.admin.CreateExecution(request)
    assert len(created.id.name) == 20 and created.id.name.startswith("a") and created.id.name.isalnum()
    execution = sandbox.admin.GetExecution(execution_pb2.WorkflowExecutionGetRequest(id=created.id))
    assert execution.closure.phase == 0 and execution.spec.launch_plan == launch_plan_id
    assert execution.closure.workflow_id == workflow_id
    [submitted] = sandbox.engine.submitted
    assert submitted.execution == created.id
    assert {k: v.scalar.primitive.integer for k, v in submitted.inputs.literals.items()} == {"x": 40, "y": 2}
    assert submitted.closure == fetched.closure.compiled_workflow


def test_same_id_with_different_content_is_invalid_argument_naming_what_differs(sandbox) -> None:
    [spec] = [e for e in serialized(add) if isinstance(e, task_pb2.TaskSpec)]
    sandbox.register(spec)
    changed = task_pb2.TaskSpec()
    changed.CopyFrom(spec)
    changed.template.container.image = "other:v2"
    code, details = _code(sandbox.admin.CreateTask, task_pb2.TaskCreateRequest(id=changed.template.id, spec=changed))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert "different structure" in details and "container.image" in details


def test_a_workflow_whose_task_is_not_registered_does_not_compile_and_nothing_is_written(sandbox) -> None:
    workflow_spec = next(e for e in serialized(pipeline) if isinstance(e, workflow_pb2.WorkflowSpec))
    code, details = _code(
        sandbox.admin.CreateWorkflow,
        workflow_pb2.WorkflowCreateRequest(id=workflow_spec.template.id, spec=workflow_spec),
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "add" in details and "not registered" in details
    assert sandbox.rows("workflows") == 0


def test_a_launch_plan_needs_its_workflow(sandbox) -> None:
    launch_plan = serialized(LaunchPlan.get_or_create(pipeline))[-1]
    code, details = _code(
        sandbox.admin.CreateLaunchPlan,
        launch_plan_pb2.LaunchPlanCreateRequest(id=launch_plan.id, spec=launch_plan.spec),
    )
    assert code == grpc.StatusCode.NOT_FOUND and "pipeline" in details
    assert sandbox.rows("launch_plans") == 0


def test_unknown_projects_and_malformed_ids_are_invalid_arguments_and_change_nothing(sandbox) -> None:
    [spec] = [e for e in serialized(add) if isinstance(e, task_pb2.TaskSpec)]
    elsewhere = identifier_pb2.Identifier()
    elsewhere.CopyFrom(spec.template.id)
    elsewhere.project = "nowhere"
    code, details = _code(sandbox.admin.CreateTask, task_pb2.TaskCreateRequest(id=elsewhere, spec=spec))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "nowhere" in details
    unversioned = identifier_pb2.Identifier()
    unversioned.CopyFrom(spec.template.id)
    unversioned.version = ""
    code, details = _code(sandbox.admin.CreateTask, task_pb2.TaskCreateRequest(id=unversioned, spec=spec))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "version" in details
    code, _ = _code(sandbox.admin.GetTask, common_pb2.ObjectGetRequest(id=unversioned))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    code, _ = _code(sandbox.admin.GetTask, common_pb2.ObjectGetRequest(id=spec.template.id))
    assert code == grpc.StatusCode.NOT_FOUND
    assert sandbox.rows("tasks") == 0


def test_activating_a_launch_plan_version_deactivates_the_others_and_tells_the_scheduler(sandbox) -> None:
    told = []
    sandbox.control_plane.on_launch_plan_state = lambda lp, state: told.append((lp.id.version, state))
    first = serialized(pipeline, LaunchPlan.get_or_create(pipeline))
    sandbox.register(*first)
    v1 = first[-1].id
    v2 = identifier_pb2.Identifier()
    v2.CopyFrom(v1)
    v2.version = "v2"
    sandbox.admin.CreateLaunchPlan(launch_plan_pb2.LaunchPlanCreateRequest(id=v2, spec=first[-1].spec))
    for identifier in (v1, v2):
        sandbox.admin.UpdateLaunchPlan(
            launch_plan_pb2.LaunchPlanUpdateRequest(id=identifier, state=launch_plan_pb2.ACTIVE)
        )
    named = common_pb2.NamedEntityIdentifier(project=v1.project, domain=v1.domain, name=v1.name)
    active = sandbox.admin.GetActiveLaunchPlan(launch_plan_pb2.ActiveLaunchPlanRequest(id=named))
    assert active.id.version == "v2" and active.closure.state == launch_plan_pb2.ACTIVE
    listed = sandbox.admin.ListActiveLaunchPlans(
        launch_plan_pb2.ActiveLaunchPlanListRequest(project=v1.project, domain=v1.domain, limit=10)
    )
    assert [lp.id.version for lp in listed.launch_plans] == ["v2"]
    assert told == [("v1", launch_plan_pb2.ACTIVE), ("v2", launch_plan_pb2.ACTIVE)]
    sandbox.admin.UpdateLaunchPlan(launch_plan_pb2.LaunchPlanUpdateRequest(id=v2, state=launch_plan_pb2.INACTIVE))
    code, details = _code(sandbox.admin.GetActiveLaunchPlan, launch_plan_pb2.ActiveLaunchPlanRequest(id=named))
    assert code == grpc.StatusCode.NOT_FOUND and "No active launch plan" in details


def test_lists_filter_sort_and_paginate_like_flyteadmin(sandbox) -> None:
    base = next(e for e in serialized(add) if isinstance(e, task_pb2.TaskSpec))
    for version in ("v1", "v2", "v3"):
        spec = task_pb2.TaskSpec()
        spec.CopyFrom(base)
        spec.template.id.version = version
        sandbox.register(spec)
    sandbox.register(*[e for e in serialized(shout) if isinstance(e, task_pb2.TaskSpec)])
    named = common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development", name=base.template.id.name)
    latest = sandbox.admin.ListTasks(
        common_pb2.ResourceListRequest(
            id=named, limit=1, sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.DESCENDING)
        )
    )
    assert [t.id.version for t in latest.tasks] == ["v3"] and latest.token == "1"
    rest = sandbox.admin.ListTasks(common_pb2.ResourceListRequest(id=named, limit=5, token="1"))
    assert [t.id.version for t in rest.tasks] == ["v2", "v3"] and rest.token == ""
    filtered = sandbox.admin.ListTasks(
        common_pb2.ResourceListRequest(id=named, limit=5, filters="value_in(version,v1;v3)+ne(version,v3)")
    )
    assert [t.id.version for t in filtered.tasks] == ["v1"]
    ids = sandbox.admin.ListTaskIds(
        common_pb2.NamedEntityIdentifierListRequest(project="flytesnacks", domain="development", limit=10)
    )
    assert sorted(e.name for e in ids.entities) == sorted({base.template.id.name, f"{__name__}.shout"})
    active_ids = sandbox.admin.ListTaskIds(
        common_pb2.NamedEntityIdentifierListRequest(
            project="flytesnacks", domain="development", limit=1, filters="eq(state,0)"
        )
    )
    assert len(active_ids.entities) == 1 and active_ids.token == "1"
    code, details = _code(
        sandbox.admin.ListTasks, common_pb2.ResourceListRequest(id=named, limit=5, filters="eq(colour,red)")
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "colour" in details
    code, details = _code(sandbox.admin.ListTasks, common_pb2.ResourceListRequest(id=named, limit=5, token="x"))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "token" in details
    code, _ = _code(sandbox.admin.ListTasks, common_pb2.ResourceListRequest(id=named, limit=0))
    assert code == grpc.StatusCode.INVALID_ARGUMENT


def test_named_entities_carry_metadata_and_hide_system_generated_workflows(sandbox) -> None:
    sandbox.register(*serialized(loud, LaunchPlan.get_or_create(loud)))
    shout_id = next(e for e in serialized(shout) if isinstance(e, task_pb2.TaskSpec)).template.id
    request = execution_pb2.ExecutionCreateRequest(
        project="flytesnacks", domain="development", spec=execution_pb2.ExecutionSpec(launch_plan=shout_id)
    )
    request.inputs.literals["text"].scalar.primitive.string_value = "hi"
    sandbox.admin.CreateExecution(request)
    workflows = sandbox.admin.ListNamedEntities(
        common_pb2.NamedEntityListRequest(
            resource_type=ResourceType.WORKFLOW, project="flytesnacks", domain="development", limit=10
        )
    )
    assert [e.id.name for e in workflows.entities] == [f"{__name__}.loud"]
    named = common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development", name=f"{__name__}.loud")
    sandbox.admin.UpdateNamedEntity(
        common_pb2.NamedEntityUpdateRequest(
            resource_type=ResourceType.WORKFLOW,
            id=named,
            metadata=common_pb2.NamedEntityMetadata(description="shouts", state=common_pb2.NAMED_ENTITY_ARCHIVED),
        )
    )
    entity = sandbox.admin.GetNamedEntity(
        common_pb2.NamedEntityGetRequest(resource_type=ResourceType.WORKFLOW, id=named)
    )
    assert entity.metadata.description == "shouts" and entity.metadata.state == common_pb2.NAMED_ENTITY_ARCHIVED
    missing = common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development", name="nope")
    code, _ = _code(
        sandbox.admin.GetNamedEntity, common_pb2.NamedEntityGetRequest(resource_type=ResourceType.WORKFLOW, id=missing)
    )
    assert code == grpc.StatusCode.NOT_FOUND


def test_projects_domains_and_version(sandbox) -> None:
    listed = sandbox.admin.ListProjects(project_pb2.ProjectListRequest(limit=10))
    assert [p.id for p in listed.projects] == ["flytesnacks"]
    assert [d.id for d in listed.projects[0].domains] == ["development", "staging", "production"]
    sandbox.admin.RegisterProject(
        project_pb2.ProjectRegisterRequest(project=project_pb2.Project(id="ml", name="ML", description="models"))
    )
    code, _ = _code(
        sandbox.admin.RegisterProject,
        project_pb2.ProjectRegisterRequest(project=project_pb2.Project(id="ml", name="x")),
    )
    assert code == grpc.StatusCode.ALREADY_EXISTS
    code, details = _code(
        sandbox.admin.RegisterProject,
        project_pb2.ProjectRegisterRequest(project=project_pb2.Project(id="Bad_Id", name="x")),
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "Bad_Id" in details
    sandbox.admin.UpdateProject(project_pb2.Project(id="ml", name="ML", state=project_pb2.Project.ARCHIVED))
    assert [p.id for p in sandbox.admin.ListProjects(project_pb2.ProjectListRequest(limit=10)).projects] == [
        "flytesnacks"
    ]
    assert sandbox.admin.GetProject(project_pb2.ProjectGetRequest(id="ml")).state == project_pb2.Project.ARCHIVED
    domains = sandbox.admin.GetDomains(project_pb2.GetDomainRequest())
    assert [d.id for d in domains.domains] == ["development", "staging", "production"]
    from flyteidl.admin import version_pb2

    assert sandbox.admin.GetVersion(version_pb2.GetVersionRequest()).control_plane_version.Version


@task
def documented(text: str) -> str:
    """Repeat the text.

    Longer words about repeating.
    """
    return text


def test_descriptions_become_description_entities_and_short_descriptions(sandbox) -> None:
    from flyteidl.admin import description_entity_pb2

    [spec] = [e for e in serialized(documented) if isinstance(e, task_pb2.TaskSpec)]
    sandbox.register(spec)
    entity = sandbox.admin.GetDescriptionEntity(common_pb2.ObjectGetRequest(id=spec.template.id))
    assert entity.short_description == "Repeat the text." and entity.id == spec.template.id
    assert (
        sandbox.admin.GetTask(common_pb2.ObjectGetRequest(id=spec.template.id)).short_description == "Repeat the text."
    )
    listed = sandbox.admin.ListDescriptionEntities(
        description_entity_pb2.DescriptionEntityListRequest(
            resource_type=ResourceType.TASK,
            id=common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development"),
            limit=10,
        )
    )
    assert [e.id.name for e in listed.descriptionEntities] == [spec.template.id.name]


def test_attributes_are_stored_returned_deleted_and_reach_executions(sandbox) -> None:
    from flyteidl.admin import matchable_resource_pb2 as m
    from flyteidl.admin import project_domain_attributes_pb2 as pda

    config = m.MatchingAttributes(workflow_execution_config=m.WorkflowExecutionConfig(max_parallelism=7))
    sandbox.admin.UpdateProjectDomainAttributes(
        pda.ProjectDomainAttributesUpdateRequest(
            attributes=pda.ProjectDomainAttributes(
                project="flytesnacks", domain="development", matching_attributes=config
            )
        )
    )
    get = pda.ProjectDomainAttributesGetRequest(
        project="flytesnacks", domain="development", resource_type=m.WORKFLOW_EXECUTION_CONFIG
    )
    assert sandbox.admin.GetProjectDomainAttributes(get).attributes.matching_attributes == config
    listed = sandbox.admin.ListMatchableAttributes(
        m.ListMatchableAttributesRequest(resource_type=m.WORKFLOW_EXECUTION_CONFIG)
    )
    assert [(c.project, c.domain) for c in listed.configurations] == [("flytesnacks", "development")]
    entities = serialized(pipeline, LaunchPlan.get_or_create(pipeline))
    sandbox.register(*entities)
    request = execution_pb2.ExecutionCreateRequest(
        project="flytesnacks", domain="development", spec=execution_pb2.ExecutionSpec(launch_plan=entities[-1].id)
    )
    request.inputs.literals["x"].scalar.primitive.integer = 1
    request.spec.envs.values.add(key="MODE", value="test")
    sandbox.admin.CreateExecution(request)
    resolved = sandbox.engine.submitted[-1].spec
    assert resolved.max_parallelism == 7 and [(e.key, e.value) for e in resolved.envs.values] == [("MODE", "test")]
    sandbox.admin.DeleteProjectDomainAttributes(
        pda.ProjectDomainAttributesDeleteRequest(
            project="flytesnacks", domain="development", resource_type=m.WORKFLOW_EXECUTION_CONFIG
        )
    )
    code, _ = _code(sandbox.admin.GetProjectDomainAttributes, get)
    assert code == grpc.StatusCode.NOT_FOUND


def test_active_scheduled_launch_plans_are_found_and_each_firing_launches_once(sandbox) -> None:
    import datetime

    from flyteidl.admin import schedule_pb2

    from flyte_core.sandbox.control_plane import launch_plan_record

    entities = serialized(pipeline, LaunchPlan.get_or_create(pipeline))
    sandbox.register(*entities)
    scheduled = launch_plan_pb2.LaunchPlanSpec()
    scheduled.CopyFrom(entities[-1].spec)
    scheduled.default_inputs.parameters["x"].default.scalar.primitive.integer = 1
    scheduled.entity_metadata.schedule.CopyFrom(schedule_pb2.Schedule(cron_expression="0 * * * *"))
    identifier = identifier_pb2.Identifier()
    identifier.CopyFrom(entities[-1].id)
    identifier.name = "hourly"
    sandbox.admin.CreateLaunchPlan(launch_plan_pb2.LaunchPlanCreateRequest(id=identifier, spec=scheduled))
    control_plane = sandbox.control_plane
    assert control_plane.active_schedules() == []
    sandbox.admin.UpdateLaunchPlan(launch_plan_pb2.LaunchPlanUpdateRequest(id=identifier, state=launch_plan_pb2.ACTIVE))
    [(launch_plan, activated_at)] = control_plane.active_schedules()
    assert launch_plan.id == identifier and activated_at.tzinfo is not None
    row = sandbox.state.find("launch_plans", "record, state, created_at, updated_at", name="hourly")
    assert launch_plan_record(row).closure.state == launch_plan_pb2.ACTIVE
    moment = datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.timezone.utc)
    for _ in range(2):
        control_plane.launch_scheduled(launch_plan, moment)
    [execution] = sandbox.engine.submitted
    record = control_plane.get_execution(execution.execution)
    assert record.spec.metadata.mode == execution_pb2.ExecutionMetadata.SCHEDULED
    assert record.spec.metadata.scheduled_at.ToDatetime(datetime.timezone.utc) == moment
    unbound = launch_plan_pb2.LaunchPlanSpec()
    unbound.CopyFrom(entities[-1].spec)
    unbound.entity_metadata.schedule.CopyFrom(schedule_pb2.Schedule(cron_expression="0 * * * *"))
    identifier.name = "broken"
    code, details = _code(
        sandbox.admin.CreateLaunchPlan, launch_plan_pb2.LaunchPlanCreateRequest(id=identifier, spec=unbound)
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "[x] is required" in details

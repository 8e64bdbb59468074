"""Reference entities: stubs with an interface, nodes pointing at the remote id, runnable locally only when mocked."""

from __future__ import annotations

from unittest import mock

import pytest
from flyteidl.core import identifier_pb2

from flyte_core import (
    LaunchPlanReference,
    TaskReference,
    WorkflowReference,
    conditional,
    get_reference_entity,
    kwtypes,
    reference_launch_plan,
    reference_task,
    reference_workflow,
    task,
    workflow,
)
from flyte_core.exceptions.user import FlyteValidationException
from flyte_core.extend import PythonTask
from flyte_core.models.core.identifier import ResourceType
from flyte_core.sdk.launch_plan import LaunchPlan
from flyte_core.sdk.reference import ReferenceEntity, ReferenceLaunchPlan, ReferenceTask, ReferenceWorkflow
from flyte_core.sdk.workflow import WorkflowBase
from flyte_core.types.type_engine import TypeTransformerFailedError


@pytest.fixture(autouse=True)
def _no_local_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_ENABLED", "false")


@reference_task(project="flytesnacks", domain="development", name="recipes.join_strings", version="abc")
def join(a: list[str]) -> str: ...


@reference_workflow(project="flytesnacks", domain="development", name="recipes.wf", version="v2")
def remote_wf(a: int) -> tuple[str, str]: ...


@reference_launch_plan(project="flytesnacks", domain="development", name="recipes.lp", version="v3")
def remote_lp(a: int) -> int: ...


@task
def length(s: str) -> int:
    return len(s)


@workflow
def uses_refs(a: int) -> int:
    joined = join(a=["x", "y"])
    remote_wf(a=a)
    return remote_lp(a=length(s=joined))


def test_stub_gives_the_interface_and_the_remote_id() -> None:
    assert join.python_interface.inputs == {"a": list[str]}
    assert join.python_interface.outputs == {"o0": str}
    assert join.id == identifier_pb2.Identifier(
        resource_type=identifier_pb2.TASK,
        project="flytesnacks",
        domain="development",
        name="recipes.join_strings",
        version="abc",
    )
    assert join.name == "recipes.join_strings"


def test_reference_entities_are_tasks_workflows_and_launch_plans() -> None:
    assert isinstance(join, ReferenceTask) and isinstance(join, PythonTask)
    assert isinstance(remote_wf, ReferenceWorkflow) and isinstance(remote_wf, WorkflowBase)
    assert isinstance(remote_lp, ReferenceLaunchPlan) and isinstance(remote_lp, LaunchPlan)
    assert remote_wf.id.resource_type == identifier_pb2.WORKFLOW
    assert remote_lp.id.resource_type == identifier_pb2.LAUNCH_PLAN


@pytest.mark.parametrize("entity", [join, remote_wf, remote_lp], ids=["task", "workflow", "launch plan"])
def test_calling_a_reference_locally_is_not_implemented_and_names_it(entity: ReferenceEntity) -> None:
    with pytest.raises(NotImplementedError, match=f"reference .* '{entity.name}'.*mock"):
        entity(a=1)


def test_a_workflow_using_references_cannot_run_locally_unmocked() -> None:
    with pytest.raises(NotImplementedError, match="recipes.join_strings"):
        uses_refs(a=1)


def test_in_a_workflow_references_become_nodes_named_after_the_remote_entity() -> None:
    nodes = uses_refs.nodes
    assert [(n.id, n.flyte_entity.name) for n in nodes] == [
        ("n0", "recipes.join_strings"),
        ("n1", "recipes.wf"),
        ("n2", length.name),
        ("n3", "recipes.lp"),
    ]
    assert [n.flyte_entity.construct_node_metadata().name for n in nodes if n.id != "n2"] == [
        "join_strings",
        "wf",
        "lp",
    ]
    assert [u.id for u in nodes[3].upstream_nodes] == ["n2"]


def test_mocked_references_run_in_a_local_workflow() -> None:
    with (
        mock.patch.object(join, "execute", return_value="xyz") as joined,
        mock.patch.object(remote_wf, "execute", return_value=("a", "b")),
        mock.patch.object(remote_lp, "execute", side_effect=lambda a: a * 10),
    ):
        assert uses_refs(a=1) == 30
    joined.assert_called_once_with(a=["x", "y"])


def test_a_mocked_reference_called_directly_returns_the_mocked_value() -> None:
    with mock.patch.object(join, "execute", return_value="mocked"):
        assert join(a=["q"]) == "mocked"


def test_a_mock_returning_the_wrong_type_is_named_in_the_error() -> None:
    @workflow
    def wf() -> str:
        return join(a=["x"])

    with (
        mock.patch.object(join, "execute", return_value=42),
        pytest.raises(TypeTransformerFailedError, match=r"reference task 'recipes.join_strings'.*output 'o0'"),
    ):
        wf()


def test_a_reference_in_a_branch_not_taken_is_not_called() -> None:
    @workflow
    def wf(a: int) -> int:
        return conditional("c").if_(a > 0).then(remote_lp(a=a)).else_().then(length(s="abc"))

    assert wf(a=0) == 3


def test_get_reference_entity_builds_each_kind_from_an_explicit_interface() -> None:
    kinds = {
        ResourceType.TASK: ReferenceTask,
        ResourceType.WORKFLOW: ReferenceWorkflow,
        ResourceType.LAUNCH_PLAN: ReferenceLaunchPlan,
    }
    for resource_type, cls in kinds.items():
        entity = get_reference_entity(resource_type, "p", "d", "x.y", "v", inputs=kwtypes(a=str), outputs={})
        assert type(entity) is cls
        assert entity.id.resource_type == resource_type
        assert entity.python_interface.inputs == {"a": str}


def test_get_reference_entity_with_another_resource_type_is_a_validation_error() -> None:
    with pytest.raises(FlyteValidationException, match="Resource type must be one of task, workflow, or launch plan"):
        get_reference_entity(ResourceType.DATASET, "p", "d", "x", "v", inputs={}, outputs={})


def test_references_are_dataclasses_with_flyteidl_ids() -> None:
    assert TaskReference("p", "d", "n", "v").id.resource_type == identifier_pb2.TASK
    assert WorkflowReference("p", "d", "n", "v").resource_type == ResourceType.WORKFLOW
    assert LaunchPlanReference("p", "d", "n", "v") == LaunchPlanReference("p", "d", "n", "v")


def test_a_reference_entity_needs_a_reference() -> None:
    with pytest.raises(ValueError, match="Must be one of task, workflow, or launch plan"):
        ReferenceEntity("recipes.t", {}, {})  # type: ignore[arg-type]

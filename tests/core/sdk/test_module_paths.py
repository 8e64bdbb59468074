"""flytekit module paths work after the rename (``flytekit.core.X`` -> ``flyte_core.core.X``)."""

from __future__ import annotations

import importlib
import typing

import pytest

from flyte_core import FlyteAnnotation, HashMethod, create_node, task, workflow
from flyte_core.types.type_engine import TypeEngine


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("flyte_core.core.context_manager", "FlyteContextManager"),
        ("flyte_core.core.context_manager", "ExecutionParameters"),
        ("flyte_core.core.type_engine", "TypeEngine"),
        ("flyte_core.core.type_engine", "TypeTransformerFailedError"),
        ("flyte_core.core.type_engine", "ListTransformer"),
        ("flyte_core.core.task", "task"),
        ("flyte_core.core.task", "Secret"),
        ("flyte_core.core.workflow", "workflow"),
        ("flyte_core.core.workflow", "WorkflowFailurePolicy"),
        ("flyte_core.core.base_task", "PythonTask"),
        ("flyte_core.core.base_task", "kwtypes"),
        ("flyte_core.core.promise", "Promise"),
        ("flyte_core.core.resources", "Resources"),
        ("flyte_core.core.node_creation", "create_node"),
        ("flyte_core.core.data_persistence", "FileAccessProvider"),
        ("flyte_core.extend", "TypeEngine"),
        ("flyte_core.extend", "PythonTask"),
        ("flyte_core.loggers", "logger"),
    ],
)
def test_flytekit_module_path_exposes_the_name(module: str, name: str) -> None:
    assert getattr(importlib.import_module(module), name) is not None


def test_unknown_name_in_an_alias_module_is_an_import_error() -> None:
    with pytest.raises(ImportError):
        exec("from flyte_core.core.task import no_such_name")


@task
def t1() -> None:
    pass


@task
def t2(a: int) -> typing.Tuple[int, str]:
    return a, str(a)


def test_create_node_orders_nodes_and_exposes_outputs() -> None:
    @workflow
    def wf() -> str:
        first = create_node(t1)
        second = create_node(t2, a=3)
        first >> second
        return second.o1

    assert wf() == "3"
    assert wf.nodes[1].upstream_nodes == [wf.nodes[0]]


def test_flyte_annotation_is_added_to_the_literal_type() -> None:
    lt = TypeEngine.to_literal_type(typing.Annotated[int, FlyteAnnotation({"unit": "cm"})])
    assert lt.annotation.annotations["unit"] == "cm"


def test_hash_method_sets_the_literal_hash() -> None:
    annotated = typing.Annotated[int, HashMethod(lambda v: f"h{v}")]
    literal = TypeEngine.to_literal(None, 7, annotated, TypeEngine.to_literal_type(annotated))
    assert literal.hash == "h7"

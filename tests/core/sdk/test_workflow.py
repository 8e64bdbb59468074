"""``@workflow``: compilation to nodes and bindings, and local execution."""

from __future__ import annotations

import typing

import pytest

from flyte_core import task, workflow
from flyte_core.sdk.workflow import PythonFunctionWorkflow, WorkflowFailurePolicy
from flyte_core.types.error import FlyteError
from flyte_core.types.type_engine import TypeTransformerFailedError

calls: list[str] = []


@task
def inc(x: int) -> int:
    calls.append(f"inc({x})")
    return x + 1


@task
def double(x: int) -> int:
    calls.append(f"double({x})")
    return x * 2


@task
def log(msg: str) -> None:
    calls.append(f"log({msg})")


@workflow
def chain(x: int = 1) -> int:
    return double(x=inc(x=x))


@workflow
def outer(x: int = 0) -> int:
    a = chain(x=x)
    b = inc(x=a)
    done = log(msg="done")
    a >> done
    return b


Out = typing.NamedTuple("Out", [("total", int), ("text", str)])


@workflow
def named(x: int = 2) -> Out:
    return Out(total=inc(x=x), text="const")


@workflow
def lists(a: int, b: int) -> list[int]:
    return [inc(x=a), inc(x=b), 7]


def test_workflow_runs_locally_with_defaults_and_arguments() -> None:
    assert isinstance(chain, PythonFunctionWorkflow)
    assert chain() == 4
    assert chain(x=5) == 12
    assert chain(5) == 12


def test_sub_workflows_run_in_call_order() -> None:
    calls.clear()
    assert outer(x=1) == 5
    assert calls == ["inc(1)", "double(2)", "inc(4)", "log(done)"]


def test_named_tuple_and_constant_outputs() -> None:
    result = named()
    assert (result.total, result.text) == (3, "const")


def test_list_of_promises_is_an_output() -> None:
    assert lists(a=1, b=2) == [2, 3, 7]


def test_compilation_records_nodes_bindings_and_upstream_nodes() -> None:
    nodes = outer.nodes
    assert [n.id for n in nodes] == ["n0", "n1", "n2"]
    assert [n.flyte_entity.name for n in nodes] == [chain.name, inc.name, log.name]
    assert nodes[1].upstream_nodes == [nodes[0]]
    assert nodes[2].upstream_nodes == [nodes[0]], "a >> done adds an explicit dependency"
    first = nodes[0].bindings[0]
    assert (first.var, first.binding.promise.node_id, first.binding.promise.var) == ("x", "", "x")
    second = nodes[1].bindings[0]
    assert (second.binding.promise.node_id, second.binding.promise.var) == ("n0", "o0")
    assert [b.binding.promise.node_id for b in outer.output_bindings] == ["n1"]


def test_wrong_workflow_input_names_the_workflow_and_the_input() -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        chain(x="a")
    assert str(info.value) == (
        f"Failed to convert inputs of workflow '{__name__}.chain':\n"
        "  Failed argument 'x': Expected value of type <class 'int'> but got 'a' of type <class 'str'>"
    )


def test_missing_input_of_a_node_is_a_compile_error() -> None:
    @task
    def needs_two(a: int, b: int) -> int:
        return a + b

    @workflow
    def wf(a: int) -> int:
        return needs_two(a=a)

    with pytest.raises(AssertionError, match="Input b of type <class 'int'> was not specified for function"):
        wf(a=1)


def test_promises_cannot_be_used_as_booleans() -> None:
    @workflow
    def wf(x: int) -> int:
        y = inc(x=x)
        if y:
            return y
        return y

    with pytest.raises(ValueError, match="truth value testing"):
        wf(x=1)


def test_failure_handler_runs_with_the_error_and_the_error_is_raised() -> None:
    seen: list[FlyteError] = []

    @task
    def fails(x: int) -> int:
        if x:
            raise ValueError("broken")
        return x

    @task
    def handler(x: int, err: typing.Optional[FlyteError] = None) -> None:
        seen.append(err)  # type: ignore[arg-type]

    @workflow(on_failure=handler, failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE)
    def wf(x: int) -> int:
        return fails(x=x)

    with pytest.raises(ValueError, match="broken"):
        wf(x=1)
    assert len(seen) == 1 and "broken" in seen[0].message
    assert wf.failure_node is not None


def test_with_overrides_is_recorded_on_the_node() -> None:
    @workflow
    def wf(x: int) -> int:
        return inc(x=x).with_overrides(retries=5, name="renamed")

    assert wf(x=1) == 2
    assert wf.nodes[0].overrides == {"retries": 5, "name": "renamed"}


def test_dataclass_like_attribute_access_on_a_promise_is_recorded() -> None:
    @task
    def make(x: int) -> dict[str, int]:
        return {"a": x}

    @workflow
    def wf(x: int) -> int:
        return inc(x=make(x=x)["a"])

    assert wf(x=1) == 2
    assert wf.nodes[1].bindings[0].binding.promise.attr_path[0].string_value == "a"


def test_workflow_without_outputs_returns_none() -> None:
    @workflow
    def wf(msg: str) -> None:
        log(msg=msg)

    assert wf(msg="hi") is None

"""``Workflow`` (ImperativeWorkflow): built call by call, with flytekit's node ids, bindings and errors."""

from __future__ import annotations

import typing

import pytest

from flyte_core import LaunchPlan, Workflow, task, workflow
from flyte_core.exceptions.user import FlyteFailureNodeInputMismatchException, FlyteValidationException
from flyte_core.sdk.condition import BranchNode

RAN: list[str] = []


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> typing.Iterator[None]:
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_ENABLED", "false")
    RAN.clear()
    saved = dict(LaunchPlan.CACHE)
    yield
    LaunchPlan.CACHE.clear()
    LaunchPlan.CACHE.update(saved)


@task
def t1(a: str) -> str:
    return a + " world"


@task
def t2() -> None:
    RAN.append("t2")


@task
def t3(a: list[str]) -> int:
    return len(a)


@task
def shout(a: str) -> str:
    return a.upper()


@task
def boom(a: str) -> str:
    if a:
        raise RuntimeError(f"boom {a}")
    return a


def _example() -> Workflow:
    """flytekit's documented example, plus a list input and a list output."""
    wb = Workflow(name="my_workflow")
    wb.add_workflow_input("in1", str)
    node = wb.add_entity(t1, a=wb.inputs["in1"])
    wb.add_entity(t2)
    counted = wb.add_task(t3, a=[wb.inputs["in1"], node.outputs["o0"]])
    wb.add_workflow_output("from_n0t1", node.outputs["o0"])
    wb.add_workflow_output("count", counted.o0)
    wb.add_workflow_output("l", [node.outputs["o0"], wb.inputs["in1"]], python_type=list[str])
    return wb


def test_imperative_workflow_runs_locally_with_flytekits_result() -> None:
    result = _example()(in1="hello")
    assert repr(result) == "DefaultNamedTupleOutput(from_n0t1='hello world', count=2, l=['hello world', 'hello'])"
    assert RAN == ["t2"]


def test_nodes_are_numbered_in_the_order_they_are_added() -> None:
    wb = _example()
    assert [(n.id, n.flyte_entity.name) for n in wb.nodes] == [
        ("n0", t1.name),
        ("n1", t2.name),
        ("n2", t3.name),
    ]
    assert [u.id for u in wb.nodes[2].upstream_nodes] == ["n0"]
    collection = wb.nodes[2].bindings[0].binding.collection
    assert [(b.promise.node_id, b.promise.var) for b in collection.bindings] == [("", "in1"), ("n0", "o0")]


def test_outputs_are_typed_from_the_nodes_that_produce_them() -> None:
    wb = _example()
    assert wb.python_interface.outputs == {"from_n0t1": str, "count": int, "l": list[str]}
    assert set(wb.interface.outputs.variables) == {"from_n0t1", "count", "l"}


def test_a_single_output_is_returned_as_a_plain_value() -> None:
    wb = Workflow(name="single")
    node = wb.add_entity(t1, a=wb.add_workflow_input("a", str))
    wb.add_workflow_output("out", node.outputs["o0"])
    assert wb(a="hi") == "hi world"


def test_a_workflow_input_can_be_an_output() -> None:
    wb = Workflow(name="echo")
    a = wb.add_workflow_input("a", str)
    wb.add_entity(t1, a=a)
    wb.add_workflow_output("same", a)
    assert wb(a="x") == "x"


def test_declaring_an_input_twice_is_a_validation_error() -> None:
    wb = Workflow(name="twice")
    wb.add_workflow_input("a", str)
    with pytest.raises(FlyteValidationException, match="Input a has already been specified for wf twice"):
        wb.add_workflow_input("a", str)


def test_declaring_an_output_twice_is_a_validation_error() -> None:
    wb = _example()
    with pytest.raises(FlyteValidationException, match="Output count already exists in workflow my_workflow"):
        wb.add_workflow_output("count", wb.nodes[2].outputs["o0"])


def test_a_list_output_needs_its_python_type() -> None:
    wb = _example()
    with pytest.raises(FlyteValidationException, match="you must specify the python_type"):
        wb.add_workflow_output("more", [wb.nodes[0].outputs["o0"]])


def test_a_workflow_without_nodes_is_not_ready_and_cannot_run() -> None:
    wb = Workflow(name="empty")
    assert not wb.ready()
    with pytest.raises(FlyteValidationException, match="it has no nodes"):
        wb()


def test_an_unused_input_keeps_the_workflow_from_running() -> None:
    wb = Workflow(name="unused")
    wb.add_workflow_input("x", str)
    wb.add_entity(t2)
    assert not wb.ready()
    with pytest.raises(FlyteValidationException, match=r"inputs \['x'\] are not used"):
        wb(x="a")


def test_sub_workflows_and_launch_plans_run_as_nodes() -> None:
    @workflow
    def sub(a: str) -> str:
        return t1(a=a)

    lp = LaunchPlan.get_or_create(sub, name="imperative_sub_lp")
    wb = Workflow(name="composed")
    s = wb.add_subwf(sub, a=wb.add_workflow_input("a", str))
    launched = wb.add_launch_plan(lp, a=s.outputs["o0"])
    wb.add_workflow_output("o", launched.outputs["o0"])
    assert wb(a="x") == "x world world"
    assert [type(n.flyte_entity).__name__ for n in wb.nodes] == ["PythonFunctionWorkflow", "LaunchPlan"]


def test_launch_plan_fixed_inputs_are_not_passed_again_when_run() -> None:
    @task
    def join(a: str, b: str) -> str:
        return a + b

    @workflow
    def pair(a: str, b: str) -> str:
        return join(a=a, b=b)

    lp = LaunchPlan.get_or_create(pair, name="imperative_fixed_lp", fixed_inputs={"b": "!"})
    wb = Workflow(name="fixed")
    node = wb.add_launch_plan(lp, a=wb.add_workflow_input("a", str))
    wb.add_workflow_output("o", node.outputs["o0"])
    assert wb(a="hey") == "hey!"


def test_an_imperative_workflow_called_in_a_workflow_is_a_sub_workflow() -> None:
    wb = Workflow(name="inner_imperative")
    node = wb.add_entity(shout, a=wb.add_workflow_input("a", str))
    wb.add_workflow_output("o", node.outputs["o0"])

    @workflow
    def outer(a: str) -> str:
        return wb(a=a)

    assert outer(a="q") == "Q"
    assert outer.nodes[0].flyte_entity is wb


def test_failure_handler_is_node_efn_outside_the_workflow_nodes() -> None:
    @task
    def on_fail(a: str) -> None:
        RAN.append(f"cleanup {a}")

    wb = Workflow(name="failing")
    wb.add_entity(boom, a=wb.add_workflow_input("a", str))
    handler = wb.add_on_failure_handler(on_fail)
    assert handler.id == "efn"
    assert wb.failure_node is handler
    assert [n.id for n in wb.nodes] == ["n0"]
    assert [(b.var, b.binding.promise.var) for b in handler.bindings] == [("a", "a")]


def test_failure_handler_runs_when_a_local_run_fails() -> None:
    @task
    def on_fail(a: str) -> None:
        RAN.append(f"cleanup {a}")

    wb = Workflow(name="failing_locally")
    wb.add_entity(boom, a=wb.add_workflow_input("a", str))
    wb.add_on_failure_handler(on_fail)
    with pytest.raises(RuntimeError, match="boom z"):
        wb(a="z")
    assert RAN == ["cleanup z"]


def test_failure_handler_without_the_workflow_inputs_is_rejected() -> None:
    @task
    def on_fail() -> None:
        return None

    wb = Workflow(name="mismatch")
    wb.add_entity(t1, a=wb.add_workflow_input("a", str))
    with pytest.raises(FlyteFailureNodeInputMismatchException, match="missing: a"):
        wb.add_on_failure_handler(on_fail)


def test_create_conditional_adds_a_branch_node_that_runs_locally() -> None:
    @task
    def size(a: str) -> int:
        return len(a)

    wb = Workflow(name="branching")
    word = wb.add_workflow_input("word", str)
    length = wb.add_entity(size, a=word)
    picked = wb.create_conditional("long").if_(length.outputs["o0"] > 3).then(shout(a=word)).else_().then(t1(a=word))
    wb.add_workflow_output("o", picked)
    assert [n.id for n in wb.nodes] == ["n0", "n1"]
    assert isinstance(wb.nodes[1].flyte_entity, BranchNode)
    assert wb.python_interface.outputs == {"o": str}
    assert wb(word="house") == "HOUSE"
    assert wb(word="hi") == "hi world"


def test_create_conditional_fail_raises_its_message_locally() -> None:
    wb = Workflow(name="branch_fail")
    word = wb.add_workflow_input("word", str)
    wb.add_workflow_output(
        "o", wb.create_conditional("c").if_(word == "ok").then(shout(a=word)).else_().fail("only ok")
    )
    assert wb(word="ok") == "OK"
    with pytest.raises(ValueError, match="only ok"):
        wb(word="no")


def test_adding_something_that_is_not_an_entity_is_an_assertion_error() -> None:
    wb = Workflow(name="bad")
    with pytest.raises(AssertionError, match="Should be a callable Flyte entity"):
        wb.add_entity(print)


def test_building_while_another_workflow_compiles_is_a_runtime_error() -> None:
    wb = Workflow(name="late")

    @workflow
    def wf() -> None:
        wb.add_entity(t2)

    with pytest.raises(RuntimeError, match="Can't already be compiling"):
        wf.compile()

"""``conditional``: compiled to one branch node, run locally by taking one branch, misuse named clearly."""

from __future__ import annotations

import typing

import pytest
from flyteidl.core import workflow_pb2

from flyte_core import conditional, task, workflow
from flyte_core.exceptions.user import FlyteAssertion, FlyteValidationException
from flyte_core.sdk.condition import BranchNode
from flyte_core.sdk.promise import VoidPromise

RAN: list[str] = []


@pytest.fixture(autouse=True)
def _fresh_log(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_ENABLED", "false")
    RAN.clear()


@task
def double(n: float) -> float:
    RAN.append("double")
    return n * 2


@task
def square(n: float) -> float:
    RAN.append("square")
    return n * n


@task
def numbers() -> list[int]:
    return [1, 2]


@task
def note(msg: str) -> None:
    RAN.append(msg)


@workflow
def fractions(x: float) -> float:
    return (
        conditional("fractions")
        .if_((x >= 0.1) & (x <= 1.0))
        .then(double(n=x))
        .elif_((x > 1.0) & (x < 10.0))
        .then(square(n=x))
        .else_()
        .fail("The input must be between 0.1 and 10")
    )


@workflow
def nested(x: float) -> float:
    return (
        conditional("outer")
        .if_((x > 0.1) & (x < 1.0))
        .then(
            conditional("inner")
            .if_(x < 0.5)
            .then(double(n=x))
            .elif_((x > 0.5) & (x < 0.7))
            .then(square(n=x))
            .else_()
            .fail("Only <0.7 allowed")
        )
        .elif_((x > 1.0) & (x < 10.0))
        .then(square(n=x))
        .else_()
        .then(double(n=x))
    )


def test_only_the_branch_taken_runs_locally() -> None:
    assert fractions(x=5.0) == 25.0
    assert RAN == ["square"]


def test_fail_raises_value_error_with_the_message() -> None:
    with pytest.raises(ValueError, match="^The input must be between 0.1 and 10$"):
        fractions(x=20.0)


def test_nested_conditional_runs_only_the_inner_branch_taken() -> None:
    # flytekit also runs double() here (an inner branch not taken); the result is the same.
    assert nested(x=0.6) == pytest.approx(0.36)
    assert RAN == ["square"]


def test_nested_conditional_in_a_branch_not_taken_is_not_evaluated() -> None:
    assert nested(x=50.0) == 100.0
    assert RAN == ["double"]


def test_compiled_conditional_is_one_branch_node_named_after_it() -> None:
    (node,) = fractions.nodes
    assert node.id == "n0"
    assert isinstance(node.flyte_entity, BranchNode)
    assert node.metadata.name == "fractions"
    assert node.metadata.HasField("retries") and not node.metadata.HasField("timeout")


def test_nodes_inside_branches_are_numbered_in_the_conditionals_own_state() -> None:
    block = nested.nodes[0].flyte_entity.ifelse_block
    inner = block.case.then_node
    assert isinstance(inner.flyte_entity, BranchNode)
    assert inner.id == "n0"
    assert inner.flyte_entity.ifelse_block.case.then_node.id == "n0"
    assert [c.then_node.id for c in inner.flyte_entity.ifelse_block.other] == ["n1"]
    assert [c.then_node.id for c in block.other] == ["n1"]
    assert block.else_node.id == "n2"


def test_fail_becomes_the_error_of_the_if_else_block() -> None:
    block = fractions.nodes[0].flyte_entity.ifelse_block
    assert block.else_node is None
    assert block.error == ("fractions", "The input must be between 0.1 and 10")


def test_condition_inputs_are_branch_node_bindings_named_node_dot_output() -> None:
    @task
    def pick(n: float) -> float:
        return n

    @workflow
    def wf(x: float, y: float) -> float:
        a = pick(n=x)
        return conditional("c").if_((y > a) | (x == 1.0)).then(double(n=x)).else_().then(square(n=y))

    branch = wf.nodes[1]
    assert [b.var for b in branch.bindings] == [".x", ".y", "n0.o0"]
    assert [u.id for u in branch.upstream_nodes] == ["n0"]
    comparison = branch.flyte_entity.ifelse_block.case.condition.conjunction.left_expression.comparison
    assert (comparison.left_value.var, comparison.right_value.var) == (".y", "n0.o0")


def test_branch_node_serializes_to_flyteidl_with_the_nodes_given() -> None:
    seen = []

    def node_to_idl(node: typing.Any) -> workflow_pb2.Node:
        seen.append(node.id)
        return workflow_pb2.Node(id=node.id)

    message = fractions.nodes[0].flyte_entity.to_flyte_idl(node_to_idl)
    assert isinstance(message, workflow_pb2.BranchNode)
    assert seen == ["n0", "n1"]
    assert message.if_else.error.message == "The input must be between 0.1 and 10"
    assert not message.if_else.HasField("else_node")


def test_conditional_output_feeds_a_later_node() -> None:
    @workflow
    def wf(x: float) -> float:
        d = conditional("pick").if_(x > 1.0).then(double(n=x)).else_().then(square(n=x))
        return double(n=d)

    assert wf(x=2.0) == 8.0
    assert [u.id for u in wf.nodes[1].upstream_nodes] == ["n0"]


def test_branches_with_several_outputs_give_a_named_tuple() -> None:
    @task
    def pair(n: float) -> tuple[int, str]:
        return int(n), "a"

    @task
    def other(n: float) -> tuple[int, str]:
        return 0, "b"

    @workflow
    def wf(x: float) -> tuple[int, str]:
        a, b = conditional("multi").if_(x > 1.0).then(pair(n=x)).else_().then(other(n=x))
        return a, b

    assert wf(x=3.0) == (3, "a")
    assert wf(x=0.0) == (0, "b")
    assert list(wf.nodes[0].flyte_entity.python_interface.outputs) == ["o0", "o1"]


def test_branches_without_outputs_give_a_void_promise() -> None:
    @workflow
    def wf(x: float) -> None:
        result = conditional("side").if_(x > 1.0).then(note(msg="big")).else_().then(note(msg="small"))
        assert isinstance(result, VoidPromise)

    wf(x=0.5)
    assert RAN == ["small"]


def test_constant_on_the_left_and_is_none_compare_like_flytekit() -> None:
    @task
    def maybe(n: float) -> typing.Optional[float]:
        return None if n < 0 else n

    @workflow
    def wf(x: float) -> float:
        m = maybe(n=x)
        return conditional("c").if_(m.is_none()).then(square(n=x)).elif_(1.0 < x).then(double(n=x)).else_().fail("no")  # noqa: SIM300

    assert wf(x=-2.0) == 4.0
    assert wf(x=3.0) == 6.0
    # Python turns `1.0 < x` into `x > 1.0`, as flytekit records it.
    comparison = wf.nodes[1].flyte_entity.ifelse_block.other[0].condition.comparison
    assert (comparison.left_value.var, comparison.right_value.primitive.float_value) == (".x", 1.0)
    assert comparison.operator == comparison.GT


def test_conditional_inside_a_sub_workflow_runs_in_the_branch_taken() -> None:
    @workflow
    def outer(x: float) -> float:
        return conditional("o").if_(x > 0.0).then(fractions(x=x)).else_().then(square(n=x))

    assert outer(x=0.5) == 1.0
    assert RAN == ["double"]


def test_missing_else_is_a_validation_error_that_says_how_to_end_the_chain() -> None:
    @workflow
    def wf(x: float) -> float:
        return conditional("c").if_(x > 1.0).then(double(n=x))

    with pytest.raises(FlyteValidationException, match=r"else_\(\)"):
        wf.compile()


def test_python_and_between_conditions_is_a_value_error() -> None:
    @workflow
    def wf(x: float) -> float:
        return conditional("c").if_((x > 1.0) and (x < 3.0)).then(double(n=x)).else_().then(square(n=x))

    with pytest.raises(ValueError, match="&"):
        wf.compile()


def test_bare_promise_as_condition_is_rejected_with_a_hint() -> None:
    @workflow
    def wf(x: bool) -> float:
        return conditional("c").if_(x).then(double(n=1.0)).else_().then(square(n=2.0))

    with pytest.raises(AssertionError, match=r"c\.if_.*is_true"):
        wf.compile()


def test_python_bool_as_condition_is_rejected() -> None:
    @workflow
    def wf(x: float) -> float:
        return conditional("c").if_(True).then(double(n=1.0)).else_().then(square(n=2.0))

    with pytest.raises(AssertionError, match="Logical"):
        wf.compile()


def test_none_as_condition_is_rejected() -> None:
    @workflow
    def wf(x: float) -> float:
        return conditional("c").if_(None).then(double(n=1.0)).else_().then(square(n=2.0))

    with pytest.raises(AssertionError, match="Required an expression"):
        wf.compile()


def test_comparing_a_list_output_is_a_value_error_naming_the_condition() -> None:
    @workflow
    def wf() -> float:
        values = numbers()
        return conditional("lists").if_(values == 1).then(double(n=1.0)).else_().then(square(n=2.0))

    with pytest.raises(ValueError, match=r"lists\.if_ compares a collection value"):
        wf()


def test_calling_a_task_inside_a_condition_is_rejected_when_compiling() -> None:
    @task
    def is_big(n: float) -> bool:
        return n > 100

    @workflow
    def wf(x: float) -> float:
        return (
            conditional("c")
            .if_(x > 1.0)
            .then(double(n=x))
            .elif_(is_big(n=x).is_true())
            .then(square(n=x))
            .else_()
            .fail("x")
        )

    with pytest.raises(FlyteAssertion, match="call it before conditional"):
        wf.compile()


def test_then_with_a_plain_value_is_rejected() -> None:
    @workflow
    def wf(x: float) -> float:
        return conditional("c").if_(x > 1.0).then(5.0).else_().then(square(n=x))

    with pytest.raises(FlyteAssertion, match=r"then\(\.\.\.\) takes the output"):
        wf.compile()


def test_conditional_outside_a_workflow_is_an_assertion_error() -> None:
    with pytest.raises(AssertionError, match="Branches can only be invoked within a workflow context"):
        conditional("nowhere")

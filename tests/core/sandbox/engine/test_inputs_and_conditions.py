"""Node inputs from attribute paths into upstream outputs, and branch conditions (propeller's evaluator)."""

from __future__ import annotations

import pytest
from flyteidl.core import condition_pb2, literals_pb2, workflow_pb2

from flyte_core.sandbox.engine.conditions import MALFORMED_BRANCH, USER_PROVIDED_ERROR, BranchError, decide_branch
from tests.core.sandbox.engine.conftest import Sandbox, literal_map

FLOWS = """
    import typing
    from dataclasses import dataclass

    from flyte_core import task, workflow

    @dataclass
    class Point:
        x: int
        tags: typing.List[str]

    @task
    def make(x: int) -> Point:
        return Point(x=x, tags=["a", "b"])

    @task
    def pair(x: int) -> typing.List[int]:
        return [x, x + 1]

    @task
    def describe(x: int, tag: str, second: int) -> str:
        return f"{x}-{tag}-{second}"

    @workflow
    def paths(x: int) -> str:
        p = make(x=x)
        return describe(x=p.x, tag=p.tags[1], second=pair(x=x)[1])
"""


def test_attribute_paths_reach_into_dataclasses_and_lists(sandbox: Sandbox) -> None:
    flows = sandbox.load(FLOWS)
    name = sandbox.run(flows.paths, literal_map(x=(7, int)))
    assert sandbox.host.phase(name) == "SUCCEEDED", sandbox.host.workflow_events
    assert sandbox.host.outputs(name).literals["o0"].scalar.primitive.string_value == "7-b-8"


def _int(value: int) -> condition_pb2.Operand:
    return condition_pb2.Operand(primitive=literals_pb2.Primitive(integer=value))


def _compare(op: int, left: condition_pb2.Operand, right: condition_pb2.Operand) -> condition_pb2.BooleanExpression:
    return condition_pb2.BooleanExpression(
        comparison=condition_pb2.ComparisonExpression(operator=op, left_value=left, right_value=right)
    )


def _branch(*cases: condition_pb2.BooleanExpression, otherwise: str | None = None) -> workflow_pb2.BranchNode:
    blocks = [workflow_pb2.IfBlock(condition=c, then_node=workflow_pb2.Node(id=f"b-n{i}")) for i, c in enumerate(cases)]
    if_else = workflow_pb2.IfElseBlock(case=blocks[0], other=blocks[1:])
    if otherwise is None:
        if_else.error.message = "nothing matched"
    else:
        if_else.else_node.id = otherwise
    return workflow_pb2.BranchNode(if_else=if_else)


Op = condition_pb2.ComparisonExpression


def test_the_first_true_case_is_taken_and_the_others_are_skipped() -> None:
    inputs = literal_map(x=(5, int))
    var = condition_pb2.Operand(var="x")
    branch = _branch(_compare(Op.LT, var, _int(0)), _compare(Op.GTE, var, _int(5)), otherwise="b-else")
    taken, skipped = decide_branch(branch, inputs)
    assert taken.id == "b-n1"
    assert [n.id for n in skipped] == ["b-n0", "b-else"]


def test_conjunctions_and_none_comparisons() -> None:
    inputs = literal_map(x=(5, int))
    inputs.literals["maybe"].scalar.none_type.SetInParent()
    none = condition_pb2.Operand(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void()))
    is_none = _compare(Op.EQ, condition_pb2.Operand(var="maybe"), none)
    both = condition_pb2.BooleanExpression(
        conjunction=condition_pb2.ConjunctionExpression(
            operator=condition_pb2.ConjunctionExpression.AND,
            left_expression=is_none,
            right_expression=_compare(Op.NEQ, condition_pb2.Operand(var="x"), _int(4)),
        )
    )
    taken, _ = decide_branch(_branch(both), inputs)
    assert taken.id == "b-n0"


def test_no_case_taken_is_the_workflows_error_or_a_malformed_branch() -> None:
    inputs = literal_map(x=(5, int))
    with pytest.raises(BranchError, match="nothing matched") as raised:
        decide_branch(_branch(_compare(Op.GT, condition_pb2.Operand(var="x"), _int(9))), inputs)
    assert raised.value.code == USER_PROVIDED_ERROR
    flag = condition_pb2.Operand(primitive=literals_pb2.Primitive(boolean=True))
    with pytest.raises(BranchError, match="not defined for boolean") as raised:
        decide_branch(_branch(_compare(Op.GT, flag, flag)), inputs)
    assert raised.value.code == MALFORMED_BRANCH
    with pytest.raises(BranchError, match="different primitives types"):
        decide_branch(_branch(_compare(Op.EQ, condition_pb2.Operand(var="x"), flag)), inputs)


def test_a_dataclass_field_read_through_msgpack_compares_as_its_value() -> None:
    import msgpack

    inputs = literals_pb2.LiteralMap()
    inputs.literals["n1.o0"].scalar.binary.value = msgpack.packb(55)  # summary.total of a dataclass output
    inputs.literals["n1.o0"].scalar.binary.tag = "msgpack"
    field = condition_pb2.Operand(var="n1.o0")
    twenty = condition_pb2.Operand(primitive=literals_pb2.Primitive(float_value=20.0))
    taken, _ = decide_branch(_branch(_compare(Op.GT, field, twenty), otherwise="b-else"), inputs)
    assert taken.id == "b-n0"
    inputs.literals["n1.o0"].scalar.binary.value = msgpack.packb([1, 2])
    with pytest.raises(BranchError, match="Only primitives can be compared. n1.o0 is a list"):
        decide_branch(_branch(_compare(Op.GT, field, twenty)), inputs)

"""Branch nodes: which case an ``IfElseBlock`` takes on the branch node's inputs (``nodes/branch/evaluator.go``
and ``comparator.go``)."""

from __future__ import annotations

from typing import Any

from flyteidl.core import condition_pb2, literals_pb2, workflow_pb2

Operator = condition_pb2.ComparisonExpression

USER_PROVIDED_ERROR = "UserProvidedError"
MALFORMED_BRANCH = "MalformedBranchUserError"


class BranchError(Exception):
    """No case can be taken: the workflow's own ``else_().fail(...)`` or a malformed condition."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def decide_branch(
    branch: workflow_pb2.BranchNode, inputs: literals_pb2.LiteralMap
) -> tuple[workflow_pb2.Node, list[workflow_pb2.Node]]:
    """(the node to run, the nodes not taken), or BranchError."""
    if_else = branch.if_else
    chosen: workflow_pb2.Node | None = None
    skipped: list[workflow_pb2.Node] = []
    for case in [if_else.case, *if_else.other]:
        if chosen is None and evaluate(case.condition, inputs):
            chosen = case.then_node
        else:
            skipped.append(case.then_node)
    if if_else.HasField("else_node"):
        if chosen is None:
            chosen = if_else.else_node
        else:
            skipped.append(if_else.else_node)
    if chosen is None:
        if if_else.HasField("error"):
            raise BranchError(USER_PROVIDED_ERROR, if_else.error.message)
        raise BranchError(MALFORMED_BRANCH, "No branch satisfied")
    return chosen, skipped


def evaluate(expression: condition_pb2.BooleanExpression, inputs: literals_pb2.LiteralMap) -> bool:
    kind = expression.WhichOneof("expr")
    if kind == "comparison":
        return _compare(expression.comparison, inputs)
    if kind == "conjunction":
        conjunction = expression.conjunction
        left = evaluate(conjunction.left_expression, inputs)
        right = evaluate(conjunction.right_expression, inputs)
        if conjunction.operator == condition_pb2.ConjunctionExpression.OR:
            return left or right
        return left and right
    raise BranchError(MALFORMED_BRANCH, "No Comparison or Conjunction found in Branch node expression.")


_NONE = object()


def _operand(operand: condition_pb2.Operand, inputs: literals_pb2.LiteralMap) -> object:
    """A primitive, or _NONE for a none value."""
    kind = operand.WhichOneof("val")
    if kind == "primitive":
        return operand.primitive
    if kind == "var":
        if operand.var not in inputs.literals:
            raise BranchError(MALFORMED_BRANCH, f"Failed to find Value for Variable [{operand.var}]")
        literal = inputs.literals[operand.var]
        while literal.WhichOneof("value") == "scalar" and literal.scalar.WhichOneof("value") == "union":
            literal = literal.scalar.union.value
        if literal.WhichOneof("value") != "scalar":
            raise BranchError(MALFORMED_BRANCH, f"Only primitives can be compared. Variable [{operand.var}] is not one")
        return _scalar(literal.scalar, operand.var)
    if kind == "scalar":
        return _scalar(operand.scalar, "the constant")
    raise BranchError(MALFORMED_BRANCH, "an empty operand")


def _scalar(scalar: literals_pb2.Scalar, what: str) -> object:
    kind = scalar.WhichOneof("value")
    if kind == "primitive":
        return scalar.primitive
    if kind == "none_type":
        return _NONE
    if kind == "binary" and scalar.binary.tag == "msgpack":
        # a dataclass attribute (``summary.total > 20``) resolves to a msgpack value
        import msgpack

        value = msgpack.unpackb(scalar.binary.value, raw=False, strict_map_key=False)
        primitive = _primitive(value)
        if primitive is not None:
            return primitive
        return _NONE if value is None else _not_comparable(what, type(value).__name__)
    return _not_comparable(what, str(kind))


def _not_comparable(what: str, kind: str) -> object:
    raise BranchError(MALFORMED_BRANCH, f"Only primitives can be compared. {what} is a {kind}")


def _primitive(value: object) -> literals_pb2.Primitive | None:
    if isinstance(value, bool):
        return literals_pb2.Primitive(boolean=value)
    if isinstance(value, int):
        return literals_pb2.Primitive(integer=value)
    if isinstance(value, float):
        return literals_pb2.Primitive(float_value=value)
    if isinstance(value, str):
        return literals_pb2.Primitive(string_value=value)
    return None


def _value(primitive: literals_pb2.Primitive) -> tuple[str, Any]:
    kind = primitive.WhichOneof("value")
    if kind == "datetime":
        return kind, primitive.datetime.seconds
    if kind == "duration":
        return kind, primitive.duration.seconds
    return str(kind), getattr(primitive, str(kind))


def _compare(comparison: condition_pb2.ComparisonExpression, inputs: literals_pb2.LiteralMap) -> bool:
    left = _operand(comparison.left_value, inputs)
    right = _operand(comparison.right_value, inputs)
    op = comparison.operator
    if left is _NONE or right is _NONE:
        if op == Operator.EQ:
            return left is right
        if op == Operator.NEQ:
            return left is not right
        raise BranchError(
            MALFORMED_BRANCH,
            f"Comparison between nil and non-nil values with operator [{Operator.Operator.Name(op)}] is not supported",
        )
    assert isinstance(left, literals_pb2.Primitive) and isinstance(right, literals_pb2.Primitive)
    left_kind, lvalue = _value(left)
    right_kind, rvalue = _value(right)
    if {left_kind, right_kind} == {"integer", "float_value"}:  # 55 (from a msgpack dataclass field) > 20.0
        left_kind = right_kind = "float_value"
    if left_kind != right_kind:
        raise BranchError(
            MALFORMED_BRANCH, f"Comparison between different primitives types. lVal[{left_kind}]:rVal[{right_kind}]"
        )
    if op == Operator.EQ:
        return bool(lvalue == rvalue)
    if op == Operator.NEQ:
        return bool(lvalue != rvalue)
    if left_kind == "boolean":
        raise BranchError(MALFORMED_BRANCH, f"[{Operator.Operator.Name(op)}] not defined for boolean operands.")
    if op == Operator.GT:
        return bool(lvalue > rvalue)
    if op == Operator.GTE:
        return bool(lvalue >= rvalue)
    if op == Operator.LT:
        return bool(lvalue < rvalue)
    if op == Operator.LTE:
        return bool(lvalue <= rvalue)
    raise BranchError(MALFORMED_BRANCH, "Unsupported operator type in Propeller. System error.")

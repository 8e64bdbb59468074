"""``conditional(name)``: if/elif/else branches in a workflow.

::

    conditional("fractions").if_((x >= 0.1) & (x <= 1.0)).then(double(n=x))
        .elif_(x > 1.0).then(square(n=x))
        .else_().fail("x must be at least 0.1")

Python evaluates a chain left to right, so each ``then(...)`` argument is computed between ``if_`` and
``then``. The section pushes a context for its whole chain and pops it at the last branch:

* compiling: calls inside the branches become nodes of the section's own compilation state (``n0``,
  ``n1``... as flytekit numbers them) and the whole block becomes ONE branch node of the workflow;
* running locally: each condition is evaluated on the literal values; only the taken branch runs,
  the others return skipped promises; ``fail(message)`` raises ``ValueError(message)``.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

from flyte_core.context import BranchEvalMode, CompilationState, FlyteContextManager
from flyte_core.exceptions.user import FlyteAssertion
from flyte_core.sdk.node import Node
from flyte_core.sdk.promise import (
    GLOBAL_INPUT_NODE_ID,
    ComparisonExpression,
    ComparisonOps,
    ConjunctionExpression,
    ConjunctionOps,
    NodeOutput,
    Promise,
    VoidPromise,
    create_task_output,
)

if typing.TYPE_CHECKING:
    from flyteidl.core import condition_pb2, literals_pb2, workflow_pb2

    from flyte_core.sdk.interface import Interface

Expression = ComparisonExpression | ConjunctionExpression
_COMPLETE_HINT = "end the chain with .else_().then(...) or .else_().fail(...)"


# ----------------------------------------------------------------------------------------------
# The compiled form: what the serializer turns into flyteidl.core.BranchNode
# ----------------------------------------------------------------------------------------------


class IfBlock:
    """One ``if_``/``elif_`` case: its condition (flyteidl) and the node it runs."""

    __slots__ = ("condition", "expr", "then_node")

    def __init__(self, condition: condition_pb2.BooleanExpression, then_node: Node | None, expr: Expression) -> None:
        self.condition = condition
        self.then_node = then_node
        self.expr = expr

    def to_flyte_idl(self, node_to_idl: Callable[[Node], workflow_pb2.Node]) -> workflow_pb2.IfBlock:
        from flyteidl.core import workflow_pb2

        block = workflow_pb2.IfBlock(condition=self.condition)
        if self.then_node is not None:
            block.then_node.CopyFrom(node_to_idl(self.then_node))
        return block


class IfElseBlock:
    """The first case, the ``elif_`` cases, and either the ``else_`` node or the error ``fail`` raises."""

    __slots__ = ("case", "else_node", "error", "other")

    def __init__(
        self,
        case: IfBlock,
        other: list[IfBlock],
        else_node: Node | None = None,
        error: tuple[str, str] | None = None,
    ) -> None:
        self.case = case
        self.other = other
        self.else_node = else_node
        self.error = error  # (failed_node_id, message)

    @property
    def leaf_nodes(self) -> list[Node]:
        """Every node a branch can run (for the serializer to collect sub-workflows)."""
        nodes = [self.case.then_node, *(c.then_node for c in self.other), self.else_node]
        return [n for n in nodes if n is not None]

    def to_flyte_idl(self, node_to_idl: Callable[[Node], workflow_pb2.Node]) -> workflow_pb2.IfElseBlock:
        from flyteidl.core import types_pb2, workflow_pb2

        block = workflow_pb2.IfElseBlock(
            case=self.case.to_flyte_idl(node_to_idl),
            other=[c.to_flyte_idl(node_to_idl) for c in self.other],
        )
        if self.else_node is not None:
            block.else_node.CopyFrom(node_to_idl(self.else_node))
        elif self.error is not None:
            block.error.CopyFrom(types_pb2.Error(failed_node_id=self.error[0], message=self.error[1]))
        return block


class BranchNode:
    """The entity of a workflow's branch node: the conditional's name, cases and outputs.

    ``to_flyte_idl(node_to_idl)`` builds ``flyteidl.core.BranchNode``; ``node_to_idl`` serializes the
    nodes inside the branches (task, sub-workflow, launch-plan or nested branch nodes).
    """

    def __init__(self, name: str, ifelse_block: IfElseBlock, python_interface: Interface) -> None:
        self._name = name
        self._ifelse_block = ifelse_block
        self._python_interface = python_interface

    @property
    def name(self) -> str:
        return self._name

    @property
    def ifelse_block(self) -> IfElseBlock:
        return self._ifelse_block

    @property
    def python_interface(self) -> Interface:
        """The outputs every branch produces (types from the branches' entities)."""
        return self._python_interface

    def construct_node_metadata(self) -> workflow_pb2.NodeMetadata:
        """flytekit's metadata of a branch node: the conditional's name and an empty retry strategy."""
        from flyteidl.core import workflow_pb2

        metadata = workflow_pb2.NodeMetadata(name=self._name)
        metadata.retries.SetInParent()
        return metadata

    def to_flyte_idl(self, node_to_idl: Callable[[Node], workflow_pb2.Node]) -> workflow_pb2.BranchNode:
        from flyteidl.core import workflow_pb2

        return workflow_pb2.BranchNode(if_else=self._ifelse_block.to_flyte_idl(node_to_idl))

    def __repr__(self) -> str:
        return f"BranchNode({self._name})"


# ----------------------------------------------------------------------------------------------
# Building a conditional
# ----------------------------------------------------------------------------------------------


class ConditionalSection:
    """A conditional being compiled: its branches become one branch node of the enclosing workflow.

    Subclasses run the branches locally (``LocalExecutedConditionalSection``) or skip them
    (``SkippedConditionalSection``) by overriding ``start_branch`` / ``end_branch``.
    """

    def __init__(self, name: str, _parent_state: CompilationState | None = None) -> None:
        self._name = name
        self._cases: list[Case] = []
        self._last_case = False
        self._condition = Condition(self)
        self._branch_state: CompilationState | None = None
        ctx = FlyteContextManager.current_context()
        self._parent_state = _parent_state if _parent_state is not None else ctx.compilation_state
        FlyteContextManager.push_context(self._enter(ctx))

    def _enter(self, ctx: Any) -> Any:
        """The context of the branches: a fresh compilation state, so branch nodes are numbered n0, n1..."""
        parent = self._parent_state
        assert parent is not None
        self._branch_state = CompilationState(
            prefix=parent.prefix, mode=parent.mode, task_resolver=parent.task_resolver
        )
        return ctx._replace(compilation_state=self._branch_state, in_a_condition=True)

    @property
    def name(self) -> str:
        return self._name

    @property
    def cases(self) -> list[Case]:
        return self._cases

    def if_(self, expr: Expression) -> Case:
        return self._condition._if(expr)

    def start_branch(self, c: Case, last_case: bool = False) -> Case:
        """Called when a case (``if_``/``elif_``/``else_``) starts, before its ``then`` value is computed."""
        self._last_case = last_case
        self._cases.append(c)
        return c

    def end_branch(self) -> Any:
        """Called by ``then``/``fail``: the chain continues (a ``Condition``) or, after ``else_``, ends."""
        if not self._last_case:
            return self._condition
        FlyteContextManager.pop_context()
        parent = self._parent_state
        assert parent is not None
        node_id = f"{parent.prefix}n{len(parent.nodes)}"
        branch, promises = _to_branch_node(self)
        bindings = []
        upstream: list[Node] = []
        for p in promises:
            bindings.append(_binding(p))
            node = p.ref.node
            if node.id != GLOBAL_INPUT_NODE_ID and all(node is not u for u in upstream):
                upstream.append(node)
        node = Node(
            id=node_id,
            metadata=branch.construct_node_metadata(),
            bindings=sorted(bindings, key=lambda b: b.var),
            upstream_nodes=upstream,
            flyte_entity=branch,
        )
        parent.add_node(node)
        return self._compute_outputs(node)

    def compute_output_vars(self) -> list[str] | None:
        """The outputs every case produces (in the first case's order); None when a case produces nothing."""
        output_vars: list[str] = []
        for c in self._cases:
            if c.output_promise is None and c.err is None:
                return None
            if isinstance(c.output_promise, VoidPromise):
                return None
            if c.output_promise is not None:
                names = _promise_vars(c.output_promise, self, c)
                output_vars = [v for v in output_vars if v in names] if output_vars else names
        return output_vars

    def _output_interface(self, names: list[str]) -> Interface:
        """An interface of the conditional's outputs, typed from the entities of the branches."""
        from flyte_core.sdk.interface import Interface

        types: dict[str, Any] = {}
        for c in self._cases:
            entity = c.output_node.flyte_entity if c.output_node is not None else None
            outputs = getattr(getattr(entity, "python_interface", None), "outputs", {})
            for name in names:
                if name not in types and name in outputs:
                    types[name] = outputs[name]
        return Interface(outputs={name: types.get(name, Any) for name in names})

    def _compute_outputs(self, node: Node) -> Any:
        names = self.compute_output_vars()
        if not names:
            return VoidPromise(node.id, NodeOutput(node=node, var="placeholder"))
        interface = node.flyte_entity.python_interface
        promises = [Promise(var=name, val=NodeOutput(node=node, var=name)) for name in names]
        return create_task_output(promises, interface)

    def __repr__(self) -> str:
        return repr(self._condition)

    __str__ = __repr__


class LocalExecutedConditionalSection(ConditionalSection):
    """A conditional in a local run: evaluates the conditions, runs the first true case, skips the others."""

    def __init__(self, name: str) -> None:
        self._selected_case: Case | None = None
        self._state: Any = None
        super().__init__(name=name)

    def _enter(self, ctx: Any) -> Any:
        # Branch calls see this state: BRANCH_ACTIVE only while the taken case's `then` value is computed.
        self._state = ctx.execution_state.with_params(branch_eval_mode=BranchEvalMode.BRANCH_SKIPPED)
        return ctx._replace(execution_state=self._state, in_a_condition=True)

    def start_branch(self, c: Case, last_case: bool = False) -> Case:
        super().start_branch(c, last_case)
        if self._selected_case is None and (c.expr is None or c.expr.eval() or last_case):
            self._state.branch_eval_mode = BranchEvalMode.BRANCH_ACTIVE
            self._selected_case = c
        return c

    def end_branch(self) -> Any:
        self._state.branch_eval_mode = BranchEvalMode.BRANCH_SKIPPED
        if not self._last_case:
            return self._condition
        FlyteContextManager.pop_context()
        selected = self._selected_case
        assert selected is not None
        if selected.err is not None:
            raise ValueError(selected.err)
        if selected.output_promise is None:
            raise AssertionError(
                f"conditional '{self._name}': the taken branch ({selected.stmt}) produced nothing; pass the "
                "result of a task, workflow or launch plan call to then(...)"
            )
        return self._selected_outputs(selected.output_promise)

    def _selected_outputs(self, selected: Any) -> Any:
        names = self.compute_output_vars()
        if names is None:
            return VoidPromise(self._name)
        values = selected if isinstance(selected, tuple) else (selected,)
        by_var = {p.var: p for p in values if isinstance(p, Promise)}
        promises = [Promise(var=name, val=by_var[name].val) for name in names]
        return create_task_output(promises, self._output_interface(names))


class SkippedConditionalSection(ConditionalSection):
    """A conditional inside a branch that is not taken: nothing is evaluated, outputs are skipped promises."""

    def _enter(self, ctx: Any) -> Any:
        return ctx._replace(in_a_condition=True)

    def end_branch(self) -> Any:
        if not self._last_case:
            return self._condition
        FlyteContextManager.pop_context()
        names = self.compute_output_vars()
        if names is None:
            return VoidPromise(self._name)
        return create_task_output([Promise(var=name, val=None) for name in names], self._output_interface(names))


class Case:
    """One ``if_``/``elif_``/``else_`` of a conditional and what its ``then``/``fail`` gave."""

    def __init__(self, cs: ConditionalSection, expr: Expression | None, stmt: str = "elif") -> None:
        self._cs = cs
        if expr is not None:
            _check_expression(expr, cs, stmt)
        self._expr = expr
        self._output_promise: Any = None
        self._err: str | None = None
        self._stmt = stmt
        self._output_node: Node | None = None

    @property
    def output_node(self) -> Node | None:
        """The node whose outputs this case returns (set by ``then`` while compiling)."""
        return self._output_node

    @property
    def expr(self) -> Expression | None:
        return self._expr

    @property
    def stmt(self) -> str:
        return self._stmt

    @property
    def output_promise(self) -> Any:
        return self._output_promise

    @property
    def err(self) -> str | None:
        return self._err

    def then(self, p: Any) -> Any:
        """What this case returns: the output(s) of a task, workflow, launch plan or nested conditional."""
        if p is not None and not isinstance(p, Promise | VoidPromise | tuple):
            raise FlyteAssertion(
                f"conditional '{self._cs.name}'.{self._stmt}(...).then(...) takes the output of a task, workflow, "
                f"launch plan or conditional call, got {type(p).__name__} {p!r}"
            )
        self._output_promise = p
        self._output_node = _producing_node(p)
        return self._cs.end_branch()

    def fail(self, err: str) -> Any:
        """End the conditional with an error: taking this case fails the workflow with ``err``."""
        self._err = err
        return self._cs.end_branch()

    def __repr__(self) -> str:
        return f"{self._stmt}({_expr_text(self._expr) if self._expr is not None else ''})"

    __str__ = __repr__


class Condition:
    """The conditional between two cases: continue with ``elif_`` or finish with ``else_``."""

    def __init__(self, cs: ConditionalSection) -> None:
        self._cs = cs

    def _if(self, expr: Expression) -> Case:
        if expr is None:
            raise AssertionError(
                f"Required an expression received None for condition:{self._cs.name}.if_(...): pass a comparison "
                "such as if_(x > 1) or if_(flag.is_true())"
            )
        return self._cs.start_branch(Case(cs=self._cs, expr=expr, stmt="if_"))

    def elif_(self, expr: Expression) -> Case:
        if expr is None:
            raise AssertionError(
                f"Required an expression received None for condition:{self._cs.name}.elif_(...): pass a "
                "comparison such as elif_(x > 1)"
            )
        return self._cs.start_branch(Case(cs=self._cs, expr=expr, stmt="elif_"))

    def else_(self) -> Case:
        return self._cs.start_branch(Case(cs=self._cs, expr=None, stmt="else_"), last_case=True)

    def __repr__(self) -> str:
        cases = ".".join(repr(c) for c in self._cs.cases)
        return f"conditional('{self._cs.name}').{cases} [incomplete: {_COMPLETE_HINT}]"

    __str__ = __repr__


def conditional(name: str) -> ConditionalSection:
    """Start an if/elif/else block in a workflow; it returns the outputs of the branch taken.

    ::

        v = (
            conditional("fractions")
            .if_((x > 0.1) & (x < 1.0)).then(double(n=x))
            .elif_((x > 1.0) & (x < 10.0)).then(square(n=x))
            .else_().fail("x must be between 0.1 and 10")
        )

    Conditions compare workflow values with each other or with constants (``<, <=, >, >=, ==, !=``),
    combined with ``&`` and ``|`` (not ``and``/``or``), or test ``.is_true()``, ``.is_false()``,
    ``.is_none()``. Only usable inside a workflow.
    """
    ctx = FlyteContextManager.current_context()
    if ctx.compilation_state is not None:
        return ConditionalSection(name)
    state = ctx.execution_state
    if state is not None and state.is_local_execution():
        if state.branch_eval_mode is BranchEvalMode.BRANCH_SKIPPED:
            return SkippedConditionalSection(name)
        return LocalExecutedConditionalSection(name)
    raise AssertionError(
        f"Branches can only be invoked within a workflow context! conditional('{name}') was called outside a "
        "@workflow (or @dynamic) function: use it in the body of a workflow."
    )


# ----------------------------------------------------------------------------------------------
# Helpers: checking expressions, collecting condition inputs, building flyteidl conditions
# ----------------------------------------------------------------------------------------------


def _check_expression(expr: Any, cs: ConditionalSection, stmt: str) -> None:
    """The errors flytekit raises for ``and``/``or``, bare promises, and non-primitive values."""
    where = f"{cs.name}.{stmt}"
    if isinstance(expr, bool):
        raise AssertionError(
            "Logical (and/or/is/not) operations are not supported. Expressions Comparison (<,<=,>,>=,==,!=) or "
            f"Conjunction (&/|) are supported. Received an evaluated expression with val {expr} in {where}: "
            "combine conditions with & and |, e.g. if_((x > 1) & (x < 5))"
        )
    if isinstance(expr, Promise):
        raise AssertionError(
            "Flytekit does not support unary expressions of the form `if_(x) - where x is an input value or output "
            f"of a previous node. Received var {expr} in condition {where}: compare it, e.g. if_(x.is_true())"
        )
    if not isinstance(expr, ComparisonExpression | ConjunctionExpression):
        raise AssertionError(
            "Flytekit only supports Comparison (<,<=,>,>=,==,!=) or Conjunction (&/|) expressions, "
            f"Received var {expr!r} ({type(expr).__name__}) in condition {where}"
        )
    if isinstance(expr, ConjunctionExpression):
        _check_expression(expr.lhs, cs, stmt)
        _check_expression(expr.rhs, cs, stmt)
        return
    for side, operand in (("left", expr.lhs), ("right", expr.rhs)):
        if isinstance(operand, Promise) and _made_inside(operand, cs):
            raise FlyteAssertion(
                f"condition {where} uses '{operand.var}' of a call made inside the conditional; conditions can only "
                "compare workflow inputs, outputs of earlier nodes and constants: call it before conditional(...)"
            )
        if isinstance(operand, Promise) and (not operand.is_ready or operand._val is None):
            continue  # compiled (type known only remotely) or skipped: nothing to check here
        literal = operand.val if isinstance(operand, Promise) else operand
        kind = _operand_kind(literal)
        if kind is not None:
            raise ValueError(
                f"Only primitive values can be used in comparison: condition {where} compares a {kind} value "
                f"({side} side); compare int, float, str, bool, datetime, timedelta values or None"
            )


_OPERATOR_TEXT = {ComparisonOps.EQ: "=="}


def _expr_text(expr: Any) -> str:
    """A short, readable form of a condition for messages: ``(x > 1.0) & (n0.o0 == True)``."""
    if isinstance(expr, ConjunctionExpression):
        joiner = "&" if expr.op is ConjunctionOps.AND else "|"
        return f"({_expr_text(expr.lhs)}) {joiner} ({_expr_text(expr.rhs)})"
    if isinstance(expr, ComparisonExpression):
        op = _OPERATOR_TEXT.get(expr.op, expr.op.value)
        return f"{_operand_text(expr.lhs)} {op} {_operand_text(expr.rhs)}"
    return repr(expr)


def _operand_text(value: Any) -> str:
    if isinstance(value, Promise) and not value.is_ready:
        return f"{value.ref.node_id}.{value.var}" if value.ref.node_id else value.var
    try:
        return repr(value.eval() if isinstance(value, Promise) else Promise("", value).eval())
    except Exception:
        return "<value>"


def _made_inside(p: Promise, cs: ConditionalSection) -> bool:
    """Whether ``p`` comes from a call made within the conditional's own chain (not a valid condition input)."""
    if not p.is_ready:
        branch_nodes = cs._branch_state.nodes if cs._branch_state is not None else []
        return any(p.ref.node is n for n in branch_nodes)
    # Locally, a call made while no case was taken was skipped: its promise holds no value.
    return p._val is None and not isinstance(cs, SkippedConditionalSection)


def _operand_kind(literal: literals_pb2.Literal) -> str | None:
    """None when the literal can be compared (primitive, none, or a union of those), else what it is."""
    kind = literal.WhichOneof("value")
    if kind != "scalar":
        return kind or "empty"
    scalar_kind = literal.scalar.WhichOneof("value")
    if scalar_kind in ("primitive", "none_type"):
        return None
    if scalar_kind == "union":
        return _operand_kind(literal.scalar.union.value)
    return scalar_kind or "empty"


def _producing_node(p: Any) -> Node | None:
    """The node that produced ``p`` (a promise, a void promise or a tuple of promises), if compiled."""
    if isinstance(p, Promise):
        return None if p.is_ready else p.ref.node
    if isinstance(p, VoidPromise):
        return p.ref.node if p.ref is not None else None
    if isinstance(p, tuple):
        for value in p:
            if isinstance(value, Promise) and not value.is_ready:
                return value.ref.node
    return None


def _promise_vars(p: Any, cs: ConditionalSection, case: Case) -> list[str]:
    if isinstance(p, Promise):
        return [p.var]
    values = list(p)
    if not all(isinstance(v, Promise) for v in values):
        raise FlyteAssertion(
            f"conditional '{cs.name}'.{case.stmt}(...).then(...) got a tuple that is not the outputs of one call: {p!r}"
        )
    return [v.var for v in values]


def _branch_var(p: Promise) -> str:
    """The name a condition's input gets on the branch node: ``<node id>.<output>`` (``.x`` for input x)."""
    return f"{p.ref.node_id}.{p.var}"


def _binding(p: Promise) -> literals_pb2.Binding:
    from flyteidl.core import literals_pb2

    return literals_pb2.Binding(var=p.var, binding=literals_pb2.BindingData(promise=p.ref.to_reference()))


def _merge(promises: list[Promise]) -> list[Promise]:
    """One promise per referenced (node, output), renamed to its branch variable."""
    seen: set[tuple[str, str]] = set()
    merged = []
    for p in promises:
        key = (p.ref.node_id, p.ref.var)
        if key not in seen:
            seen.add(key)
            merged.append(p.with_var(f"{p.ref.node_id}.{p.ref.var}"))
    return merged


_COMPARISON_OPERATORS = {
    ComparisonOps.EQ: "EQ",
    ComparisonOps.NE: "NEQ",
    ComparisonOps.GT: "GT",
    ComparisonOps.GE: "GTE",
    ComparisonOps.LT: "LT",
    ComparisonOps.LE: "LTE",
}


def _operand(value: Any) -> tuple[condition_pb2.Operand, Promise | None]:
    from flyteidl.core import condition_pb2

    if isinstance(value, Promise):
        return condition_pb2.Operand(var=_branch_var(value)), value
    if value.scalar.HasField("none_type"):
        return condition_pb2.Operand(scalar=value.scalar), None
    return condition_pb2.Operand(primitive=value.scalar.primitive), None


def _boolean_expression(expr: Expression) -> tuple[condition_pb2.BooleanExpression, list[Promise]]:
    """The flyteidl form of a condition and the promises it reads."""
    from flyteidl.core import condition_pb2

    if isinstance(expr, ConjunctionExpression):
        left, left_promises = _boolean_expression(expr.lhs)
        right, right_promises = _boolean_expression(expr.rhs)
        operator = condition_pb2.ConjunctionExpression.LogicalOperator.Value(
            "AND" if expr.op is ConjunctionOps.AND else "OR"
        )
        conjunction = condition_pb2.ConjunctionExpression(
            left_expression=left, right_expression=right, operator=operator
        )
        return condition_pb2.BooleanExpression(conjunction=conjunction), _merge(left_promises + right_promises)
    lhs, lhs_promise = _operand(expr.lhs)
    rhs, rhs_promise = _operand(expr.rhs)
    comparison = condition_pb2.ComparisonExpression(
        left_value=lhs,
        right_value=rhs,
        operator=condition_pb2.ComparisonExpression.Operator.Value(_COMPARISON_OPERATORS[expr.op]),
    )
    promises = [p for p in (lhs_promise, rhs_promise) if p is not None]
    return condition_pb2.BooleanExpression(comparison=comparison), _merge(promises)


def _to_branch_node(cs: ConditionalSection) -> tuple[BranchNode, list[Promise]]:
    cases = cs.cases
    if len(cases) < 2:
        raise AssertionError(
            f"conditional '{cs.name}': at least an if_/else_ is required, a dangling if_ is not allowed: "
            f"{_COMPLETE_HINT}"
        )
    promises: list[Promise] = []
    blocks = []
    for c in cases[:-1]:
        assert c.expr is not None
        condition, case_promises = _boolean_expression(c.expr)
        promises.extend(case_promises)
        blocks.append(IfBlock(condition, c.output_node, c.expr))
    last = cases[-1]
    if last.output_promise is not None:
        ifelse = IfElseBlock(blocks[0], blocks[1:], else_node=last.output_node)
    else:
        ifelse = IfElseBlock(blocks[0], blocks[1:], error=(cs.name, last.err or "Condition failed"))
    names = cs.compute_output_vars() or []
    return BranchNode(cs.name, ifelse, cs._output_interface(names)), _merge(promises)

"""Promises, bindings and the call handler that makes calling a task or workflow do the right thing.

Calling an entity does one of three things, decided by the current context:

* compiling a workflow: record a node with input bindings and return promises of its outputs;
* inside a local execution: run the entity on literal inputs and return promises holding literals;
* otherwise: start a local execution with native values and return native values.
"""

from __future__ import annotations

import collections
import enum
import typing
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.context import BranchEvalMode, ExecutionState, FlyteContext, FlyteContextManager
from flyte_core.exceptions.user import FlyteAssertion, FlytePromiseAttributeResolveException
from flyte_core.types.type_engine import (
    TypeEngine,
    TypeTransformerFailedError,
    register_promise_class,
)

if typing.TYPE_CHECKING:
    from flyte_core.sdk.interface import Interface
    from flyte_core.sdk.node import Node

Literal = literals_pb2.Literal
GLOBAL_INPUT_NODE_ID = ""


# ----------------------------------------------------------------------------------------------
# Conditions on promises (used by ``conditional``)
# ----------------------------------------------------------------------------------------------


class ComparisonOps(enum.Enum):
    EQ = "="
    NE = "!="
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="


class ConjunctionOps(enum.Enum):
    AND = "and"
    OR = "or"


_COMPARE = {
    ComparisonOps.EQ: lambda a, b: a == b,
    ComparisonOps.NE: lambda a, b: a != b,
    ComparisonOps.GT: lambda a, b: a > b,
    ComparisonOps.GE: lambda a, b: a >= b,
    ComparisonOps.LT: lambda a, b: a < b,
    ComparisonOps.LE: lambda a, b: a <= b,
}


def _primitive_value(literal: Literal) -> Any:
    """The Python value of a primitive (or none) literal, for evaluating conditions."""
    if literal.HasField("scalar"):
        scalar = literal.scalar
        kind = scalar.WhichOneof("value")
        if kind == "none_type":
            return None
        if kind == "primitive":
            field = scalar.primitive.WhichOneof("value")
            value = getattr(scalar.primitive, field) if field else None
            if field == "datetime":
                return value.ToDatetime()
            if field == "duration":
                return value.ToTimedelta()
            return value
        if kind == "union":
            return _primitive_value(scalar.union.value)
    raise FlyteAssertion(f"Only primitive values can be compared in a condition, got a {literal.WhichOneof('value')}")


class _ConditionOperators:
    """``&``/``|`` build conjunctions; Python's ``and``/``or``/``if`` cannot be overloaded, so they fail."""

    def __and__(self, other: Any) -> ConjunctionExpression:
        return ConjunctionExpression(lhs=self, op=ConjunctionOps.AND, rhs=other)

    def __or__(self, other: Any) -> ConjunctionExpression:
        return ConjunctionExpression(lhs=self, op=ConjunctionOps.OR, rhs=other)

    def __bool__(self) -> bool:
        raise ValueError(
            "Cannot perform truth value testing: this is a condition on workflow values; combine conditions "
            "with & and | (not 'and'/'or') and use them in conditional(...).if_(...)"
        )


class ComparisonExpression(_ConditionOperators):
    """``lhs <op> rhs`` where either side is a promise or a constant."""

    def __init__(self, lhs: Any, op: ComparisonOps, rhs: Any) -> None:
        self._op = op
        self._lhs = lhs if isinstance(lhs, Promise) else _constant_literal(lhs)
        self._rhs = rhs if isinstance(rhs, Promise) else _constant_literal(rhs)

    @property
    def rhs(self) -> Any:
        return self._rhs

    @property
    def lhs(self) -> Any:
        return self._lhs

    @property
    def op(self) -> ComparisonOps:
        return self._op

    def eval(self) -> bool:
        left = self._lhs.eval() if isinstance(self._lhs, Promise) else _primitive_value(self._lhs)
        right = self._rhs.eval() if isinstance(self._rhs, Promise) else _primitive_value(self._rhs)
        return bool(_COMPARE[self._op](left, right))

    def __repr__(self) -> str:
        return f"Comp({self._lhs} {self._op.value} {self._rhs})"


def _constant_literal(value: Any) -> Literal:
    if isinstance(value, Literal):
        return value
    python_type = type(value)
    return TypeEngine.to_literal(None, value, python_type, TypeEngine.to_literal_type(python_type))


class ConjunctionExpression(_ConditionOperators):
    """``lhs & rhs`` or ``lhs | rhs`` of comparisons."""

    def __init__(self, lhs: Any, op: ConjunctionOps, rhs: Any) -> None:
        self._lhs = lhs
        self._rhs = rhs
        self._op = op

    @property
    def rhs(self) -> Any:
        return self._rhs

    @property
    def lhs(self) -> Any:
        return self._lhs

    @property
    def op(self) -> ConjunctionOps:
        return self._op

    def eval(self) -> bool:
        left = self._lhs.eval()
        if self._op == ConjunctionOps.AND:
            return bool(left and self._rhs.eval())
        return bool(left or self._rhs.eval())

    def __repr__(self) -> str:
        return f"( {self._lhs} {self._op.value} {self._rhs} )"


# ----------------------------------------------------------------------------------------------
# Promises
# ----------------------------------------------------------------------------------------------


class NodeOutput:
    """A reference to output ``var`` of ``node`` (optionally a path into it: ``out.field[0]``)."""

    __slots__ = ("attr_path", "node", "var")

    def __init__(self, node: Node, var: str, attr_path: list[str | int] | None = None) -> None:
        self.node = node
        self.var = var
        self.attr_path = list(attr_path) if attr_path else []

    @property
    def node_id(self) -> str:
        return self.node.id

    def with_attr(self, key: str | int) -> NodeOutput:
        return NodeOutput(self.node, self.var, [*self.attr_path, key])

    def to_reference(self) -> types_pb2.OutputReference:
        ref = types_pb2.OutputReference(node_id=self.node_id, var=self.var)
        for key in self.attr_path:
            if isinstance(key, int):
                ref.attr_path.add(int_value=key)
            else:
                ref.attr_path.add(string_value=key)
        return ref

    def __repr__(self) -> str:
        return f"Node({self.node_id}):{self.var}" + "".join(f"[{k!r}]" for k in self.attr_path)


class Promise:
    """A workflow value: either ready (holds a literal) or a reference to a node's output."""

    __slots__ = ("_attr_path", "_promise_ready", "_ref", "_type", "_val", "_var")

    def __init__(self, var: str, val: Literal | NodeOutput | None, type: types_pb2.LiteralType | None = None) -> None:
        self._var = var
        self._type = type
        self._attr_path: list[str | int] = []
        if isinstance(val, NodeOutput):
            self._ref: NodeOutput | None = val
            self._val: Literal | None = None
            self._promise_ready = False
        else:
            self._ref = None
            self._val = val
            self._promise_ready = True

    def __hash__(self) -> int:
        return hash(id(self))

    def __rshift__(self, other: Any) -> Any:
        if not self._promise_ready and getattr(other, "ref", None) is not None:
            self.ref.node.runs_before(other.ref.node)
        return other

    def with_var(self, new_var: str) -> Promise:
        if self.is_ready:
            return Promise(var=new_var, val=self.val)
        return Promise(var=new_var, val=self.ref)

    @property
    def is_ready(self) -> bool:
        return self._promise_ready

    @property
    def val(self) -> Literal:
        if not self._promise_ready:
            raise FlyteAssertion(f"Promise {self._var} is not ready: it refers to {self._ref}")
        return self._val  # type: ignore[return-value]

    @property
    def ref(self) -> NodeOutput:
        if self._promise_ready:
            raise FlyteAssertion("Result is ready: it has no node reference")
        return self._ref  # type: ignore[return-value]

    @property
    def var(self) -> str:
        return self._var

    @property
    def attr_path(self) -> list[str | int]:
        return self._attr_path

    def eval(self) -> Any:
        if not self._promise_ready or self._val is None:
            raise ValueError("Cannot Eval with incomplete promises")
        return _primitive_value(self._val)

    def is_(self, v: bool) -> ComparisonExpression:
        return ComparisonExpression(self, ComparisonOps.EQ, v)

    def is_false(self) -> ComparisonExpression:
        return self.is_(False)

    def is_true(self) -> ComparisonExpression:
        return self.is_(True)

    def is_none(self) -> ComparisonExpression:
        return ComparisonExpression(self, ComparisonOps.EQ, None)

    def __eq__(self, other: object) -> ComparisonExpression:  # type: ignore[override]
        return ComparisonExpression(self, ComparisonOps.EQ, other)

    def __ne__(self, other: object) -> ComparisonExpression:  # type: ignore[override]
        return ComparisonExpression(self, ComparisonOps.NE, other)

    def __gt__(self, other: Any) -> ComparisonExpression:
        return ComparisonExpression(self, ComparisonOps.GT, other)

    def __ge__(self, other: Any) -> ComparisonExpression:
        return ComparisonExpression(self, ComparisonOps.GE, other)

    def __lt__(self, other: Any) -> ComparisonExpression:
        return ComparisonExpression(self, ComparisonOps.LT, other)

    def __le__(self, other: Any) -> ComparisonExpression:
        return ComparisonExpression(self, ComparisonOps.LE, other)

    def __bool__(self) -> bool:
        raise ValueError(
            "Flytekit does not support Unary expressions or performing truth value testing, This is a limitation "
            "in python. For Logical `and\\or` use `&\\|` (bitwise) instead"
        )

    def __and__(self, other: Any) -> Any:
        raise ValueError("Cannot perform Logical AND of Promise with other")

    def __or__(self, other: Any) -> Any:
        raise ValueError("Cannot perform Logical OR of Promise with other")

    def with_overrides(self, *args: Any, **kwargs: Any) -> Promise:
        if not self.is_ready:
            self.ref.node.with_overrides(*args, **kwargs)
        return self

    def __repr__(self) -> str:
        if self._promise_ready:
            return f"Resolved({self._var}={_short_literal(self._val)})"
        return f"Promise(node:{self.ref.node_id}.{self._var}.{self._attr_path})"

    def __str__(self) -> str:
        return str(self.__repr__())

    def __iter__(self) -> Any:
        raise ValueError(
            "Promise objects are not iterable - can't range() over a promise. But you can use [index] or the "
            "still stabilizing @eager"
        )

    def __getitem__(self, key: str | int) -> Promise:
        return self._append_attr(key)

    def __getattr__(self, key: str) -> Promise:
        if key.startswith("__"):
            raise AttributeError(key)
        return self._append_attr(key)

    def _append_attr(self, key: str | int) -> Promise:
        if self._promise_ready:
            return Promise(self._var, _resolve_attr(self._val, key), None)
        promise = Promise(self._var, self.ref.with_attr(key), None)
        promise._attr_path = [*self._attr_path, key]
        return promise


def _short_literal(literal: Literal | None) -> str:
    if literal is None:
        return "None"
    text = str(literal).replace("\n", " ")
    return text if len(text) < 100 else text[:97] + "..."


def _resolve_attr(literal: Literal | None, key: str | int) -> Literal:
    """The literal of ``value[key]`` / ``value.key`` of a ready value (dataclass, list, dict)."""
    if literal is None:
        raise FlytePromiseAttributeResolveException(f"Cannot resolve attribute '{key}' of None")
    if literal.HasField("collection"):
        return literal.collection.literals[int(key)]
    if literal.HasField("map"):
        return literal.map.literals[str(key)]
    if literal.HasField("scalar") and literal.scalar.HasField("binary"):
        import msgpack

        data = msgpack.unpackb(literal.scalar.binary.value, strict_map_key=False)
        try:
            value = data[key]
        except (KeyError, IndexError, TypeError) as exc:
            raise FlytePromiseAttributeResolveException(f"Failed to resolve attribute '{key}' of {data!r}") from exc
        if isinstance(value, dict | list):
            return Literal(
                scalar=literals_pb2.Scalar(binary=literals_pb2.Binary(value=msgpack.packb(value), tag="msgpack"))
            )
        python_type = type(value)
        return TypeEngine.to_literal(None, value, python_type, TypeEngine.to_literal_type(python_type))
    if literal.HasField("scalar") and literal.scalar.HasField("generic"):
        from google.protobuf import json_format

        data = json_format.MessageToDict(literal.scalar.generic)
        value = data[key]
        python_type = type(value)
        return TypeEngine.to_literal(None, value, python_type, TypeEngine.to_literal_type(python_type))
    raise FlytePromiseAttributeResolveException(
        f"Cannot resolve attribute '{key}' of a {literal.WhichOneof('value')} literal"
    )


register_promise_class(Promise)  # the type engine passes a ready promise's literal on


class VoidPromise:
    """The result of calling an entity without outputs: usable only for ordering (``>>``)."""

    __slots__ = ("_ref", "_task_name")

    def __init__(self, task_name: str, ref: NodeOutput | None = None) -> None:
        self._task_name = task_name
        self._ref = ref

    def runs_before(self, *args: Any, **kwargs: Any) -> None:
        """Ordering is implicit in local execution."""

    @property
    def ref(self) -> NodeOutput | None:
        return self._ref

    def __rshift__(self, other: Any) -> Any:
        if self._ref is not None and getattr(other, "ref", None) is not None:
            self._ref.node.runs_before(other.ref.node)
        return other

    def with_overrides(self, *args: Any, **kwargs: Any) -> VoidPromise:
        if self._ref is not None:
            self._ref.node.with_overrides(*args, **kwargs)
        return self

    @property
    def task_name(self) -> str:
        return self._task_name

    def _fail(self, *args: Any) -> Any:
        raise AssertionError(f"Task {self._task_name} returns nothing, NoneType return cannot be used")

    __eq__ = __and__ = __or__ = __le__ = __ge__ = __gt__ = __lt__ = __add__ = __mod__ = __xor__ = _fail  # type: ignore[assignment]
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return self._fail()  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"VoidPromise({self._task_name})"


# ----------------------------------------------------------------------------------------------
# Inputs, outputs and bindings
# ----------------------------------------------------------------------------------------------


def input_error(
    kind: str, entity_name: str, input_name: str, expected: Any, value: Any, cause: Exception
) -> TypeTransformerFailedError:
    """The error raised when a value does not fit an input, in flytekit's words (code and tests match on them):

    ``Failed to convert inputs of task 'mod.t':`` / ``Failed argument 'a': Expected value of type <class 'float'>
    but got 'x' of type <class 'str'>``, plus what the type's transformer said when it says more.
    """
    found = repr(value)
    if len(found) > 200 or "\n" in found:
        found = f"a {type(value).__name__}"  # a dataframe's or a long list's repr would bury the message
    message = (
        f"Failed to convert inputs of {kind} '{entity_name}':\n"
        f"  Failed argument '{input_name}': Expected value of type {expected} but got {found} of type {type(value)}"
    )
    detail = str(cause).strip()
    if detail and "Expected value of type" not in detail:
        message += f" ({detail})"
    error = TypeTransformerFailedError(message)
    error.__cause__ = cause
    return error


def translate_inputs_to_literals(
    ctx: FlyteContext,
    incoming_values: dict[str, Any],
    flyte_interface_types: Any,
    native_types: dict[str, Any],
    entity_kind: str = "task",
    entity_name: str = "",
) -> dict[str, Literal]:
    """Literals of a call's inputs: promises give their literal, native values are converted."""
    literals: dict[str, Literal] = {}
    for name, value in incoming_values.items():
        if type(value) is Promise:
            if not value._promise_ready:
                raise FlyteAssertion(
                    f"{entity_kind} '{entity_name}' input '{name}': the value is not ready ({value.ref}); "
                    "a workflow value was used outside the workflow that produced it"
                )
            literals[name] = value._val  # type: ignore[assignment]
            continue
        native_type = native_types.get(name)
        if native_type is None:
            raise FlyteAssertion(f"{entity_kind} '{entity_name}' has no input named '{name}'")
        expected = flyte_interface_types[name].type if flyte_interface_types is not None else None
        try:
            literals[name] = _to_literal_with_promises(ctx, value, native_type, expected)
        except (TypeTransformerFailedError, AssertionError, ValueError, TypeError) as exc:
            if isinstance(exc, TypeTransformerFailedError) and str(exc).startswith(f"{entity_kind} '"):
                raise
            raise input_error(entity_kind, entity_name, name, native_type, value, exc) from exc
    return literals


def _to_literal_with_promises(ctx: FlyteContext, value: Any, python_type: Any, expected: Any) -> Literal:
    """A literal of a value that may contain ready promises inside lists and dicts."""
    if isinstance(value, Promise):
        return value.val
    if isinstance(value, VoidPromise):
        raise AssertionError(
            f"Outputs of a non-output producing task {value.task_name} cannot be passed to another task."
        )
    if isinstance(value, list) and any(isinstance(v, Promise) for v in value):
        from flyte_core.types.collections import ListTransformer

        sub_type = ListTransformer.get_sub_type(python_type)
        sub_lt = expected.collection_type if expected is not None else None
        return Literal(
            collection=literals_pb2.LiteralCollection(
                literals=[_to_literal_with_promises(ctx, v, sub_type, sub_lt) for v in value]
            )
        )
    if isinstance(value, dict) and any(isinstance(v, Promise) for v in value.values()):
        from flyte_core.types.collections import DictTransformer

        _, value_type = DictTransformer.extract_types(python_type)
        sub_lt = expected.map_value_type if expected is not None else None
        return Literal(
            map=literals_pb2.LiteralMap(
                literals={k: _to_literal_with_promises(ctx, v, value_type, sub_lt) for k, v in value.items()}
            )
        )
    if expected is None:
        expected = TypeEngine.to_literal_type(python_type)
    return TypeEngine.to_literal(ctx, value, python_type, expected)


def create_task_output(promises: list[Promise] | Promise | None, entity_interface: Interface | None = None) -> Any:
    """One promise, a named tuple of promises, or None."""
    if promises is None:
        return None
    if isinstance(promises, Promise):
        return promises
    if len(promises) == 0:
        return None
    if len(promises) == 1 and (entity_interface is None or not entity_interface.output_tuple_name):
        return promises[0]
    if entity_interface is None:
        raise AssertionError("An interface is needed to wrap several outputs")
    return entity_interface.output_tuple(*promises)


def create_native_named_tuple(ctx: FlyteContext, promises: Any, entity_interface: Interface) -> Any:
    """Native values of an entity's output promises: one value, or a named tuple of values."""
    if promises is None:
        return None
    if isinstance(promises, Promise):
        python_type = next(iter(entity_interface.outputs.values()))
        try:
            return TypeEngine.to_python_value(ctx, promises.val, python_type)
        except Exception as exc:
            raise TypeError(
                f"Failed to convert output in position 0 of value {promises.val}, expected type {python_type}."
            ) from exc
    if isinstance(promises, VoidPromise):
        return None
    if len(promises) == 0:
        return None
    values = {}
    for (name, python_type), promise in zip(entity_interface.outputs.items(), promises, strict=False):
        if not isinstance(promise, Promise):
            raise AssertionError(f"Expected a Promise for output '{name}', found {promise!r}")
        values[name] = TypeEngine.to_python_value(ctx, promise.val, python_type)
    named = collections.namedtuple(  # type: ignore[misc]
        entity_interface.output_tuple_name or "DefaultNamedTupleOutput", list(values)
    )
    return named(**values)


def binding_data_from_literal(literal: Literal) -> literals_pb2.BindingData:
    """Binding data holding a constant literal (collections and maps bind element by element)."""
    kind = literal.WhichOneof("value")
    if kind == "collection":
        return literals_pb2.BindingData(
            collection=literals_pb2.BindingDataCollection(
                bindings=[binding_data_from_literal(x) for x in literal.collection.literals]
            )
        )
    if kind == "map":
        return literals_pb2.BindingData(
            map=literals_pb2.BindingDataMap(
                bindings={k: binding_data_from_literal(v) for k, v in literal.map.literals.items()}
            )
        )
    if kind == "offloaded_metadata":
        return literals_pb2.BindingData(offloaded_metadata=literal.offloaded_metadata)
    return literals_pb2.BindingData(scalar=literal.scalar)


def binding_data_from_python_std(
    ctx: FlyteContext,
    expected_literal_type: types_pb2.LiteralType,
    t_value: Any,
    t_value_type: Any,
    nodes: list[Node],
) -> literals_pb2.BindingData:
    """Binding data of a value given to a node: a promise, a list/dict possibly holding promises, a constant."""
    if isinstance(t_value, Promise):
        if t_value.is_ready:
            return binding_data_from_literal(t_value.val)
        nodes.append(t_value.ref.node)
        return literals_pb2.BindingData(promise=t_value.ref.to_reference())
    if isinstance(t_value, VoidPromise):
        raise AssertionError(
            f"Cannot pass output from task {t_value.task_name} that produces no outputs to a downstream task"
        )
    kind = expected_literal_type.WhichOneof("type") if expected_literal_type is not None else None
    if isinstance(t_value, list) and kind == "collection_type":
        from flyte_core.types.collections import ListTransformer

        sub_type = ListTransformer.get_sub_type_or_none(t_value_type)
        return literals_pb2.BindingData(
            collection=literals_pb2.BindingDataCollection(
                bindings=[
                    binding_data_from_python_std(ctx, expected_literal_type.collection_type, v, sub_type, nodes)
                    for v in t_value
                ]
            )
        )
    if isinstance(t_value, dict) and kind == "map_value_type":
        from flyte_core.types.collections import DictTransformer

        _, value_type = DictTransformer.extract_types(t_value_type)
        return literals_pb2.BindingData(
            map=literals_pb2.BindingDataMap(
                bindings={
                    k: binding_data_from_python_std(ctx, expected_literal_type.map_value_type, v, value_type, nodes)
                    for k, v in t_value.items()
                }
            )
        )
    if kind == "union_type" and _contains_promise(t_value):
        for variant in expected_literal_type.union_type.variants:
            try:
                return binding_data_from_python_std(ctx, variant, t_value, t_value_type, nodes)
            except Exception:
                continue
        raise AssertionError(f"Cannot bind {t_value!r} to any variant of {t_value_type}")
    if _contains_promise(t_value):
        raise AssertionError(f"Cannot bind {t_value!r}: it holds workflow values but is not a list or dict input")
    literal = TypeEngine.to_literal(ctx, t_value, t_value_type, expected_literal_type)
    return binding_data_from_literal(literal)


def _contains_promise(value: Any) -> bool:
    if isinstance(value, Promise):
        return True
    if isinstance(value, list):
        return any(_contains_promise(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_promise(v) for v in value.values())
    return False


def binding_from_python_std(
    ctx: FlyteContext,
    var_name: str,
    expected_literal_type: types_pb2.LiteralType,
    t_value: Any,
    t_value_type: Any,
) -> tuple[literals_pb2.Binding, list[Node]]:
    nodes: list[Node] = []
    data = binding_data_from_python_std(ctx, expected_literal_type, t_value, t_value_type, nodes)
    return literals_pb2.Binding(var=var_name, binding=data), nodes


# ----------------------------------------------------------------------------------------------
# Nodes and the call handler
# ----------------------------------------------------------------------------------------------


def create_and_link_node(
    ctx: FlyteContext,
    entity: Any,
    overridden_interface: Interface | None = None,
    add_node_to_compilation_state: bool = True,
    node_id: str = "",
    **kwargs: Any,
) -> Any:
    """Record a node calling ``entity`` in the workflow being compiled; return promises of its outputs."""
    from flyte_core.sdk.node import Node
    from flyte_core.types.union import UnionTransformer

    if ctx.compilation_state is None and add_node_to_compilation_state:
        raise FlyteAssertion("Cannot create node when not compiling...")
    interface = overridden_interface or entity.python_interface
    typed_interface = interface.typed()
    bindings = []
    upstream: list[Node] = []
    used_inputs = set()
    for name in sorted(interface.inputs):
        variable = typed_interface.inputs.variables[name]
        if name not in kwargs:
            python_type, default = interface.inputs_with_defaults[name]
            if default is not None or UnionTransformer.is_optional_type(python_type):
                if isinstance(default, list | dict | set):
                    raise FlyteAssertion(
                        f"Argument {name} for function {entity.name} is a mutable default argument, which is a "
                        "python anti-pattern and not supported in flytekit tasks"
                    )
                kwargs[name] = default
            else:
                raise FlyteAssertion(
                    f"Input {name} of type {interface.inputs[name]} was not specified for function {entity.name}"
                )
        value = kwargs[name]
        if isinstance(value, tuple):
            raise AssertionError(
                f"Variable({name}) for function({entity.name}) cannot receive a multi-valued tuple {value}."
                " Check if the predecessor function returning more than one value?"
            )
        try:
            binding, nodes = binding_from_python_std(ctx, name, variable.type, value, interface.inputs[name])
        except Exception as exc:
            message = f"Failed to Bind variable '{name}' for function '{entity.name}':\n {exc}"
            raise type(exc)(message) if _rebuildable(exc) else FlyteAssertion(message) from exc
        bindings.append(binding)
        upstream.extend(nodes)
        used_inputs.add(name)
    extra = set(kwargs) - used_inputs
    if extra:
        raise FlyteAssertion(f"Too many inputs were specified for the interface.  Extra inputs were: {extra}")
    seen: set[int] = set()
    upstream_nodes = []
    for node in upstream:
        if id(node) not in seen and node.id != GLOBAL_INPUT_NODE_ID:
            seen.add(id(node))
            upstream_nodes.append(node)
    if not node_id and add_node_to_compilation_state and ctx.compilation_state is not None:
        node_id = f"{ctx.compilation_state.prefix}n{len(ctx.compilation_state.nodes)}"
    node = Node(
        id=node_id,
        metadata=None,
        bindings=bindings,
        upstream_nodes=upstream_nodes,
        flyte_entity=entity,
    )
    if add_node_to_compilation_state and ctx.compilation_state is not None:
        ctx.compilation_state.add_node(node)
    outputs = typed_interface.outputs.variables
    if len(outputs) == 0:
        return VoidPromise(entity.name, NodeOutput(node=node, var="placeholder"))
    promises = [Promise(name, NodeOutput(node=node, var=name), outputs[name].type) for name in interface.outputs]
    return create_task_output(promises, interface)


def _rebuildable(exc: Exception) -> bool:
    try:
        type(exc)("probe")
    except Exception:
        return False
    return True


def _skipped_outputs(entity: Any) -> Any:
    output_names = list(entity.python_interface.outputs)
    if not output_names:
        return VoidPromise(entity.name)
    return create_task_output([Promise(name, None) for name in output_names], entity.python_interface)


def flyte_entity_call_handler(entity: Any, *args: Any, **kwargs: Any) -> Any:
    """What calling a task, workflow or launch plan does (see the module docstring)."""
    inputs = entity.python_interface.inputs
    for key in kwargs:
        if key not in inputs:
            raise AssertionError(f"Received unexpected keyword argument '{key}' in function '{entity.name}'")
    if args:
        if len(args) > len(inputs):
            raise AssertionError(
                f"Received more arguments than expected in function '{entity.name}'. Expected {len(inputs)} but "
                f"got {len(args)}"
            )
        for arg, input_name in zip(args, inputs, strict=False):
            if input_name in kwargs:
                raise AssertionError(f"Got multiple values for argument '{input_name}' in function '{entity.name}'")
            kwargs[input_name] = arg

    ctx = FlyteContextManager.current_context()
    state = ctx.execution_state
    if state is not None and state.mode is ExecutionState.Mode.EAGER_EXECUTION:
        from flyte_core.sdk.eager import call_in_eager

        return call_in_eager(ctx, entity, kwargs)
    compilation = ctx.compilation_state
    if compilation is not None and compilation.mode == 1:
        return create_and_link_node(ctx, entity=entity, **kwargs)

    if state is not None and state.mode in ExecutionState._LOCAL_MODES:
        if state.branch_eval_mode is BranchEvalMode.BRANCH_SKIPPED:
            if entity.python_interface.inputs or entity.python_interface.outputs:
                return _skipped_outputs(entity)
            return None
        mode = entity.local_execution_mode()
        child = ctx._replace(execution_state=state.with_params(mode=mode))
        with FlyteContextManager.with_context(child):
            if state.mode is ExecutionState.Mode.EAGER_LOCAL_EXECUTION:
                results = entity.local_execute(child, **kwargs)
                return create_native_named_tuple(child, results, entity.python_interface)
            return entity.local_execute(child, **kwargs)

    mode = entity.local_execution_mode()
    child = ctx._replace(execution_state=ctx.new_execution_state().with_params(mode=mode))
    with FlyteContextManager.with_context(child):
        params = child.user_space_params
        if params is not None:
            params._decks = []
        result = entity.local_execute(child, **kwargs)
    expected_outputs = len(entity.python_interface.outputs)
    if expected_outputs == 0:
        if result is None or isinstance(result, VoidPromise):
            return None
        raise ValueError(f"Received an output when workflow local execution expected None. Received: {result}")
    if state is not None and state.mode is ExecutionState.Mode.LOCAL_DYNAMIC_TASK_EXECUTION:
        return result
    if (1 < expected_outputs == len(result)) or (result is not None and expected_outputs == 1):
        return create_native_named_tuple(child, result, entity.python_interface)
    raise AssertionError(
        f"Expected outputs and actual outputs do not match. Result {result}. "
        f"Python interface: {entity.python_interface}"
    )

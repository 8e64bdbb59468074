"""Python interfaces of tasks and workflows: inputs (with defaults), outputs and their flyteidl form.

Output names follow flytekit: one output is ``o0``, a tuple gives ``o0, o1...``, a ``NamedTuple``
names its fields. Descriptions come from the docstring (``:param x:`` or Google style), else the
variable's own name.
"""

from __future__ import annotations

import collections
import inspect
import typing
from collections.abc import Callable
from typing import Any

from flyteidl.core import interface_pb2, literals_pb2

from flyte_core.exceptions.user import (
    FlyteMissingReturnValueException,
    FlyteMissingTypeException,
    FlyteValidationException,
)
from flyte_core.types.type_engine import TypeEngine, is_annotated


class Docstring:
    """The parsed docstring of a task or workflow function (``docstring_parser``, any common style)."""

    def __init__(self, docstring: str | None = None, callable_: Callable[..., Any] | None = None) -> None:
        from docstring_parser import parse

        text = docstring if docstring is not None else (callable_.__doc__ if callable_ is not None else None)
        self._parsed = parse(text or "")

    @property
    def input_descriptions(self) -> dict[str, str]:
        return {p.arg_name: p.description for p in self._parsed.params if p.description is not None}

    @property
    def output_descriptions(self) -> dict[str, str]:
        return {str(p.return_name): p.description for p in self._parsed.many_returns if p.description is not None}

    @property
    def short_description(self) -> str | None:
        return self._parsed.short_description

    @property
    def long_description(self) -> str | None:
        return self._parsed.long_description


class _Output(tuple):  # type: ignore[type-arg]
    """Base of the namedtuples returned for multi-output entities: ``with_overrides`` and ``>>`` pass through."""

    __slots__ = ()

    def with_overrides(self, *args: Any, **kwargs: Any) -> Any:
        first = self[0]
        first.with_overrides(*args, **kwargs)
        return self

    @property
    def ref(self) -> Any:
        for value in self:
            ref = getattr(value, "ref", None)
            if ref is not None:
                return ref
        return None

    def runs_before(self, *args: Any, **kwargs: Any) -> None:
        """Ordering is implicit in local execution."""

    def __rshift__(self, other: Any) -> Any:
        ref = self.ref
        if ref is not None and getattr(other, "ref", None) is not None:
            ref.node.runs_before(other.ref.node)
        return other


class Interface:
    """A Python-native interface: inputs ``{name: (type, default)}`` and outputs ``{name: type}``."""

    def __init__(
        self,
        inputs: dict[str, Any] | None = None,
        outputs: dict[str, Any] | None = None,
        output_tuple_name: str | None = None,
        docstring: Docstring | None = None,
    ) -> None:
        self._inputs: dict[str, tuple[Any, Any]] = {}
        for name, value in (inputs or {}).items():
            if not name.isidentifier():
                raise ValueError(f"Input name must be a valid Python identifier: {name!r}")
            if type(value) is tuple and len(value) > 1:
                self._inputs[name] = value
            else:
                self._inputs[name] = (value, None)
        self._outputs: dict[str, Any] = dict(outputs) if outputs else {}
        self._output_tuple_name = output_tuple_name
        self._docstring = docstring
        self._output_tuple_class: type | None = None
        self._typed: interface_pb2.TypedInterface | None = None

    @property
    def output_tuple(self) -> type:
        if self._output_tuple_class is None:
            base = collections.namedtuple(  # type: ignore[misc]
                self._output_tuple_name or "DefaultNamedTupleOutput", list(self._outputs)
            )
            self._output_tuple_class = type("Output", (_Output, base), {"__slots__": ()})
        return self._output_tuple_class

    @property
    def output_tuple_name(self) -> str | None:
        return self._output_tuple_name

    @property
    def inputs(self) -> dict[str, Any]:
        return {name: value[0] for name, value in self._inputs.items()}

    @property
    def output_names(self) -> list[str] | None:
        return list(self._outputs) if self._outputs else None

    @property
    def inputs_with_defaults(self) -> dict[str, tuple[Any, Any]]:
        return self._inputs

    @property
    def default_inputs_as_kwargs(self) -> dict[str, Any]:
        return {name: value[1] for name, value in self._inputs.items() if value[1] is not None}

    @property
    def outputs(self) -> dict[str, Any]:
        return self._outputs

    @property
    def docstring(self) -> Docstring | None:
        return self._docstring

    def remove_inputs(self, names: list[str] | None) -> Interface:
        if names is None:
            return self
        inputs = {k: v for k, v in self._inputs.items() if k not in names}
        return Interface(inputs, self._outputs, docstring=self._docstring)

    def with_inputs(self, extra_inputs: dict[str, Any]) -> Interface:
        if not extra_inputs:
            return self
        inputs: dict[str, Any] = dict(self._inputs)
        for name, value in extra_inputs.items():
            if name in inputs:
                raise ValueError(f"Input {name} cannot be added as it already exists in the interface")
            inputs[name] = value
        return Interface(inputs, self._outputs, docstring=self._docstring)

    def with_outputs(self, extra_outputs: dict[str, Any]) -> Interface:
        if not extra_outputs:
            return self
        outputs = dict(self._outputs)
        for name, value in extra_outputs.items():
            if name in outputs:
                raise ValueError(f"Output {name} cannot be added as it already exists in the interface")
            outputs[name] = value
        return Interface(self._inputs, outputs)

    def typed(self) -> interface_pb2.TypedInterface:
        """The flyteidl ``TypedInterface`` (computed once)."""
        if self._typed is None:
            self._typed = transform_interface_to_typed_interface(self)
        return self._typed

    def __str__(self) -> str:
        def fmt(items: dict[str, Any]) -> str:
            parts = []
            for k, v in items.items():
                if isinstance(v, tuple):
                    parts.append(f"{k}: {v[0]}={v[1]}" if v[1] is not None else f"{k}: {v[0]}")
                else:
                    parts.append(f"{k}: {v}")
            return "(" + ", ".join(parts) + ")"

        return f"{fmt(self._inputs)} -> {fmt(self._outputs)}"

    __repr__ = __str__


def default_output_name(index: int = 0) -> str:
    return f"o{index}"


def is_named_tuple(t: Any) -> bool:
    bases = getattr(t, "__bases__", None)
    return isinstance(t, type) and bases is not None and len(bases) == 1 and bases[0] is tuple and hasattr(t, "_fields")


def extract_return_annotation(return_annotation: Any) -> dict[str, Any]:
    """Output names and types from a return annotation (None, a type, a tuple, a NamedTuple)."""
    if return_annotation in (None, type(None), inspect.Signature.empty):
        return {}
    if is_named_tuple(return_annotation):
        return dict(typing.get_type_hints(return_annotation, include_extras=True))
    if getattr(return_annotation, "__origin__", None) is tuple:
        args = return_annotation.__args__
        if len(args) == 1:
            raise FlyteValidationException(
                "Tuples should be used to indicate multiple return values, found only one return variable."
            )
        return {default_output_name(i): t for i, t in enumerate(args)}
    if isinstance(return_annotation, tuple):
        if len(return_annotation) == 1:
            raise FlyteValidationException("Please don't use a tuple if you're just returning one thing.")
        return {default_output_name(i): t for i, t in enumerate(return_annotation)}
    return {default_output_name(): return_annotation}


def transform_function_to_interface(
    fn: Callable[..., Any],
    docstring: Docstring | None = None,
    is_reference_entity: bool = False,
    pickle_untyped: bool = False,
) -> Interface:
    """The interface of a function from its annotations (every input must be annotated)."""
    try:
        type_hints = typing.get_type_hints(fn, include_extras=True)
    except NameError as exc:
        raise FlyteValidationException(
            f"Function '{getattr(fn, '__qualname__', fn)}' has a type annotation that cannot be resolved: {exc}"
        ) from exc
    signature = inspect.signature(fn)
    return_annotation = type_hints.get("return", None)
    if return_annotation is None and pickle_untyped:
        return_annotation = Any
    if (
        not is_reference_entity
        and return_annotation is not None
        and return_annotation is not type(None)
        and type(None) not in typing.get_args(return_annotation)
        and _has_return_statement(fn) is False
    ):
        raise FlyteMissingReturnValueException(fn=fn)
    outputs = extract_return_annotation(return_annotation)
    inputs: dict[str, tuple[Any, Any]] = {}
    for name, parameter in signature.parameters.items():
        annotation = type_hints.get(name, None)
        if annotation is None:
            if not pickle_untyped:
                raise FlyteMissingTypeException(fn=fn, param_name=name)
            annotation = Any
        default = parameter.default if parameter.default is not inspect.Parameter.empty else None
        inputs[name] = (annotation, default)
    custom_name = None
    if is_named_tuple(return_annotation) and getattr(return_annotation, "__name__", ""):
        custom_name = return_annotation.__name__
    return Interface(inputs, outputs, output_tuple_name=custom_name, docstring=docstring)


def _has_return_statement(fn: Callable[..., Any]) -> bool | None:
    """Whether the function's source has a ``return`` (None when the source is not available)."""
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return None
    return any("return" in line or "yield" in line for line in source.splitlines())


def transform_type(t: Any, description: str | None = None) -> interface_pb2.Variable:
    return interface_pb2.Variable(type=TypeEngine.to_literal_type(t), description=description or "")


def transform_variable_map(
    variable_map: dict[str, Any], descriptions: dict[str, str] | None = None
) -> dict[str, interface_pb2.Variable]:
    descriptions = descriptions or {}
    return {name: transform_type(t, descriptions.get(name, name)) for name, t in variable_map.items()}


def _shared_output_descriptions(descriptions: dict[str, str], outputs: dict[str, Any]) -> dict[str, str]:
    """One ``:return:`` description describes every output."""
    if len(descriptions) != 1:
        return descriptions
    shared = next(iter(descriptions.values()))
    return {name: shared for name in outputs}


def transform_interface_to_typed_interface(
    interface: Interface | None, allow_partial_artifact_id_binding: bool = False
) -> interface_pb2.TypedInterface:
    """The flyteidl ``TypedInterface`` of a Python interface (descriptions from its docstring)."""
    if interface is None:
        return interface_pb2.TypedInterface()
    if interface.docstring is None:
        input_descriptions: dict[str, str] = {}
        output_descriptions: dict[str, str] = {}
    else:
        input_descriptions = interface.docstring.input_descriptions
        output_descriptions = _shared_output_descriptions(interface.docstring.output_descriptions, interface.outputs)
    return interface_pb2.TypedInterface(
        inputs=interface_pb2.VariableMap(variables=transform_variable_map(interface.inputs, input_descriptions)),
        outputs=interface_pb2.VariableMap(variables=transform_variable_map(interface.outputs, output_descriptions)),
    )


def transform_inputs_to_parameters(ctx: Any, interface: Interface) -> interface_pb2.ParameterMap:
    """A ``ParameterMap`` of the inputs: defaults as literals; Optional inputs without default default to None."""
    from flyte_core.types.union import UnionTransformer

    descriptions = interface.docstring.input_descriptions if interface.docstring else {}
    variables = transform_variable_map(interface.inputs, descriptions)
    parameters = {}
    for name, variable in variables.items():
        python_type, default = interface.inputs_with_defaults[name]
        # ``default`` and ``required`` are one protobuf oneof: a default means not required.
        if default is None and UnionTransformer.is_optional_type(python_type):
            none = literals_pb2.Literal(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void()))
            parameters[name] = interface_pb2.Parameter(var=variable, default=none)
        elif default is None:
            parameters[name] = interface_pb2.Parameter(var=variable, required=True)
        else:
            literal = TypeEngine.to_literal(ctx, default, python_type, variable.type)
            parameters[name] = interface_pb2.Parameter(var=variable, default=literal)
    return interface_pb2.ParameterMap(parameters=parameters)


def transform_interface_to_list_interface(
    interface: Interface, bound_inputs: set[str], excluded_inputs: set[str], optional_outputs: bool = False
) -> Interface:
    """The interface of a map over ``interface``: unbound inputs and all outputs become lists."""
    inputs = {k: v for k, v in interface.inputs.items() if k not in excluded_inputs}
    mapped_inputs = {k: (v if k in bound_inputs else list[v]) for k, v in inputs.items()}  # type: ignore[valid-type]
    mapped_outputs = {
        k: list[v | None] if optional_outputs else list[v]  # type: ignore[valid-type]
        for k, v in interface.outputs.items()
    }
    return Interface(inputs=mapped_inputs, outputs=mapped_outputs)


def annotated_base(t: Any) -> Any:
    return typing.get_args(t)[0] if is_annotated(t) else t

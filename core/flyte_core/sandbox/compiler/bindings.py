"""Node inputs and edges (``AddEdges``, ``ValidateBindings``): each binding checked against the variable it
binds (present, bound once, of a castable type), the promises it reads resolved to their provider's outputs
(after output aliases), and the edges those promises add to the graph.
"""

from __future__ import annotations

from collections.abc import Iterable

from flyteidl.core import interface_pb2, literals_pb2, types_pb2

from flyte_core.sandbox.compiler.casting import _NONE, _castable, _is_optional, _scalar_type, _type_name
from flyte_core.sandbox.compiler.graph import (
    _BOTH,
    _DOWNSTREAM,
    START_NODE_ID,
    _Node,
    _WorkflowGraph,
)


class _BindingValidator(_WorkflowGraph):
    """Checks a node's bindings and adds the edges they imply."""

    def _add_edges(self, node: _Node, direction: str) -> None:
        """Edges from the node's explicit upstream ids (top-level nodes) and from the promises it binds."""
        if node.interface is None:
            return
        if direction in (_DOWNSTREAM, _BOTH):
            for upstream in node.proto.upstream_node_ids:
                if upstream and upstream not in self._nodes:
                    self._error(node.id, f"lists upstream node '{upstream}', which is not in the workflow")
                    continue
                self._add_execution_edge(upstream, node.id)
        self._validate_bindings(node, node.proto.inputs, node.interface.inputs, True, direction)

    def _validate_bindings(
        self,
        node: _Node,
        bindings: Iterable[literals_pb2.Binding],
        params: interface_pb2.VariableMap | None,
        check_types: bool,
        direction: str,
    ) -> interface_pb2.VariableMap:
        """Check the bindings against ``params`` (every required one bound, once), add their edges, and return
        the variables they resolve to."""
        resolved = interface_pb2.VariableMap()
        provided: set[str] = set()
        for binding in bindings:
            param = params.variables.get(binding.var) if params is not None else None
            if param is None and check_types:
                self._error(node.id, f"binds input '{binding.var}', which it does not have{_names(params)}")
            elif not binding.HasField("binding"):
                self._error(node.id, f"input '{binding.var}' has an empty binding")
            elif binding.var in provided:
                self._error(node.id, f"input '{binding.var}' is bound more than once")
            else:
                provided.add(binding.var)
                expected = param.type if param is not None else types_pb2.LiteralType(simple=_NONE)
                errors: list[str] = []
                result = self._validate_binding(node, binding.var, binding.binding, expected, check_types, errors)
                self._catalog.errors.extend(errors)
                if result is not None:
                    resolved_type, upstream = result
                    for provider in upstream:
                        if direction == _BOTH:
                            self._add_execution_edge(provider, node.id)
                        elif direction == _DOWNSTREAM:
                            self._downstream.setdefault(provider, set()).add(node.id)
                        else:
                            self._upstream.setdefault(node.id, set()).add(provider)
                    resolved.variables[binding.var].type.CopyFrom(resolved_type)
        if params is not None:
            for name, variable in params.variables.items():
                if name not in provided and not _is_optional(variable.type):
                    self._error(node.id, f"input '{name}' ({_type_name(variable.type)}) is not bound; pass a value")
        return resolved

    def _validate_binding(
        self,
        node: _Node,
        var: str,
        data: literals_pb2.BindingData,
        expected: types_pb2.LiteralType,
        check_types: bool,
        errors: list[str],
    ) -> tuple[types_pb2.LiteralType, list[str]] | None:
        """(the type the binding resolves to, the nodes it reads from), or None with the problems in ``errors``."""
        kind = data.WhichOneof("value")
        if kind not in ("scalar", "promise") and expected.HasField("union_type"):
            match: tuple[types_pb2.LiteralType, tuple[types_pb2.LiteralType, list[str]]] | None = None
            for variant in expected.union_type.variants:
                result = self._validate_binding(node, var, data, variant, check_types, [])
                if result is None:
                    continue
                if match is not None:
                    errors.append(
                        self._message(
                            node.id,
                            f"input '{var}' ({_type_name(expected)}) is bound to a value that matches both "
                            f"{_type_name(match[0])} and {_type_name(variant)}",
                        )
                    )
                    return None
                match = (variant, result)
            if match is None:
                errors.append(
                    self._message(
                        node.id, f"input '{var}' ({_type_name(expected)}) is bound to a value of none of its types"
                    )
                )
                return None
            return match[1]
        if kind in ("collection", "map"):
            is_list = kind == "collection"
            inner_field = "collection_type" if is_list else "map_value_type"
            if check_types and not expected.HasField(inner_field):
                errors.append(
                    self._message(
                        node.id,
                        f"input '{var}' is {_type_name(expected)} but is bound to a "
                        f"{'list' if is_list else 'dict'} of values",
                    )
                )
                return None
            inner_expected = getattr(expected, inner_field) if expected.HasField(inner_field) else expected
            items = data.collection.bindings if is_list else data.map.bindings.values()
            errors_before = len(errors)
            upstream: list[str] = []
            inner = types_pb2.LiteralType()
            for item in items:
                result = self._validate_binding(node, var, item, inner_expected, check_types, errors)
                if result is not None:
                    inner, item_upstream = result
                    upstream += item_upstream
            if len(errors) != errors_before:
                return None
            resolved = types_pb2.LiteralType()
            getattr(resolved, inner_field).CopyFrom(inner)
            return resolved, upstream
        if kind == "promise":
            return self._validate_promise(node, var, data.promise, expected, check_types, errors)
        if kind == "scalar":
            literal_type = _scalar_type(data.scalar)
            if literal_type is None:
                errors.append(self._message(node.id, f"input '{var}' is bound to a value of unknown type"))
                return None
            if check_types and not _castable(literal_type, expected):
                errors.append(
                    self._message(
                        node.id,
                        f"input '{var}' is {_type_name(expected)} but is bound to a {_type_name(literal_type)} value",
                    )
                )
                return None
            if expected.HasField("enum_type") and data.scalar.HasField("primitive"):
                value = data.scalar.primitive.string_value
                if value not in expected.enum_type.values:
                    errors.append(
                        self._message(
                            node.id,
                            f"input '{var}' is an enum of {list(expected.enum_type.values)} but is bound to {value!r}",
                        )
                    )
                    return None
            return literal_type, []
        if kind == "offloaded_metadata":
            inferred = data.offloaded_metadata.inferred_type
            if check_types and data.offloaded_metadata.HasField("inferred_type") and not _castable(inferred, expected):
                errors.append(
                    self._message(
                        node.id,
                        f"input '{var}' is {_type_name(expected)} but is bound to a {_type_name(inferred)} value",
                    )
                )
                return None
            return inferred, []
        errors.append(self._message(node.id, f"input '{var}' has an empty binding"))
        return None

    def _validate_promise(
        self,
        node: _Node,
        var: str,
        promise: types_pb2.OutputReference,
        expected: types_pb2.LiteralType,
        check_types: bool,
        errors: list[str],
    ) -> tuple[types_pb2.LiteralType, list[str]] | None:
        provider_id = promise.node_id or START_NODE_ID
        provider = self._nodes.get(provider_id)
        if provider is None:
            errors.append(
                self._message(
                    node.id,
                    f"input '{var}' reads output '{promise.var}' of node '{promise.node_id}', which is not in the "
                    "workflow (or comes later)",
                )
            )
            return None
        if provider.interface is None:
            return None  # the provider's own problem is already reported
        outputs = self._effective_outputs(provider)
        output = outputs.get(promise.var)
        if output is None:
            what = "a workflow input" if provider_id == START_NODE_ID else f"an output of node '{provider_id}'"
            known = ", ".join(sorted(outputs)) or "none"
            errors.append(
                self._message(node.id, f"input '{var}' reads '{promise.var}', which is not {what} (there are: {known})")
            )
            return None
        source = output.type
        for attr in promise.attr_path:
            if source.HasField("collection_type"):
                source = source.collection_type
            elif source.HasField("map_value_type"):
                source = source.map_value_type
            elif source.HasField("structure") and source.structure.dataclass_type:
                name = attr.string_value
                if name not in source.structure.dataclass_type:
                    errors.append(
                        self._message(
                            node.id, f"input '{var}' reads field '{name}' of '{promise.var}', which has no such field"
                        )
                    )
                    return None
                source = source.structure.dataclass_type[name]
        if check_types and not _castable(source, expected):
            origin = "workflow input" if provider_id == START_NODE_ID else f"output of node '{provider_id}'"
            errors.append(
                self._message(
                    node.id,
                    f"input '{var}' is {_type_name(expected)} but is bound to {origin} '{promise.var}' "
                    f"of type {_type_name(source)}",
                )
            )
            return None
        promise.node_id = provider_id
        return source, [provider_id]  # the type after the attribute path: what the input receives

    def _effective_outputs(self, node: _Node) -> dict[str, interface_pb2.Variable]:
        """The node's outputs after its output aliases."""
        aliases: dict[str, str] = {}
        for alias in node.proto.output_aliases:
            if alias.var in aliases:
                self._error(node.id, f"aliases output '{alias.var}' twice; give each output one alias")
            else:
                aliases[alias.var] = alias.alias
        if node.interface is None:
            return {}
        outputs: dict[str, interface_pb2.Variable] = {}
        for name, variable in node.interface.outputs.variables.items():
            outputs[aliases.pop(name, name)] = variable
        for var, alias in aliases.items():
            self._error(node.id, f"aliases output '{var}' as '{alias}', but it has no output '{var}'")
        return outputs


def _names(params: interface_pb2.VariableMap | None) -> str:
    names = sorted(params.variables) if params is not None else []
    return f" (its inputs: {', '.join(names)})" if names else " (it has no inputs)"

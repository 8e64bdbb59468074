"""A node's inputs from its bindings: constants, collections, maps and promises on upstream nodes' outputs,
with attribute paths into lists, maps, dataclasses (msgpack) and structs (``nodes/resolve.go`` and
``attr_path_resolver.go``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

import msgpack
from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import json_format, struct_pb2

if TYPE_CHECKING:
    from flyte_core.sandbox.blobs import BlobStore

Literal: TypeAlias = literals_pb2.Literal
LiteralMap: TypeAlias = literals_pb2.LiteralMap


class BindingError(Exception):
    """A binding that cannot be resolved (a missing output, a bad attribute path)."""


OutputsOf = Callable[[str], LiteralMap]
"""Given a node id of the same workflow, that node's outputs."""


def resolve_bindings(bindings: Iterable[literals_pb2.Binding], outputs_of: OutputsOf, blobs: BlobStore) -> LiteralMap:
    """The literal map a node's input bindings resolve to."""
    resolved = LiteralMap()
    for binding in bindings:
        try:
            resolved.literals[binding.var].CopyFrom(binding_literal(binding.binding, outputs_of, blobs))
        except BindingError as exc:
            raise BindingError(f"input '{binding.var}': {exc}") from None
    return resolved


def binding_literal(data: literals_pb2.BindingData, outputs_of: OutputsOf, blobs: BlobStore) -> Literal:
    kind = data.WhichOneof("value")
    if kind == "scalar":
        return Literal(scalar=data.scalar)
    if kind == "collection":
        return Literal(
            collection=literals_pb2.LiteralCollection(
                literals=[binding_literal(item, outputs_of, blobs) for item in data.collection.bindings]
            )
        )
    if kind == "map":
        return Literal(
            map=LiteralMap(
                literals={key: binding_literal(item, outputs_of, blobs) for key, item in data.map.bindings.items()}
            )
        )
    if kind == "promise":
        return _promise(data.promise, outputs_of, blobs)
    if kind == "offloaded_metadata":
        return Literal(offloaded_metadata=data.offloaded_metadata)
    raise BindingError("an empty binding")


def _promise(reference: types_pb2.OutputReference, outputs_of: OutputsOf, blobs: BlobStore) -> Literal:
    outputs = outputs_of(reference.node_id)
    if reference.var not in outputs.literals:
        names = ", ".join(sorted(outputs.literals)) or "none"
        raise BindingError(f"node '{reference.node_id}' has no output '{reference.var}' (outputs: {names})")
    literal = outputs.literals[reference.var]
    if reference.attr_path:
        literal = follow_attr_path(literal, reference.attr_path, blobs)
    return literal


def materialize(literal: Literal, blobs: BlobStore) -> Literal:
    """The literal itself, read back when it was offloaded to a file."""
    if literal.WhichOneof("value") != "offloaded_metadata":
        return literal
    uri = literal.offloaded_metadata.uri
    try:
        data = blobs.read_bytes(uri)
    except Exception:
        try:
            with open(uri.removeprefix("file://"), "rb") as f:
                data = f.read()
        except OSError as exc:
            raise BindingError(f"cannot read the offloaded literal {uri}: {exc}") from None
    return Literal.FromString(data)


def follow_attr_path(literal: Literal, path: Iterable[types_pb2.PromiseAttribute], blobs: BlobStore) -> Literal:
    """The part of ``literal`` an attribute path (``o0.field[1]["key"]``) names."""
    current = materialize(literal, blobs)
    steps = list(path)
    for index, attribute in enumerate(steps):
        key: Any = attribute.string_value if attribute.WhichOneof("value") == "string_value" else attribute.int_value
        current = _unwrap_union(materialize(current, blobs))
        kind = current.WhichOneof("value")
        if kind == "collection" and isinstance(key, int):
            items = current.collection.literals
            if not 0 <= key < len(items):
                raise BindingError(f"index {key} is out of range of a list of {len(items)}")
            current = items[key]
        elif kind == "map" and isinstance(key, str):
            if key not in current.map.literals:
                raise BindingError(f"key '{key}' is not in the map")
            current = current.map.literals[key]
        elif kind == "scalar" and current.scalar.WhichOneof("value") == "generic":
            value = _navigate(json_format.MessageToDict(current.scalar.generic), steps[index:])
            return _struct_literal(value)
        elif kind == "scalar" and current.scalar.WhichOneof("value") == "binary":
            binary = current.scalar.binary
            if binary.tag != "msgpack":
                raise BindingError(f"cannot follow an attribute path into a binary value tagged '{binary.tag}'")
            value = _navigate(msgpack.unpackb(binary.value, raw=False, strict_map_key=False), steps[index:])
            return Literal(
                scalar=literals_pb2.Scalar(
                    binary=literals_pb2.Binary(value=msgpack.packb(value, use_bin_type=True), tag="msgpack")
                )
            )
        else:
            raise BindingError(f"cannot follow attribute {key!r} into a {kind or 'empty'} value")
    return current


def _unwrap_union(literal: Literal) -> Literal:
    while literal.WhichOneof("value") == "scalar" and literal.scalar.WhichOneof("value") == "union":
        literal = literal.scalar.union.value
    return literal


def _navigate(value: Any, steps: list[types_pb2.PromiseAttribute]) -> Any:
    for attribute in steps:
        key: Any = attribute.string_value if attribute.WhichOneof("value") == "string_value" else attribute.int_value
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            raise BindingError(f"the value has no attribute or item {key!r}") from None
    return value


def _struct_literal(value: Any) -> Literal:
    if isinstance(value, dict):
        struct = struct_pb2.Struct()
        struct.update(value)
        return Literal(scalar=literals_pb2.Scalar(generic=struct))
    if isinstance(value, list):
        return Literal(collection=literals_pb2.LiteralCollection(literals=[_struct_literal(v) for v in value]))
    if value is None:
        return Literal(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void()))
    if isinstance(value, bool):
        primitive = literals_pb2.Primitive(boolean=value)
    elif isinstance(value, str):
        primitive = literals_pb2.Primitive(string_value=value)
    else:
        primitive = literals_pb2.Primitive(float_value=float(value))
    return Literal(scalar=literals_pb2.Scalar(primitive=primitive))

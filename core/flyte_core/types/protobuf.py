"""Protobuf messages as task inputs and outputs (flytekit's ``ProtobufTransformer``).

A message travels as a ``generic`` Struct literal of its JSON form; its literal type is a STRUCT whose metadata
names the message class (``pb_type``), so ``pyflyte run`` and remote clients can rebuild the class. A
``google.protobuf.struct_pb2.ListValue`` travels as a list literal of its items.
"""

from __future__ import annotations

import importlib
import typing
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.types.type_engine import TypeEngine, TypeTransformer, TypeTransformerFailedError, type_name

if typing.TYPE_CHECKING:
    from flyte_core.context import FlyteContext

__all__ = ["ProtobufTransformer", "load_type_from_tag"]


class ProtobufTransformer(TypeTransformer["Message"]):
    """A protobuf message <-> a Struct literal of its JSON form."""

    PB_FIELD_KEY = "pb_type"

    def __init__(self) -> None:
        from google.protobuf.message import Message

        super().__init__("Protobuf-Transformer", Message)

    @staticmethod
    def tag(expected_python_type: type[Any]) -> str:
        """The message class as ``module.Name`` (what the literal type's metadata carries)."""
        return f"{expected_python_type.__module__}.{expected_python_type.__name__}"

    def get_literal_type(self, t: type[Any]) -> types_pb2.LiteralType:
        literal_type = types_pb2.LiteralType(simple=types_pb2.SimpleType.STRUCT)
        literal_type.metadata.update({self.PB_FIELD_KEY: self.tag(t)})
        return literal_type

    def to_literal(
        self, ctx: FlyteContext | None, python_val: Any, python_type: type[Any], expected: types_pb2.LiteralType
    ) -> literals_pb2.Literal:
        from google.protobuf import json_format, struct_pb2

        try:
            if type(python_val) is struct_pb2.ListValue:
                items = [
                    TypeEngine.to_literal(ctx, item, type(item), TypeEngine.to_literal_type(type(item)))
                    for item in python_val
                ]
                return literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=items))
            struct = struct_pb2.Struct()
            struct.update(json_format.MessageToDict(python_val))
            return literals_pb2.Literal(scalar=literals_pb2.Scalar(generic=struct))
        except Exception as exc:
            value = f"{python_val!r:.80}"
            raise TypeTransformerFailedError(
                f"Failed to convert to generic protobuf struct: {type_name(python_type)} value {value} ({exc})"
            ) from exc

    def to_python_value(
        self, ctx: FlyteContext | None, lv: literals_pb2.Literal, expected_python_type: type[Any]
    ) -> Any:
        from google.protobuf import json_format

        if not (lv.HasField("scalar") and lv.scalar.HasField("generic")):
            raise TypeTransformerFailedError(
                f"Can only convert a generic literal to a Protobuf: {type_name(expected_python_type)} got a "
                f"{lv.WhichOneof('value') or 'empty'} literal"
            )
        return json_format.ParseDict(json_format.MessageToDict(lv.scalar.generic), expected_python_type())

    def guess_python_type(self, literal_type: types_pb2.LiteralType) -> type[Any]:
        tag = literal_type.metadata.fields.get(self.PB_FIELD_KEY) if literal_type.HasField("metadata") else None
        if literal_type.simple == types_pb2.SimpleType.STRUCT and tag is not None and tag.string_value:
            return load_type_from_tag(tag.string_value)
        raise ValueError(f"Transformer {self} cannot reverse {literal_type}")


def load_type_from_tag(tag: str) -> type[Any]:
    """The protobuf message class named ``module.Name`` (flytekit's ``type_helpers.load_type_from_tag``)."""
    if "." not in tag:
        raise ValueError(f"Protobuf tag must include at least one '.' to delineate package and object name got {tag}")
    module_name, name = tag.rsplit(".", 1)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(
            f"Could not resolve the protobuf definition @ {module_name}.  Is the protobuf library installed?"
        ) from exc
    if not hasattr(module, name):
        raise ValueError(f"Could not find the protobuf named: {name} @ {module_name}.")
    return typing.cast(type[Any], getattr(module, name))

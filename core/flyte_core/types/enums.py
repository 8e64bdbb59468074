"""Transformers of ``enum.Enum`` (string values) and ``typing.Literal[...]``."""

from __future__ import annotations

import datetime
import enum
import typing
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.types.type_engine import TypeEngine, TypeTransformer, TypeTransformerFailedError, is_annotated

if typing.TYPE_CHECKING:
    from flyte_core.context import FlyteContext

Literal = literals_pb2.Literal
LiteralType = types_pb2.LiteralType


class EnumTransformer(TypeTransformer[enum.Enum]):
    """An ``Enum`` with string values <-> ``EnumType`` / a string literal."""

    def __init__(self) -> None:
        super().__init__(name="DefaultEnumTransformer", t=enum.Enum)

    def get_literal_type(self, t: Any) -> LiteralType:
        if is_annotated(t):
            raise ValueError(
                f"Flytekit does not currently have support for FlyteAnnotations applied to enums. {t} cannot be parsed."
            )
        values = [v.value for v in t]
        if not values or not isinstance(values[0], str):
            raise TypeTransformerFailedError("Only EnumTypes with value of string are supported")
        return LiteralType(enum_type=types_pb2.EnumType(values=values))

    def to_literal(self, ctx: FlyteContext, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        value = python_val.value if isinstance(python_val, enum.Enum) else python_val
        if not isinstance(value, str):
            raise TypeTransformerFailedError(f"Expected an enum or matching string, got {type(python_val)}")
        if value not in [item.value for item in python_type]:
            raise TypeTransformerFailedError(f"Value {python_val} is not in Enum {python_type}")
        return Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value=value)))

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> Any:
        if lv.HasField("scalar") and lv.scalar.HasField("binary"):
            return expected_python_type(self.from_binary_idl(lv.scalar.binary, str))
        return expected_python_type(lv.scalar.primitive.string_value)

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.WhichOneof("type") == "enum_type":
            return enum.Enum("DynamicEnum", {f"{i}": i for i in literal_type.enum_type.values})  # type: ignore[misc]
        raise ValueError(f"Enum transformer cannot reverse {literal_type}")

    def assert_type(self, t: Any, v: Any) -> None:
        value = v.value if isinstance(v, enum.Enum) else v
        if value not in [item.value for item in t]:
            raise TypeTransformerFailedError(f"Value {v} is not in Enum {t}")


_LITERAL_SIMPLE = {
    str: types_pb2.STRING,
    int: types_pb2.INTEGER,
    float: types_pb2.FLOAT,
    bool: types_pb2.BOOLEAN,
    datetime.datetime: types_pb2.DATETIME,
    datetime.timedelta: types_pb2.DURATION,
}


class LiteralTypeTransformer(TypeTransformer[object]):
    """``typing.Literal["a", "b"]``: the values' simple type, annotated with ``literal_values``."""

    def __init__(self) -> None:
        super().__init__("LiteralTypeTransformer", object)

    @classmethod
    def get_base_type(cls, t: Any) -> type:
        args = typing.get_args(t)
        if not args:
            raise TypeTransformerFailedError("Literal must have at least one value")
        base_type = type(args[0])
        if not all(type(a) is base_type for a in args):
            raise TypeTransformerFailedError("All values must be of the same type")
        return base_type

    def get_literal_type(self, t: Any) -> LiteralType:
        base_type = self.get_base_type(t)
        simple = _LITERAL_SIMPLE.get(base_type)
        if simple is None:
            raise TypeTransformerFailedError(f"Unsupported type: {base_type}")
        lt = LiteralType(simple=simple)
        lt.annotation.annotations.update({"literal_values": list(typing.get_args(t))})
        return lt

    def to_literal(self, ctx: FlyteContext, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        base_type = self.get_base_type(python_type)
        return TypeEngine.get_transformer(base_type).to_literal(ctx, python_val, python_type, expected)

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> Any:
        base_type = self.get_base_type(expected_python_type)
        return TypeEngine.get_transformer(base_type).to_python_value(ctx, lv, base_type)

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.HasField("annotation") and "literal_values" in literal_type.annotation.annotations:
            values = list(literal_type.annotation.annotations["literal_values"])
            return typing.Literal[tuple(values)]  # type: ignore[valid-type]
        raise ValueError(f"LiteralType transformer cannot reverse {literal_type}")

    def assert_type(self, t: Any, v: Any) -> None:
        base_type = self.get_base_type(t)
        TypeEngine.get_transformer(base_type).assert_type(base_type, v)

"""A module defining a type and its transformer, imported by the type engine tests on purpose."""

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.types.type_engine import TypeTransformer


class Kelvin(float):
    pass


class KelvinTransformer(TypeTransformer[Kelvin]):
    def __init__(self) -> None:
        super().__init__("kelvin", Kelvin)

    def get_literal_type(self, t):
        return types_pb2.LiteralType(simple=types_pb2.FLOAT)

    def to_literal(self, ctx, python_val, python_type, expected):
        return literals_pb2.Literal(
            scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(float_value=python_val))
        )

    def to_python_value(self, ctx, lv, expected_python_type):
        return Kelvin(lv.scalar.primitive.float_value)

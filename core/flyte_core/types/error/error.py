"""``FlyteError``: the error a workflow's failure handler receives as its ``err`` input."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.types.type_engine import TypeTransformer, TypeTransformerFailedError

if typing.TYPE_CHECKING:
    from flyte_core.context import FlyteContext


@dataclass
class FlyteError:
    """Which node failed and why."""

    message: str
    failed_node_id: str


class ErrorTransformer(TypeTransformer[FlyteError]):
    """``FlyteError`` <-> an ``Error`` scalar (simple type ERROR)."""

    def __init__(self) -> None:
        super().__init__(name="FlyteError", t=FlyteError)

    def get_literal_type(self, t: Any) -> types_pb2.LiteralType:
        return types_pb2.LiteralType(simple=types_pb2.ERROR)

    def to_literal(self, ctx: FlyteContext, python_val: Any, python_type: Any, expected: Any) -> literals_pb2.Literal:
        if not isinstance(python_val, FlyteError):
            raise TypeTransformerFailedError(f"Expected a FlyteError, got {type(python_val)}")
        error = types_pb2.Error(message=python_val.message, failed_node_id=python_val.failed_node_id)
        return literals_pb2.Literal(scalar=literals_pb2.Scalar(error=error))

    def to_python_value(self, ctx: FlyteContext, lv: literals_pb2.Literal, expected_python_type: Any) -> FlyteError:
        if not (lv.HasField("scalar") and lv.scalar.HasField("error")):
            raise TypeTransformerFailedError(f"Cannot convert a {lv.WhichOneof('value')} literal to FlyteError")
        return FlyteError(message=lv.scalar.error.message, failed_node_id=lv.scalar.error.failed_node_id)

    def guess_python_type(self, literal_type: types_pb2.LiteralType) -> Any:
        if literal_type.WhichOneof("type") == "simple" and literal_type.simple == types_pb2.ERROR:
            return FlyteError
        raise ValueError(f"Transformer {self} cannot reverse {literal_type}")

"""Transformers of the primitive types: int, float, str, bool, datetime, date, timedelta and None."""

from __future__ import annotations

import datetime
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.types.type_engine import SimpleTransformer, TypeTransformerFailedError

_Literal = literals_pb2.Literal
_Scalar = literals_pb2.Scalar
_Primitive = literals_pb2.Primitive
_UTC = datetime.timezone.utc


def _simple(simple: int) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(simple=simple)  # type: ignore[arg-type]


def _primitive(lv: _Literal) -> tuple[str | None, Any]:
    if not lv.HasField("scalar") or not lv.scalar.HasField("primitive"):
        raise TypeTransformerFailedError(f"Expected a primitive literal, found {lv.WhichOneof('value') or 'nothing'}")
    kind = lv.scalar.primitive.WhichOneof("value")
    return kind, getattr(lv.scalar.primitive, kind) if kind else None


def _to_int(lv: _Literal) -> int:
    kind, value = _primitive(lv)
    if kind == "integer":
        return int(value)
    if kind == "float_value":  # the console sends every number as a float
        return int(value)
    raise TypeTransformerFailedError(f"Cannot convert a {kind} literal to int")


def _to_float(lv: _Literal) -> float:
    kind, value = _primitive(lv)
    if kind == "float_value":
        return float(value)
    if kind == "integer":
        return float(value)
    raise TypeTransformerFailedError(f"Cannot convert a {kind} literal to float")


def _to_str(lv: _Literal) -> str:
    kind, value = _primitive(lv)
    if kind != "string_value":
        raise TypeTransformerFailedError(f"Cannot convert a {kind} literal to str")
    return str(value)


def _to_bool(lv: _Literal) -> bool:
    kind, value = _primitive(lv)
    if kind != "boolean":
        raise TypeTransformerFailedError(f"Cannot convert a {kind} literal to bool")
    return bool(value)


def _to_datetime(lv: _Literal) -> datetime.datetime:
    kind, value = _primitive(lv)
    if kind != "datetime":
        raise TypeTransformerFailedError(f"Cannot convert a {kind} literal to datetime")
    return value.ToDatetime(tzinfo=_UTC)  # type: ignore[no-any-return]


def _to_timedelta(lv: _Literal) -> datetime.timedelta:
    kind, value = _primitive(lv)
    if kind != "duration":
        raise TypeTransformerFailedError(f"Cannot convert a {kind} literal to timedelta")
    return value.ToTimedelta()  # type: ignore[no-any-return]


def _datetime_literal(value: datetime.datetime) -> _Literal:
    primitive = _Primitive()
    primitive.datetime.FromDatetime(value)
    return _Literal(scalar=_Scalar(primitive=primitive))


def _timedelta_literal(value: datetime.timedelta) -> _Literal:
    primitive = _Primitive()
    primitive.duration.FromTimedelta(value)
    return _Literal(scalar=_Scalar(primitive=primitive))


def _to_none(lv: _Literal) -> None:
    if not lv.HasField("scalar") or not lv.scalar.HasField("none_type"):
        raise TypeTransformerFailedError(f"Cannot convert a {lv.WhichOneof('value')} literal to None")
    return None


IntTransformer = SimpleTransformer(
    "int", int, _simple(types_pb2.INTEGER), lambda x: _Literal(scalar=_Scalar(primitive=_Primitive(integer=x))), _to_int
)
FloatTransformer = SimpleTransformer(
    "float",
    float,
    _simple(types_pb2.FLOAT),
    lambda x: _Literal(scalar=_Scalar(primitive=_Primitive(float_value=x))),
    _to_float,
)
StrTransformer = SimpleTransformer(
    "str",
    str,
    _simple(types_pb2.STRING),
    lambda x: _Literal(scalar=_Scalar(primitive=_Primitive(string_value=x))),
    _to_str,
)
BoolTransformer = SimpleTransformer(
    "bool",
    bool,
    _simple(types_pb2.BOOLEAN),
    lambda x: _Literal(scalar=_Scalar(primitive=_Primitive(boolean=x))),
    _to_bool,
)
DatetimeTransformer = SimpleTransformer(
    "datetime", datetime.datetime, _simple(types_pb2.DATETIME), _datetime_literal, _to_datetime
)
DateTransformer = SimpleTransformer(
    "date",
    datetime.date,
    _simple(types_pb2.DATETIME),
    lambda x: _datetime_literal(datetime.datetime.combine(x, datetime.time.min)),
    lambda lv: _to_datetime(lv).date(),
)
TimedeltaTransformer = SimpleTransformer(
    "timedelta", datetime.timedelta, _simple(types_pb2.DURATION), _timedelta_literal, _to_timedelta
)
NoneTransformer = SimpleTransformer(
    "none",
    type(None),
    _simple(types_pb2.NONE),
    lambda x: _Literal(scalar=_Scalar(none_type=literals_pb2.Void())),
    _to_none,
)

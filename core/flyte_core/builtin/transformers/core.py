"""The essential transformers: primitives, lists, dicts, unions, enums, ``typing.Literal``, restricted tuples,
protobuf messages."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteTypeTransformer, hookimpl

_PRIMITIVES = "flyte_core.types.primitives"


@hookimpl
def flyte_type_transformers() -> Iterator[FlyteTypeTransformer]:
    yield FlyteTypeTransformer(python_type=int, transformer=f"{_PRIMITIVES}:IntTransformer")
    yield FlyteTypeTransformer(python_type=float, transformer=f"{_PRIMITIVES}:FloatTransformer")
    yield FlyteTypeTransformer(python_type=str, transformer=f"{_PRIMITIVES}:StrTransformer")
    yield FlyteTypeTransformer(python_type=bool, transformer=f"{_PRIMITIVES}:BoolTransformer")
    yield FlyteTypeTransformer(python_type="datetime:datetime", transformer=f"{_PRIMITIVES}:DatetimeTransformer")
    yield FlyteTypeTransformer(python_type="datetime:date", transformer=f"{_PRIMITIVES}:DateTransformer")
    yield FlyteTypeTransformer(python_type="datetime:timedelta", transformer=f"{_PRIMITIVES}:TimedeltaTransformer")
    yield FlyteTypeTransformer(python_type=type(None), transformer=f"{_PRIMITIVES}:NoneTransformer")
    yield FlyteTypeTransformer(python_type=list, transformer="flyte_core.types.collections:ListTransformer")
    yield FlyteTypeTransformer(python_type=dict, transformer="flyte_core.types.collections:DictTransformer")
    yield FlyteTypeTransformer(python_type="typing:Union", transformer="flyte_core.types.union:UnionTransformer")
    yield FlyteTypeTransformer(python_type="enum:Enum", transformer="flyte_core.types.enums:EnumTransformer")
    yield FlyteTypeTransformer(
        python_type="typing:Literal", transformer="flyte_core.types.enums:LiteralTypeTransformer"
    )
    yield FlyteTypeTransformer(python_type=tuple, transformer="flyte_core.types.restricted:TupleTransformer")
    yield FlyteTypeTransformer(
        python_type="typing:Tuple", transformer="flyte_core.types.restricted:TypingTupleTransformer"
    )
    yield FlyteTypeTransformer(
        python_type="typing:NamedTuple", transformer="flyte_core.types.restricted:NamedTupleTransformer"
    )
    yield FlyteTypeTransformer(
        python_type="google.protobuf.message:Message", transformer="flyte_core.types.protobuf:ProtobufTransformer"
    )

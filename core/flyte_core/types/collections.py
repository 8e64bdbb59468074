"""Transformers of ``list[T]`` and ``dict[str, T]`` (typed maps) and of untyped dicts (msgpack)."""

from __future__ import annotations

import typing
from collections import OrderedDict
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.types import bulk_literals
from flyte_core.types.type_engine import (
    CACHE_KEY_METADATA,
    MESSAGEPACK,
    SERIALIZATION_FORMAT,
    TypeEngine,
    TypeTransformer,
    TypeTransformerFailedError,
    get_underlying_type,
    is_annotated,
    promise_class,
)

if typing.TYPE_CHECKING:
    from flyte_core.context import FlyteContext

Literal = literals_pb2.Literal
LiteralType = types_pb2.LiteralType


class ListTransformer(TypeTransformer[list[Any]]):
    """``list[T]`` <-> ``LiteralCollection``; lists of int/float/bool/str take the bulk path."""

    def __init__(self) -> None:
        super().__init__("Typed List", list)

    @staticmethod
    def get_sub_type(t: Any) -> Any:
        sub = ListTransformer.get_sub_type_or_none(t)
        if sub is None:
            raise ValueError("Only generic univariate typing.List[T] type is supported.")
        return sub

    @staticmethod
    def get_sub_type_or_none(t: Any) -> Any:
        if is_annotated(t):
            return ListTransformer.get_sub_type(typing.get_args(t)[0])
        if typing.get_origin(t) is list:
            args = typing.get_args(t)
            if args:
                return args[0]
        return None

    def get_literal_type(self, t: Any) -> LiteralType:
        try:
            return LiteralType(collection_type=TypeEngine.to_literal_type(self.get_sub_type(t)))
        except Exception as exc:
            raise ValueError(f"Type of Generic List type is not supported, {exc}") from exc

    def to_literal(self, ctx: FlyteContext, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        if type(python_val) is not list:
            raise TypeTransformerFailedError("Expected a list")
        sub_type = self.get_sub_type(python_type)
        if bulk_literals.supports(sub_type):
            fast = bulk_literals.encode_list(python_val, sub_type)
            if fast is not None:
                return fast
        element_type = expected.collection_type if expected is not None else TypeEngine.to_literal_type(sub_type)
        return Literal(
            collection=literals_pb2.LiteralCollection(literals=_elements(ctx, python_val, sub_type, element_type))
        )

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> list[Any]:
        if lv.HasField("scalar") and lv.scalar.HasField("binary"):
            from flyte_core.types.msgpack_values import decode_msgpack

            return typing.cast(
                list[Any], decode_msgpack(lv.scalar.binary.value, get_underlying_type(expected_python_type))
            )
        if not lv.HasField("collection"):
            raise TypeTransformerFailedError(
                f"The expected python type is '{expected_python_type}' but the received Flyte literal value "
                "is not a collection (Flyte's representation of Python lists)."
            )
        sub_type = self.get_sub_type(expected_python_type)
        if bulk_literals.supports(sub_type):
            fast = bulk_literals.decode_list(lv, sub_type)
            if fast is not None:
                return fast
        transformer = TypeEngine.get_transformer(sub_type)
        return [transformer.to_python_value(ctx, x, sub_type) for x in lv.collection.literals]

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.WhichOneof("type") == "collection_type":
            return list[TypeEngine.guess_python_type(literal_type.collection_type)]  # type: ignore[misc]
        raise ValueError(f"List transformer cannot reverse {literal_type}")


def _elements(ctx: FlyteContext, values: list[Any], sub_type: Any, element_type: LiteralType) -> list[Literal]:
    """Literals of list elements, with the element transformer looked up once (not per element)."""
    passed_on = (tuple, promise_class())
    if any(v is None or isinstance(v, passed_on) for v in values) or is_annotated(sub_type):
        return [TypeEngine.to_literal(ctx, x, sub_type, element_type) for x in values]
    transformer = TypeEngine.get_transformer(sub_type)
    check = transformer.assert_type if transformer.type_assertions_enabled else None
    literals = []
    for value in values:
        if check is not None:
            check(sub_type, value)
        literals.append(transformer.to_literal(ctx, value, sub_type, element_type))
    return literals


def _msgpack_struct_type() -> LiteralType:
    lt = LiteralType(simple=types_pb2.STRUCT)
    lt.annotation.annotations.update({CACHE_KEY_METADATA: {SERIALIZATION_FORMAT: MESSAGEPACK}})
    return lt


class DictTransformer(TypeTransformer[dict[Any, Any]]):
    """``dict[str, T]`` <-> ``LiteralMap``; any other dict <-> msgpack ``Binary`` (STRUCT literal type)."""

    def __init__(self) -> None:
        super().__init__("Typed Dict", dict)

    @staticmethod
    def extract_types(t: Any) -> tuple[Any, ...]:
        if t is None:
            return None, None
        origin = typing.get_origin(t)
        args = typing.get_args(t)
        if origin is None:
            return None, None
        if origin is typing.Annotated:
            for extra in args[1:]:
                if type(extra).__name__ == "FlyteAnnotation":
                    raise ValueError(
                        f"Flytekit does not currently have support for FlyteAnnotations applied to dicts. {t} "
                        "cannot be parsed."
                    )
            return DictTransformer.extract_types(args[0])
        if origin is dict:
            return args
        raise ValueError(f"Trying to extract dictionary type information from a non-dict type {t}")

    @staticmethod
    def is_pickle(python_type: Any) -> bool:
        if typing.get_origin(python_type) is typing.Annotated:
            for extra in typing.get_args(python_type)[1:]:
                if isinstance(extra, OrderedDict | dict):
                    return bool(extra.get("allow_pickle", False))
        return False

    def get_literal_type(self, t: Any) -> LiteralType:
        types_ = self.extract_types(t)
        if types_ and types_[0] is str:
            try:
                return LiteralType(map_value_type=TypeEngine.to_literal_type(types_[1]))
            except Exception as exc:
                raise ValueError(f"Type of Generic List type is not supported, {exc}") from exc
        return _msgpack_struct_type()

    def to_literal(self, ctx: FlyteContext, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        if type(python_val) is not dict:
            raise TypeTransformerFailedError("Expected a dict")
        if expected is not None and expected.WhichOneof("type") == "simple" and expected.simple == types_pb2.STRUCT:
            return self._to_binary_literal(ctx, python_val, python_type)
        _, value_type = self.extract_types(python_type)
        for key in python_val:
            if type(key) is not str:
                raise ValueError("Flyte MapType expects all keys to be strings")
        if bulk_literals.supports(value_type):
            fast = bulk_literals.encode_map(python_val, value_type)
            if fast is not None:
                return fast
        value_lt = expected.map_value_type if expected is not None else TypeEngine.to_literal_type(value_type)
        return Literal(
            map=literals_pb2.LiteralMap(
                literals={k: TypeEngine.to_literal(ctx, v, value_type, value_lt) for k, v in python_val.items()}
            )
        )

    def _to_binary_literal(self, ctx: FlyteContext, python_val: dict[Any, Any], python_type: Any) -> Literal:
        import os

        if os.environ.get("FLYTE_USE_OLD_DC_FORMAT", "").strip().lower() in ("true", "t", "1"):
            return self._to_json_struct_literal(ctx, python_val, python_type)
        from flyte_core.types.msgpack_values import encode_msgpack

        try:
            payload = encode_msgpack(python_val, python_type)
        except TypeError as exc:
            if self.is_pickle(python_type):
                from flyte_core.types.pickle import pickle_dict_literal

                return pickle_dict_literal(ctx, python_val)
            raise TypeTransformerFailedError(
                f"Cannot convert `{python_val}` to Flyte Literal.\nError Message: {exc}"
            ) from exc
        return Literal(scalar=literals_pb2.Scalar(binary=literals_pb2.Binary(value=payload, tag=MESSAGEPACK)))

    def _to_json_struct_literal(self, ctx: FlyteContext, python_val: dict[Any, Any], python_type: Any) -> Literal:
        """The pre-1.14 form (``FLYTE_USE_OLD_DC_FORMAT=true``): a JSON ``Struct`` with ``metadata.format=json``."""
        import json

        from google.protobuf import json_format, struct_pb2

        try:
            text = json.dumps(python_val)
        except TypeError as exc:
            if self.is_pickle(python_type):
                from flyte_core.types.pickle import pickle_dict_literal

                return pickle_dict_literal(ctx, python_val)
            raise TypeTransformerFailedError(
                f"Cannot convert `{python_val}` to Flyte Literal.\nError Message: {exc}"
            ) from exc
        struct = json_format.Parse(text, struct_pb2.Struct())
        return Literal(scalar=literals_pb2.Scalar(generic=struct), metadata={"format": "json"})

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> dict[Any, Any]:
        if lv.HasField("scalar") and lv.scalar.HasField("binary"):
            from flyte_core.types.msgpack_values import decode_msgpack

            binary = lv.scalar.binary
            if binary.tag != MESSAGEPACK:
                raise TypeTransformerFailedError(f"Unsupported binary format `{binary.tag}`")
            return typing.cast(dict[Any, Any], decode_msgpack(binary.value, get_underlying_type(expected_python_type)))
        if lv.HasField("map"):
            types_ = self.extract_types(expected_python_type)
            if not types_ or types_[0] is None:
                raise TypeError(
                    "TypeMismatch: Cannot convert to python dictionary from Flyte Literal Dictionary as the given "
                    "dictionary does not have sub-type hints or they do not match with the originating dictionary "
                    "source. Flytekit does not currently support implicit conversions"
                )
            if types_[0] is not str:
                raise TypeError("TypeMismatch. Destination dictionary does not accept 'str' key")
            value_type = types_[1]
            if bulk_literals.supports(value_type):
                fast = bulk_literals.decode_map(lv, value_type)
                if fast is not None:
                    return fast
            transformer = TypeEngine.get_transformer(value_type)
            return {k: transformer.to_python_value(ctx, v, value_type) for k, v in lv.map.literals.items()}
        if lv.HasField("scalar") and lv.scalar.HasField("generic"):
            from flyte_core.types.msgpack_values import decode_generic

            return typing.cast(dict[Any, Any], decode_generic(ctx, lv, get_underlying_type(expected_python_type)))
        raise TypeTransformerFailedError(
            f"Cannot convert from {lv.WhichOneof('value')} literal to {expected_python_type}"
        )

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        kind = literal_type.WhichOneof("type")
        if kind == "map_value_type":
            return dict[str, TypeEngine.guess_python_type(literal_type.map_value_type)]  # type: ignore[misc]
        if kind == "simple" and literal_type.simple == types_pb2.STRUCT and not literal_type.HasField("metadata"):
            return dict
        raise ValueError(f"Dictionary transformer cannot reverse {literal_type}")

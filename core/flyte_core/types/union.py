"""The transformer of ``Union``/``Optional``/``X | Y``: the value's variant is stored with a tag."""

from __future__ import annotations

import types
import typing
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.types.type_engine import (
    TypeEngine,
    TypeTransformer,
    TypeTransformerFailedError,
    get_underlying_type,
    type_name,
)

if typing.TYPE_CHECKING:
    from flyte_core.context import FlyteContext

Literal = literals_pb2.Literal
LiteralType = types_pb2.LiteralType


def is_union_type(t: Any) -> bool:
    return t is typing.Union or typing.get_origin(t) is typing.Union or isinstance(t, types.UnionType)


def _tagged(lt: LiteralType, tag: str) -> LiteralType:
    """A copy of ``lt`` whose structure is only the variant's tag (as flytekit writes union variants)."""
    tagged = LiteralType()
    tagged.CopyFrom(lt)
    tagged.ClearField("structure")
    tagged.structure.tag = tag
    return tagged


def _essence(lt: LiteralType) -> LiteralType:
    if lt.HasField("metadata") or lt.HasField("structure") or lt.HasField("annotation"):
        copy = LiteralType()
        copy.CopyFrom(lt)
        copy.ClearField("metadata")
        copy.ClearField("structure")
        copy.ClearField("annotation")
        return copy
    return lt


def are_types_castable(upstream: LiteralType, downstream: LiteralType) -> bool:
    """Whether a literal of type ``upstream`` can be read as ``downstream`` (flytekit's rules)."""
    up, down = upstream.WhichOneof("type"), downstream.WhichOneof("type")
    if up == "union_type":
        return all(are_types_castable(v, downstream) for v in upstream.union_type.variants)
    if down == "union_type" and any(are_types_castable(upstream, v) for v in downstream.union_type.variants):
        return True
    if up == "collection_type":
        return down == "collection_type" and are_types_castable(upstream.collection_type, downstream.collection_type)
    if up == "map_value_type":
        return down == "map_value_type" and are_types_castable(upstream.map_value_type, downstream.map_value_type)
    if up == "structured_dataset_type":
        if down != "structured_dataset_type":
            return False
        u, d = upstream.structured_dataset_type, downstream.structured_dataset_type
        if (u.format, u.external_schema_type, u.external_schema_bytes) != (
            d.format,
            d.external_schema_type,
            d.external_schema_bytes,
        ):
            return False
        if len(u.columns) != len(d.columns):
            return False
        return all(
            a.name == b.name and are_types_castable(a.literal_type, b.literal_type)
            for a, b in zip(u.columns, d.columns, strict=True)
        )
    if up == "enum_type" and down == "simple" and downstream.simple == types_pb2.STRING:
        return True
    return _essence(upstream) == _essence(downstream)


class UnionTransformer(TypeTransformer[Any]):
    """Each variant's literal type is tagged with its transformer's name; values store their variant."""

    def __init__(self) -> None:
        super().__init__("Typed Union", typing.Union)  # type: ignore[arg-type]

    @staticmethod
    def is_optional_type(t: Any) -> bool:
        return is_union_type(t) and type(None) in typing.get_args(t)

    @staticmethod
    def get_sub_type_in_optional(t: Any) -> Any:
        return typing.get_args(t)[0]

    def assert_type(self, t: Any, v: Any) -> None:
        python_type = get_underlying_type(t)
        if not is_union_type(python_type):
            return
        for sub_type in typing.get_args(python_type):
            if sub_type is Any:
                return
            try:
                transformer = TypeEngine.get_transformer(sub_type)
                if transformer.type_assertions_enabled:
                    transformer.assert_type(sub_type, v)
                return
            except (TypeTransformerFailedError, TypeError):
                continue
        raise TypeTransformerFailedError(f"Value {v} is not of type {t}")

    def get_literal_type(self, t: Any) -> LiteralType:
        t = get_underlying_type(t)
        try:
            variants = [
                _tagged(TypeEngine.to_literal_type(x), TypeEngine.get_transformer(x).name) for x in typing.get_args(t)
            ]
        except Exception as exc:
            raise ValueError(f"Type of Generic Union type is not supported, {exc}") from exc
        return LiteralType(union_type=types_pb2.UnionType(variants=variants))

    def to_literal(self, ctx: FlyteContext, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        python_type = get_underlying_type(python_type)
        matches = []
        for i, t in enumerate(typing.get_args(python_type)):
            try:
                transformer = TypeEngine.get_transformer(t)
                variant = (
                    expected.union_type.variants[i]
                    if expected is not None and expected.WhichOneof("type") == "union_type"
                    else TypeEngine.to_literal_type(t)
                )
                value = transformer.to_literal(ctx, python_val, t, variant)
                matches.append((t, value, _tagged(transformer.get_literal_type(t), transformer.name)))
            except Exception:
                continue
        if not matches:
            raise TypeTransformerFailedError(f"Cannot convert from {python_val!r} to {type_name(python_type)}")
        if len(matches) > 1:
            exact = [m for m in matches if m[0] is str] if type(python_val) is str else []
            if len(exact) != 1:
                raise TypeError(
                    "Ambiguous choice of variant for union type.\n"
                    f"Potential types: {[m[0] for m in matches]}\n"
                    "These types are structurally the same, because it's attributes have the same names and "
                    "associated types."
                )
            matches = exact
        _, value, stored_type = matches[0]
        return Literal(scalar=literals_pb2.Scalar(union=literals_pb2.Union(value=value, type=stored_type)))

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> Any:
        expected_python_type = get_underlying_type(expected_python_type)
        is_union_literal = lv.HasField("scalar") and lv.scalar.HasField("union")
        union_tag = None
        stored_type = None
        if is_union_literal:
            stored_type = lv.scalar.union.type
            if stored_type.HasField("structure"):
                union_tag = stored_type.structure.tag
        found: list[tuple[str, Any]] = []
        for variant in typing.get_args(expected_python_type):
            try:
                transformer = TypeEngine.get_transformer(variant)
                if union_tag is not None:
                    if transformer.name != union_tag:
                        continue
                    assert stored_type is not None
                    if not are_types_castable(stored_type, TypeEngine.to_literal_type(variant)):
                        continue
                    value = transformer.to_python_value(ctx, lv.scalar.union.value, variant)
                else:
                    inner = lv.scalar.union.value if is_union_literal else lv
                    value = transformer.to_python_value(ctx, inner, variant)
                found.append((transformer.name, value))
                if len(found) > 1:
                    break
            except Exception:
                continue
        if len(found) > 1:
            raise TypeError(
                f"Ambiguous choice of variant for union type. Both {found[0][0]} and {found[1][0]} transformers match"
            )
        if found:
            return found[0][1]
        raise TypeError(
            f"Cannot convert from {lv.WhichOneof('value')} literal to {expected_python_type} (using tag {union_tag})"
        )

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.WhichOneof("type") == "union_type":
            variants = tuple(TypeEngine.guess_python_type(v) for v in literal_type.union_type.variants)
            return typing.Union[variants]  # noqa: UP007 - a runtime-built union needs the subscript form
        raise ValueError(f"Union transformer cannot reverse {literal_type}")

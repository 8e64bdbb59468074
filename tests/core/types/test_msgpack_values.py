"""The msgpack dialect of dataclasses and untyped dicts: what is accepted, coerced and reported."""

from __future__ import annotations

import datetime
import enum
import typing
from dataclasses import dataclass, field

import msgpack
import pytest

from flyte_core.types.msgpack_values import (
    FieldAttributeError,
    MissingFieldError,
    UnsupportedFieldTypeError,
    decode_msgpack,
    encode_msgpack,
)
from flyte_core.types.type_engine import TypeTransformerFailedError


class Color(enum.Enum):
    RED = "red"


@dataclass
class Point:
    x: float
    y: float


@dataclass
class Shape:
    name: str
    points: list[Point]
    tags: list[str] = field(default_factory=lambda: ["default"])
    color: Color = Color.RED


@dataclass
class Counted:
    n: int
    label: str


def _pack(data: object) -> bytes:
    return msgpack.packb(data)


def test_decoding_coerces_values_as_mashumaro_does() -> None:
    assert decode_msgpack(_pack({"n": "3", "label": 5}), Counted) == Counted(n=3, label="5")


def test_an_int_in_a_float_field_is_written_as_an_int_and_read_as_a_float() -> None:
    payload = encode_msgpack(Point(1, 2), Point)
    assert msgpack.unpackb(payload) == {"x": 1, "y": 2}
    assert decode_msgpack(payload, Point) == Point(1.0, 2.0)
    assert isinstance(decode_msgpack(payload, Point).x, float)


def test_absent_fields_with_defaults_take_their_defaults() -> None:
    assert decode_msgpack(_pack({"name": "s", "points": []}), Shape) == Shape("s", [], ["default"], Color.RED)


def test_a_missing_required_field_is_a_lookup_error_naming_the_field() -> None:
    with pytest.raises(MissingFieldError, match=r"dataclass Shape field 'points' is missing") as info:
        decode_msgpack(_pack({"name": "s"}), Shape)
    assert isinstance(info.value, LookupError)
    assert "'name'" in str(info.value)  # the fields that were found


def test_a_bad_nested_value_is_reported_with_its_path() -> None:
    data = {"name": "s", "points": [{"x": 1, "y": 2}, {"x": "a", "y": 2}]}
    with pytest.raises(
        TypeTransformerFailedError, match=r"dataclass Shape field 'points\[1\]\.x': expected float, got str 'a'"
    ):
        decode_msgpack(_pack(data), Shape)


def test_a_string_where_a_list_of_dataclasses_is_declared_names_the_field() -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        encode_msgpack(Shape(name="s", points="x"), Shape)  # type: ignore[arg-type]
    assert str(info.value) == "dataclass Shape field 'points': expected list[Point], got str 'x'"


def test_a_plain_value_in_an_enum_field_is_an_attribute_error_as_in_flytekit() -> None:
    with pytest.raises(
        FieldAttributeError, match=r"dataclass Shape field 'color': expected Color, got str 'red'"
    ) as info:
        encode_msgpack(Shape(name="s", points=[], color="red"), Shape)  # type: ignore[arg-type]
    assert isinstance(info.value, AttributeError)


class Opaque:
    pass


@dataclass
class Holder:
    thing: Opaque


def test_a_field_type_without_msgpack_form_is_named() -> None:
    with pytest.raises(
        UnsupportedFieldTypeError, match=r"dataclass Holder field 'thing': type .*Opaque has no msgpack"
    ):
        encode_msgpack(Holder(Opaque()), Holder)


def test_a_value_msgpack_cannot_hold_is_a_type_error_naming_its_key() -> None:
    with pytest.raises(TypeError, match=r"dict at '\['when'\]': datetime .* has no msgpack form"):
        encode_msgpack({"when": datetime.datetime(2024, 1, 1)}, dict)


def test_untyped_dicts_keep_non_string_keys() -> None:
    value = {1: "a", "b": [1, 2.5], "c": {"d": None}}
    assert decode_msgpack(encode_msgpack(value, dict), dict) == value


def test_int_keyed_dicts_of_dataclasses_round_trip() -> None:
    value = {1: Point(1.0, 2.0)}
    assert decode_msgpack(encode_msgpack(value, dict[int, Point]), dict[int, Point]) == value


def test_union_variants_are_tried_in_declaration_order() -> None:
    assert decode_msgpack(_pack("red"), typing.Union[Color, str]) is Color.RED
    assert decode_msgpack(_pack("red"), typing.Union[str, Color]) == "red"
    assert decode_msgpack(_pack(3.5), typing.Union[int, str]) == 3  # no exact match: coerced by the first


class Ref:
    """Serializes itself, as FlyteFile does (mashumaro's SerializableType protocol)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def _serialize(self) -> dict[str, str]:
        return {"path": self.path}

    @classmethod
    def _deserialize(cls, value: dict[str, str]) -> Ref:
        return cls(value["path"])


@dataclass
class RefHolder:
    ref: Ref


def test_self_serializing_field_types_use_their_serialize_and_deserialize() -> None:
    payload = encode_msgpack(RefHolder("s3://bucket/key"), RefHolder)  # a str becomes the declared type first
    assert msgpack.unpackb(payload) == {"ref": {"path": "s3://bucket/key"}}
    assert decode_msgpack(payload, RefHolder).ref.path == "s3://bucket/key"


@dataclass
class Times:
    at: datetime.datetime
    day: datetime.date
    span: datetime.timedelta


def test_datetimes_dates_and_durations_are_iso_strings_and_seconds() -> None:
    value = Times(datetime.datetime(2024, 1, 2, 3, 4, 5), datetime.date(2024, 1, 2), datetime.timedelta(seconds=1.5))
    payload = encode_msgpack(value, Times)
    assert msgpack.unpackb(payload) == {"at": "2024-01-02T03:04:05", "day": "2024-01-02", "span": 1.5}
    assert decode_msgpack(payload, Times) == value


@dataclass
class Node:
    value: int
    children: list[Node] = field(default_factory=list)


def test_recursive_dataclasses_round_trip() -> None:
    tree = Node(1, [Node(2), Node(3, [Node(4)])])
    assert decode_msgpack(encode_msgpack(tree, Node), Node) == tree


def test_an_annotation_that_cannot_be_resolved_is_named() -> None:
    def make() -> type:
        class Local:
            pass

        @dataclass
        class UsesLocal:
            thing: Local

        return UsesLocal

    with pytest.raises(UnsupportedFieldTypeError, match=r"field 'thing': its annotation 'Local' cannot be resolved"):
        encode_msgpack(make()(None), make())

"""The bulk path builds exactly the protobuf messages the element-by-element path builds."""

from __future__ import annotations

import random

import pytest
from flyteidl.core import literals_pb2 as L

from flyte_core.types import bulk_literals

FIELDS = {int: "integer", float: "float_value", bool: "boolean", str: "string_value"}


def _one_by_one_list(values: list, element_type: type) -> L.Literal:
    field = FIELDS[element_type]
    literals = [L.Literal(scalar=L.Scalar(primitive=L.Primitive(**{field: v}))) for v in values]
    return L.Literal(collection=L.LiteralCollection(literals=literals))


def _one_by_one_map(values: dict, element_type: type) -> L.Literal:
    field = FIELDS[element_type]
    literals = {k: L.Literal(scalar=L.Scalar(primitive=L.Primitive(**{field: v}))) for k, v in values.items()}
    return L.Literal(map=L.LiteralMap(literals=literals))


EDGE_VALUES = {
    int: [0, 1, -1, 127, 128, 16383, 16384, 2**31, -(2**31), 2**63 - 1, -(2**63)],
    float: [0.0, -0.0, 1.5, -3.25, 1e300, -1e-300, float("inf"), float("-inf")],
    bool: [True, False, False, True],
    str: ["", "a", "héllo wörld", "x" * 127, "y" * 128, "z" * 20000],
}


@pytest.mark.parametrize("element_type", [int, float, bool, str])
def test_list_encoding_equals_the_element_by_element_encoding(element_type: type) -> None:
    values = EDGE_VALUES[element_type]
    fast = bulk_literals.encode_list(values, element_type)
    assert fast is not None
    assert fast == _one_by_one_list(values, element_type)
    assert fast.SerializeToString() == _one_by_one_list(values, element_type).SerializeToString()


@pytest.mark.parametrize("element_type", [int, float, bool])
def test_list_decoding_reads_element_by_element_literals(element_type: type) -> None:
    values = EDGE_VALUES[element_type] * 3
    assert bulk_literals.decode_list(_one_by_one_list(values, element_type), element_type) == values


@pytest.mark.parametrize("element_type", [int, float, bool, str])
def test_map_encoding_equals_the_element_by_element_encoding(element_type: type) -> None:
    values = {f"key-{i}-é": v for i, v in enumerate(EDGE_VALUES[element_type])}
    assert bulk_literals.encode_map(values, element_type) == _one_by_one_map(values, element_type)


@pytest.mark.parametrize("element_type", [int, float, bool])
def test_map_decoding_reads_element_by_element_literals(element_type: type) -> None:
    values = {f"k{i}": v for i, v in enumerate(EDGE_VALUES[element_type])}
    assert bulk_literals.decode_map(_one_by_one_map(values, element_type), element_type) == values


def test_random_large_int_lists_round_trip_across_chunk_boundaries() -> None:
    rng = random.Random(7)
    values = [rng.randint(-(2**63), 2**63 - 1) >> rng.randint(0, 63) for _ in range(200_000)]
    literal = bulk_literals.encode_list(values, int)
    assert literal == _one_by_one_list(values, int)
    assert bulk_literals.decode_list(literal, int) == values


def test_values_of_another_type_are_left_to_the_general_path() -> None:
    assert bulk_literals.encode_list([1, True], int) is None
    assert bulk_literals.encode_list([1.0, 2], float) is None
    assert bulk_literals.encode_map({"a": 1, 2: 3}, int) is None


def test_literals_with_extra_fields_are_left_to_the_general_path() -> None:
    with_hash = _one_by_one_list([1, 2, 3], int)
    with_hash.collection.literals[1].hash = "abc"
    assert bulk_literals.decode_list(with_hash, int) is None
    mixed = L.Literal(
        collection=L.LiteralCollection(
            literals=[
                L.Literal(scalar=L.Scalar(primitive=L.Primitive(integer=1))),
                L.Literal(scalar=L.Scalar(primitive=L.Primitive(float_value=1.0))),
            ]
        )
    )
    assert bulk_literals.decode_list(mixed, int) is None
    assert bulk_literals.decode_list(mixed, float) is None
    with_metadata = _one_by_one_map({"a": 1.0}, float)
    with_metadata.map.literals["a"].metadata["k"] = "v"
    assert bulk_literals.decode_map(with_metadata, float) is None


def test_empty_collections() -> None:
    assert bulk_literals.encode_list([], int) == L.Literal(collection=L.LiteralCollection())
    assert bulk_literals.decode_list(L.Literal(collection=L.LiteralCollection()), int) == []
    assert bulk_literals.decode_map(L.Literal(map=L.LiteralMap()), float) == {}


def test_float_maps_with_long_or_unusual_keys_read_back() -> None:
    values = {"k" * 200: 1.0, "": 2.0, "ключ\u2028": -0.0, "tab\tand\nnewline": float("inf")}
    literal = _one_by_one_map(values, float)
    assert bulk_literals.decode_map(literal, float) is None, "a 200-byte key is left to the general path"
    short = {k: v for k, v in values.items() if len(k) < 100}
    assert bulk_literals.decode_map(_one_by_one_map(short, float), float) == short

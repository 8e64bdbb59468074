"""Bulk conversion of lists and string-keyed maps of primitives, on the protobuf wire format.

Building a ``LiteralCollection`` of a million ``Literal(scalar=Scalar(primitive=Primitive(...)))``
messages one by one costs seconds and a gigabyte. The wire encoding of such a collection is
regular, so it is produced here in bulk (C-level ``bytes``/``re``/``struct`` operations) and parsed
by protobuf in one call; decoding runs the same way backwards. The result is the very same
protobuf message the element-by-element path builds (tests compare the two byte for byte).

Every function returns ``None`` when the values or the literal do not have the exact shape it
handles (a ``bool`` among ints, a literal with metadata...); callers then take the general path.
"""

from __future__ import annotations

import itertools
import operator
import re
import sys
from array import array
from collections.abc import Callable, Sequence
from typing import Any

from flyteidl.core import literals_pb2
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


def _build_helper_messages() -> tuple[Any, Any, Any]:
    """Messages sharing the wire layout of flyteidl's: packed int64s, repeated bytes, map<string, bytes>."""
    fd = descriptor_pb2.FileDescriptorProto(name="flyte_core/bulk_literals.proto", package="flyte_core.bulk")
    fd.syntax = "proto3"
    repeated = descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED
    ints = fd.message_type.add(name="Int64List")
    ints.field.add(name="v", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_INT64, label=repeated)
    blobs = fd.message_type.add(name="BytesList")
    blobs.field.add(name="v", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_BYTES, label=repeated)
    entry = fd.message_type.add(name="BytesMap").nested_type.add(name="VEntry")
    entry.field.add(name="key", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING)
    entry.field.add(name="value", number=2, type=descriptor_pb2.FieldDescriptorProto.TYPE_BYTES)
    entry.options.map_entry = True
    fd.message_type[2].field.add(
        name="v",
        number=1,
        type=descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE,
        label=repeated,
        type_name=".flyte_core.bulk.BytesMap.VEntry",
    )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fd)
    get = message_factory.GetMessageClass
    return (
        get(pool.FindMessageTypeByName("flyte_core.bulk.Int64List")),
        get(pool.FindMessageTypeByName("flyte_core.bulk.BytesList")),
        get(pool.FindMessageTypeByName("flyte_core.bulk.BytesMap")),
    )


_Int64List, _BytesList, _BytesMap = _build_helper_messages()

# Literal{scalar(1){primitive(1){field}}} = 0a L1 0a L2 <primitive>, lengths all below 128 here.
_VARINT = re.compile(rb"[\x80-\xff]*[\x00-\x7f]")
_INT_PREFIX = [b""] + [bytes([0x0A, k + 3, 0x0A, k + 1, 0x08]) for k in range(1, 11)]
_INT_ELEMENTS = re.compile(rb"(?:\x0a[\x04-\x0d]\x0a[\x02-\x0b]\x08[\x80-\xff]{0,9}[\x00-\x7f])*")
_INT_VALUE = re.compile(rb"\x0a[\x04-\x0d]\x0a[\x02-\x0b]\x08([\x80-\xff]{0,9}[\x00-\x7f])")
# The same, each element wrapped as a collection entry (field 1, 0a L0): the whole collection body at once.
_ENTRY_PREFIX = [b""] + [bytes([0x0A, k + 5, 0x0A, k + 3, 0x0A, k + 1, 0x08]) for k in range(1, 11)]
_CHUNK = 1 << 16  # elements per step: bounds the temporary objects of one step to a few megabytes
# Possessive (Python 3.11+): no backtracking point saved per entry, a quarter faster; 3.10 matches the same greedily.
_POSSESSIVE = b"+" if sys.version_info >= (3, 11) else b""
_INT_ENTRIES = re.compile(
    rb"(?:\x0a[\x06-\x0f]\x0a[\x04-\x0d]\x0a[\x02-\x0b]\x08[\x80-\xff]{0,9}[\x00-\x7f]){1,%d}%b" % (_CHUNK, _POSSESSIVE)
)
_INT_ENTRY_PREFIX = re.compile(rb"\x0a[\x06-\x0f]\x0a[\x04-\x0d]\x0a[\x02-\x0b]\x08")
_FLOAT_PREFIX = bytes([0x0A, 0x0B, 0x0A, 0x09, 0x11])
_BOOL_ELEMENTS = (bytes([0x0A, 0x04, 0x0A, 0x02, 0x20, 0x00]), bytes([0x0A, 0x04, 0x0A, 0x02, 0x20, 0x01]))


def _varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


# ------------------------------------------------------------------------------------------------
# Elements: a list of primitives <-> a list of serialized element literals
# ------------------------------------------------------------------------------------------------


def _int_varints(values: Sequence[int]) -> list[bytes]:
    """Each value's varint encoding, produced by protobuf's packed encoder and split by a regex."""
    packed = _Int64List(v=values).SerializeToString()
    if not packed:
        return []
    start = 1
    while packed[start] & 0x80:
        start += 1
    return _VARINT.findall(packed, start + 1)


def _encode_ints(values: Sequence[int]) -> list[bytes] | None:
    varints = _int_varints(values)
    return [_INT_PREFIX[len(v)] + v for v in varints]


def _int_collection_body(values: Sequence[int]) -> bytes:
    """The serialized ``LiteralCollection`` of integer literals, without building element objects."""
    chunks = []
    for start in range(0, len(values), _CHUNK):
        varints = _int_varints(values[start : start + _CHUNK])
        prefixes = map(_ENTRY_PREFIX.__getitem__, map(len, varints))
        chunks.append(b"".join(itertools.chain.from_iterable(zip(prefixes, varints, strict=True))))
    return b"".join(chunks)


def _int_collection_values(body: bytes) -> list[int] | None:
    """The integers of a serialized collection, or None unless every entry is a plain integer literal."""
    values: list[int] = []
    position = 0
    while position < len(body):
        match = _INT_ENTRIES.match(body, position)
        if match is None:
            return None
        payload = _INT_ENTRY_PREFIX.sub(b"", body[position : match.end()])
        values.extend(_Int64List.FromString(b"\x0a" + _varint(len(payload)) + payload).v)
        position = match.end()
    return values


def _decode_ints(elements: Sequence[bytes]) -> list[int] | None:
    joined = b"".join(elements)
    if not _INT_ELEMENTS.fullmatch(joined):
        return None
    varints = _INT_VALUE.findall(joined)
    if len(varints) != len(elements):
        return None
    payload = b"".join(varints)
    if not payload:
        return []
    return list(_Int64List.FromString(b"\x0a" + _varint(len(payload)) + payload).v)


def _encode_floats(values: Sequence[float]) -> list[bytes] | None:
    n = len(values)
    stride = len(_FLOAT_PREFIX) + 8
    buf = bytearray(n * stride)
    for i, byte in enumerate(_FLOAT_PREFIX):
        buf[i::stride] = bytes([byte]) * n
    doubles = array("d", values).tobytes()
    for j in range(8):
        buf[len(_FLOAT_PREFIX) + j :: stride] = doubles[j::8]
    data = bytes(buf)
    return [data[i : i + stride] for i in range(0, n * stride, stride)]


def _decode_floats(elements: Sequence[bytes]) -> list[float] | None:
    n = len(elements)
    stride = len(_FLOAT_PREFIX) + 8
    joined = b"".join(elements)
    if len(joined) != n * stride:
        return None
    for i, byte in enumerate(_FLOAT_PREFIX):
        if joined[i::stride] != bytes([byte]) * n:
            return None
    doubles = bytearray(n * 8)
    for j in range(8):
        doubles[j::8] = joined[len(_FLOAT_PREFIX) + j :: stride]
    return array("d", bytes(doubles)).tolist()


def _encode_bools(values: Sequence[bool]) -> list[bytes] | None:
    return [_BOOL_ELEMENTS[1] if v else _BOOL_ELEMENTS[0] for v in values]


def _decode_bools(elements: Sequence[bytes]) -> list[bool] | None:
    n = len(elements)
    joined = b"".join(elements)
    if len(joined) != 6 * n:
        return None
    for i, byte in enumerate(_BOOL_ELEMENTS[0][:5]):
        if joined[i::6] != bytes([byte]) * n:
            return None
    payload = joined[5::6]
    if payload.strip(b"\x00\x01"):
        return None
    return list(map(bool, payload))


def _encode_strs(values: Sequence[str]) -> list[bytes] | None:
    out = []
    for value in values:
        raw = value.encode("utf-8")
        primitive = b"\x1a" + _varint(len(raw)) + raw
        scalar = b"\x0a" + _varint(len(primitive)) + primitive
        out.append(b"\x0a" + _varint(len(scalar)) + scalar)
    return out


_Codec = tuple[Callable[[Sequence[Any]], "list[bytes] | None"], Callable[[Sequence[bytes]], "list[Any] | None"]]
_CODECS: dict[type, _Codec] = {
    int: (_encode_ints, _decode_ints),
    float: (_encode_floats, _decode_floats),
    bool: (_encode_bools, _decode_bools),
    str: (_encode_strs, lambda elements: None),
}


def supports(element_type: Any) -> bool:
    """True when lists/maps of ``element_type`` have a bulk path."""
    return element_type in _CODECS


# ------------------------------------------------------------------------------------------------
# Collections and maps
# ------------------------------------------------------------------------------------------------


def _exact_types(values: Any, element_type: type) -> bool:
    kinds = set(map(type, values))
    return not kinds or kinds == {element_type}


def encode_list(values: list[Any], element_type: type) -> literals_pb2.Literal | None:
    """``Literal(collection=...)`` of primitives, or None if a value is not exactly ``element_type``."""
    if not _exact_types(values, element_type):
        return None
    if element_type is int:
        body = _int_collection_body(values)
    else:
        elements = _CODECS[element_type][0](values)
        if elements is None:
            return None
        body = _BytesList(v=elements).SerializeToString()
    return literals_pb2.Literal.FromString(b"\x12" + _varint(len(body)) + body)


def decode_list(literal: literals_pb2.Literal, element_type: type) -> list[Any] | None:
    """The primitives of a collection literal, or None if any element is not a plain primitive."""
    body = literal.collection.SerializeToString()
    if element_type is int:
        return _int_collection_values(body)
    return _CODECS[element_type][1](_BytesList.FromString(body).v)


def encode_map(values: dict[str, Any], element_type: type) -> literals_pb2.Literal | None:
    """``Literal(map=...)`` of primitives keyed by strings, or None if the values do not fit."""
    if not _exact_types(values.values(), element_type) or not _exact_types(values.keys(), str):
        return None
    elements = _CODECS[element_type][0](list(values.values()))
    if elements is None:
        return None
    body = _BytesMap(v=dict(zip(values.keys(), elements, strict=True))).SerializeToString()
    return literals_pb2.Literal.FromString(b"\x1a" + _varint(len(body)) + body)


_FLOAT_ENTRY_TAIL = bytes([0x12, len(_FLOAT_PREFIX) + 8]) + _FLOAT_PREFIX  # value field, then the literal's prefix


def _decode_float_map(body: bytes) -> dict[str, float] | None:
    """``{str: float}`` of map entries ``0a KL key 12 0d <float literal>``, sliced in C loops (no map parse)."""
    entries = list(_BytesList.FromString(body).v)  # the entries of a map are its repeated field 1
    n = len(entries)
    key_lengths = bytes(map(operator.itemgetter(1), entries))
    tail = len(_FLOAT_ENTRY_TAIL) + 8
    if (
        key_lengths.translate(None, bytes(range(0x80)))  # a key of 128+ bytes: general path
        or bytes(map(operator.itemgetter(0), entries)).strip(b"\x0a")
        or list(map(len, entries)) != list(map((2 + tail).__add__, key_lengths))
    ):
        return None
    tails = b"".join(map(bytes.__getitem__, entries, itertools.repeat(slice(-tail, None))))
    for i, byte in enumerate(_FLOAT_ENTRY_TAIL):
        if tails[i::tail] != bytes([byte]) * n:
            return None
    doubles = bytearray(n * 8)
    for j in range(8):
        doubles[j::8] = tails[len(_FLOAT_ENTRY_TAIL) + j :: tail]
    keys = map(bytes.__getitem__, entries, map(slice, itertools.repeat(2), map((2).__add__, key_lengths)))
    # 0xff never occurs in UTF-8, so it separates the keys; they are decoded in one call
    names = b"\xff".join(keys).decode("utf-8", "surrogateescape").split("\udcff") if n else []
    return dict(zip(names, array("d", bytes(doubles)).tolist(), strict=True))


def decode_map(literal: literals_pb2.Literal, element_type: type) -> dict[str, Any] | None:
    """The primitives of a map literal by key, or None if any value is not a plain primitive."""
    if element_type is float:
        return _decode_float_map(literal.map.SerializeToString())
    decode = _CODECS[element_type][1]
    items = list(_BytesMap.FromString(literal.map.SerializeToString()).v.items())
    values = decode(list(map(operator.itemgetter(1), items)))
    if values is None:
        return None
    return dict(zip(map(operator.itemgetter(0), items), values, strict=True))


__all__ = ["decode_list", "decode_map", "encode_list", "encode_map", "supports"]

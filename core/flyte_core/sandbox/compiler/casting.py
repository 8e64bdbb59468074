"""Literal types as propeller's validators see them (``validators/typing.go``: ``AreTypesCastable``): whether a
value of one type may be bound to a variable of another, the type of a constant, and a short readable name of a
type for error messages.
"""

from __future__ import annotations

from flyteidl.core import literals_pb2, types_pb2

_NONE = types_pb2.SimpleType.NONE
_STRING = types_pb2.SimpleType.STRING
_STRUCT = types_pb2.SimpleType.STRUCT


def _castable(upstream: types_pb2.LiteralType, downstream: types_pb2.LiteralType) -> bool:
    """Whether a value of ``upstream`` type may be bound to a ``downstream`` variable, as propeller decides."""
    single_variant = upstream.HasField("union_type") and len(upstream.union_type.variants) == 1
    if single_variant and _casts_from(downstream, upstream.union_type.variants[0]):
        return True
    return _casts_from(downstream, upstream)


def _casts_from(downstream: types_pb2.LiteralType, upstream: types_pb2.LiteralType) -> bool:
    kind = downstream.WhichOneof("type")
    if kind == "collection_type":
        if upstream.HasField("collection_type"):
            inner = upstream.collection_type
            return _is_none(inner) or _casts_from(downstream.collection_type, inner)
        return False
    if kind == "map_value_type":
        if upstream.HasField("map_value_type"):
            inner = upstream.map_value_type
            return _is_none(inner) or _casts_from(downstream.map_value_type, inner)
        return False
    if kind == "blob":
        if not upstream.HasField("blob"):
            return False
        formats = (upstream.blob.format, downstream.blob.format)
        return "" in formats or formats[0] == formats[1]
    if kind == "schema":
        return _schema_casts(downstream, upstream)
    if kind == "union_type":
        variants = downstream.union_type.variants
        if upstream.HasField("union_type"):
            return all(any(_castable(u, d) for d in variants) for u in upstream.union_type.variants)
        return sum(1 for d in variants if _castable(upstream, d)) == 1
    if kind == "structured_dataset_type":
        return _structured_dataset_casts(downstream.structured_dataset_type, upstream)
    if _is_none(downstream):
        return _is_none(upstream)
    return _trivially_castable(downstream, upstream)


def _trivially_castable(downstream: types_pb2.LiteralType, upstream: types_pb2.LiteralType) -> bool:
    """Same type, ignoring metadata, annotations and structure; enums and strings convert into each other."""
    if upstream.HasField("enum_type") and downstream.WhichOneof("type") == "simple" and downstream.simple == _STRING:
        return True
    if downstream.HasField("enum_type") and upstream.WhichOneof("type") == "simple" and upstream.simple == _STRING:
        return True
    up_tag = upstream.structure.tag if upstream.HasField("structure") else ""
    down_tag = downstream.structure.tag if downstream.HasField("structure") else ""
    if up_tag and up_tag != down_tag:
        return False
    if _simple(upstream) == _STRUCT and _simple(downstream) == _STRUCT:
        # propeller compares the JSON schemas of dataclasses here (same or super type); allow rather than guess.
        return True
    return _bare(upstream) == _bare(downstream)


def _bare(literal_type: types_pb2.LiteralType) -> types_pb2.LiteralType:
    bare = types_pb2.LiteralType()
    bare.CopyFrom(literal_type)
    for name in ("metadata", "annotation", "structure"):
        bare.ClearField(name)
    return bare


def _schema_casts(downstream: types_pb2.LiteralType, upstream: types_pb2.LiteralType) -> bool:
    wanted = {column.name: column.type for column in downstream.schema.columns}
    if upstream.HasField("schema"):
        have = {column.name: column.type for column in upstream.schema.columns}
        return not have or not wanted or all(have.get(name) == kind for name, kind in wanted.items())
    if upstream.HasField("structured_dataset_type"):
        dataset = upstream.structured_dataset_type
        if dataset.format and dataset.format.lower() != "parquet":
            return False
        have_simple = {column.name: column.literal_type for column in dataset.columns}
        return (
            not have_simple
            or not wanted
            or all(
                name in have_simple and _schema_column_matches(kind, have_simple[name]) for name, kind in wanted.items()
            )
        )
    return False


def _structured_dataset_casts(downstream: types_pb2.StructuredDatasetType, upstream: types_pb2.LiteralType) -> bool:
    if _is_none(upstream):
        return True
    wanted = {column.name: column.literal_type for column in downstream.columns}
    if upstream.HasField("schema"):
        if downstream.format and downstream.format.lower() != "parquet":
            return False
        have = {column.name: column.type for column in upstream.schema.columns}
        return (
            not have
            or not wanted
            or all(name in have and _schema_column_matches(have[name], lt) for name, lt in wanted.items())
        )
    if not upstream.HasField("structured_dataset_type"):
        return False
    dataset = upstream.structured_dataset_type
    if dataset.format and downstream.format and dataset.format.lower() != downstream.format.lower():
        return False
    have_types = {column.name: column.literal_type for column in dataset.columns}
    return (
        not have_types
        or not wanted
        or all(name in have_types and _casts_from(lt, have_types[name]) for name, lt in wanted.items())
    )


_SCHEMA_COLUMN_SIMPLE = {
    types_pb2.SchemaType.SchemaColumn.INTEGER: types_pb2.SimpleType.INTEGER,
    types_pb2.SchemaType.SchemaColumn.FLOAT: types_pb2.SimpleType.FLOAT,
    types_pb2.SchemaType.SchemaColumn.STRING: types_pb2.SimpleType.STRING,
    types_pb2.SchemaType.SchemaColumn.BOOLEAN: types_pb2.SimpleType.BOOLEAN,
    types_pb2.SchemaType.SchemaColumn.DATETIME: types_pb2.SimpleType.DATETIME,
    types_pb2.SchemaType.SchemaColumn.DURATION: types_pb2.SimpleType.DURATION,
}


def _schema_column_matches(column_type: int, literal_type: types_pb2.LiteralType) -> bool:
    return _SCHEMA_COLUMN_SIMPLE.get(column_type) == _simple(literal_type)


def _simple(literal_type: types_pb2.LiteralType) -> int | None:
    return literal_type.simple if literal_type.WhichOneof("type") == "simple" else None


def _differ_simply(left: types_pb2.LiteralType, right: types_pb2.LiteralType) -> bool:
    """Both are simple types other than none, and not the same one."""
    kinds = {_simple(left), _simple(right)}
    return len(kinds) == 2 and None not in kinds and _NONE not in kinds


def _is_none(literal_type: types_pb2.LiteralType) -> bool:
    return _simple(literal_type) == _NONE


def _is_optional(literal_type: types_pb2.LiteralType) -> bool:
    return literal_type.HasField("union_type") and any(_is_none(v) for v in literal_type.union_type.variants)


def _primitive_type(primitive: literals_pb2.Primitive) -> types_pb2.LiteralType:
    simple = {
        "integer": types_pb2.SimpleType.INTEGER,
        "float_value": types_pb2.SimpleType.FLOAT,
        "string_value": types_pb2.SimpleType.STRING,
        "boolean": types_pb2.SimpleType.BOOLEAN,
        "datetime": types_pb2.SimpleType.DATETIME,
        "duration": types_pb2.SimpleType.DURATION,
    }.get(primitive.WhichOneof("value") or "", _NONE)
    return types_pb2.LiteralType(simple=simple)


def _scalar_type(scalar: literals_pb2.Scalar) -> types_pb2.LiteralType | None:
    """The type of a constant, as propeller infers it (``literalTypeForScalar``)."""
    kind = scalar.WhichOneof("value")
    if kind == "primitive":
        return _primitive_type(scalar.primitive)
    if kind == "blob":
        return types_pb2.LiteralType(blob=scalar.blob.metadata.type) if scalar.blob.HasField("metadata") else None
    if kind == "binary":
        return types_pb2.LiteralType(simple=types_pb2.SimpleType.BINARY)
    if kind == "schema":
        return types_pb2.LiteralType(schema=scalar.schema.type)
    if kind == "structured_dataset":
        return types_pb2.LiteralType(structured_dataset_type=scalar.structured_dataset.metadata.structured_dataset_type)
    if kind == "none_type":
        return types_pb2.LiteralType(simple=_NONE)
    if kind == "error":
        return types_pb2.LiteralType(simple=types_pb2.SimpleType.ERROR)
    if kind == "generic":
        return types_pb2.LiteralType(simple=_STRUCT)
    if kind == "union":
        return types_pb2.LiteralType(union_type=types_pb2.UnionType(variants=[scalar.union.type]))
    return None


def _type_name(literal_type: types_pb2.LiteralType) -> str:
    """A short, readable name of a type for error messages (``list[integer]``, ``union[string | none]``)."""
    kind = literal_type.WhichOneof("type")
    if kind == "simple":
        return types_pb2.SimpleType.Name(literal_type.simple).lower()
    if kind == "collection_type":
        return f"list[{_type_name(literal_type.collection_type)}]"
    if kind == "map_value_type":
        return f"dict[string, {_type_name(literal_type.map_value_type)}]"
    if kind == "union_type":
        return f"union[{' | '.join(_type_name(v) for v in literal_type.union_type.variants)}]"
    if kind == "enum_type":
        return f"enum[{', '.join(literal_type.enum_type.values)}]"
    if kind == "blob":
        dimensionality = "multipart" if literal_type.blob.dimensionality else "single"
        return f"blob({literal_type.blob.format or 'any format'}, {dimensionality})"
    if kind == "structured_dataset_type":
        return f"structured dataset({literal_type.structured_dataset_type.format or 'any format'})"
    if kind == "schema":
        return "schema"
    return "untyped"

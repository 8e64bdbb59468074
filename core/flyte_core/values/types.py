"""flytekit's type models (``flytekit.models.types``, ``flytekit.models.core.types``): ``LiteralType`` and what it
is made of, as custom type transformers build them (``LiteralType(simple=SimpleType.INTEGER)``)."""

from __future__ import annotations

from typing import Any

from flyte_core.values.messages import Field, Message

__all__ = [
    "BlobType",
    "EnumType",
    "Error",
    "LiteralType",
    "OutputReference",
    "SchemaType",
    "SimpleType",
    "StructuredDatasetType",
    "TypeAnnotation",
    "TypeStructure",
    "UnionType",
]

_TYPES = "flyteidl.core.types_pb2"


class SimpleType:
    """``flyteidl.core.SimpleType`` values."""

    NONE = 0
    INTEGER = 1
    FLOAT = 2
    STRING = 3
    BOOLEAN = 4
    DATETIME = 5
    DURATION = 6
    BINARY = 7
    ERROR = 8
    STRUCT = 9


def _struct_to_idl(target: Any, value: dict[str, Any]) -> None:
    target.update(value)


def _struct_from_idl(struct: Any) -> dict[str, Any]:
    from google.protobuf import json_format

    return dict(json_format.MessageToDict(struct))


class BlobType(Message):
    """A file (``SINGLE``) or directory (``MULTIPART``) of a format."""

    class BlobDimensionality:
        SINGLE = 0
        MULTIPART = 1

    _PB = f"{_TYPES}:BlobType"
    _FIELDS = (Field("format"), Field("dimensionality"))


class EnumType(Message):
    """An enum: its values, in order."""

    _PB = f"{_TYPES}:EnumType"
    _FIELDS = (Field("values", shape="list"),)


class SchemaColumn(Message):
    """A column of a (deprecated) schema."""

    class SchemaColumnType:
        INTEGER = 0
        FLOAT = 1
        STRING = 2
        BOOLEAN = 3
        DATETIME = 4
        DURATION = 5

    _PB = f"{_TYPES}:SchemaType.SchemaColumn"
    _FIELDS = (Field("name"), Field("type"))


class SchemaType(Message):
    """The columns of a (deprecated) ``FlyteSchema``."""

    SchemaColumn = SchemaColumn
    _PB = f"{_TYPES}:SchemaType"
    _FIELDS = (Field("columns", "SchemaColumn", "list"),)


class DatasetColumn(Message):
    """A column of a structured dataset: its name and literal type."""

    _PB = f"{_TYPES}:StructuredDatasetType.DatasetColumn"
    _FIELDS = (Field("name"), Field("literal_type", "LiteralType"))


class StructuredDatasetType(Message):
    """A structured dataset's columns and storage format."""

    DatasetColumn = DatasetColumn
    _PB = f"{_TYPES}:StructuredDatasetType"
    _FIELDS = (
        Field("columns", "DatasetColumn", "list"),
        Field("format"),
        Field("external_schema_type"),
        Field("external_schema_bytes"),
    )


class UnionType(Message):
    """The variants of a union."""

    _PB = f"{_TYPES}:UnionType"
    _FIELDS = (Field("variants", "LiteralType", "list"),)


class TypeStructure(Message):
    """The tag of a union variant, and the literal types of a dataclass's fields."""

    _PB = f"{_TYPES}:TypeStructure"
    _FIELDS = (Field("tag"), Field("dataclass_type", "LiteralType", "map"))


class TypeAnnotation(Message):
    """Annotations attached to a literal type (a dict)."""

    _PB = f"{_TYPES}:TypeAnnotation"
    _FIELDS = (Field("annotations", to_idl=_struct_to_idl, from_idl=_struct_from_idl),)


class LiteralType(Message):
    """The type of a literal: exactly one of its kinds is set."""

    _PB = f"{_TYPES}:LiteralType"
    _FIELDS = (
        Field("simple"),
        Field("schema", "SchemaType"),
        Field("collection_type", "LiteralType"),
        Field("map_value_type", "LiteralType"),
        Field("blob", "BlobType"),
        Field("enum_type", "EnumType"),
        Field("structured_dataset_type", "StructuredDatasetType"),
        Field("union_type", "UnionType"),
        Field("metadata", to_idl=_struct_to_idl, from_idl=_struct_from_idl),
        Field("structure", "TypeStructure"),
        Field("annotation", "TypeAnnotation"),
    )


class OutputReference(Message):
    """A reference to a node's output variable (and an attribute path into it)."""

    _PB = f"{_TYPES}:OutputReference"
    _FIELDS = (Field("node_id"), Field("var"), Field("attr_path", shape="list"))


class Error(Message):
    """A failed node's error, as a literal."""

    _PB = f"{_TYPES}:Error"
    _FIELDS = (Field("failed_node_id"), Field("message"))

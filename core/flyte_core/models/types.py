"""flytekit's ``flytekit.models.types`` path: these classes live in :mod:`flyte_core.values.types`."""

from flyte_core.values.types import (
    Error,
    LiteralType,
    OutputReference,
    SchemaType,
    SimpleType,
    StructuredDatasetType,
    TypeStructure,
    UnionType,
)

__all__ = [
    "Error",
    "LiteralType",
    "OutputReference",
    "SchemaType",
    "SimpleType",
    "StructuredDatasetType",
    "TypeStructure",
    "UnionType",
]

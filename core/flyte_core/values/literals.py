"""flytekit's literal models (``flytekit.models.literals``): ``Literal``, ``Scalar``, ``Primitive``... as custom
type transformers build them (``Literal(scalar=Scalar(primitive=Primitive(integer=1)))``).

The type engine takes these wherever it takes a flyteidl ``Literal`` (a transformer may return either).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from flyte_core.values import types as _types  # noqa: F401 - registers the type models literals nest
from flyte_core.values.messages import Field, Message

__all__ = [
    "Binary",
    "Binding",
    "BindingData",
    "BindingDataCollection",
    "BindingDataMap",
    "Blob",
    "BlobMetadata",
    "Literal",
    "LiteralCollection",
    "LiteralMap",
    "LiteralOffloadedMetadata",
    "Primitive",
    "RetryStrategy",
    "Scalar",
    "Schema",
    "StructuredDataset",
    "StructuredDatasetMetadata",
    "Union",
    "Void",
]

_LITERALS = "flyteidl.core.literals_pb2"


def _datetime_to_idl(target: Any, value: _dt.datetime) -> None:
    if value.tzinfo is not None:
        value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    target.FromDatetime(value)


def _duration_to_idl(target: Any, value: _dt.timedelta) -> None:
    target.FromTimedelta(value)


class RetryStrategy(Message):
    """How many times a task is retried."""

    _PB = f"{_LITERALS}:RetryStrategy"
    _FIELDS = (Field("retries"),)


class Primitive(Message):
    """One primitive value: exactly one of integer, float_value, string_value, boolean, datetime, duration."""

    _PB = f"{_LITERALS}:Primitive"
    _FIELDS = (
        Field("integer"),
        Field("float_value"),
        Field("string_value"),
        Field("boolean"),
        Field(
            "datetime",
            to_idl=_datetime_to_idl,
            from_idl=lambda ts: ts.ToDatetime().replace(tzinfo=_dt.timezone.utc),
        ),
        Field("duration", to_idl=_duration_to_idl, from_idl=lambda d: d.ToTimedelta()),
    )

    @property
    def datetime(self) -> _dt.datetime | None:
        """The datetime, in UTC when it was given without a time zone (as flytekit reads it)."""
        value: _dt.datetime | None = self._datetime  # type: ignore[attr-defined]
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=_dt.timezone.utc)

    @property
    def value(self) -> Any:
        """Whichever value is set."""
        for value in (self.integer, self.float_value, self.string_value, self.boolean, self.datetime, self.duration):  # type: ignore[attr-defined]
            if value is not None:
                return value
        return None


class Binary(Message):
    """Bytes with a tag saying how they are encoded (``msgpack``)."""

    _PB = f"{_LITERALS}:Binary"
    _FIELDS = (Field("value"), Field("tag"))


class BlobMetadata(Message):
    """The blob's type (format and dimensionality)."""

    _PB = f"{_LITERALS}:BlobMetadata"
    _FIELDS = (Field("type", "BlobType"),)


class Blob(Message):
    """A file or directory by URI."""

    _PB = f"{_LITERALS}:Blob"
    _FIELDS = (Field("metadata", "BlobMetadata"), Field("uri"))


class Void(Message):
    """No value (``None``)."""

    _PB = f"{_LITERALS}:Void"
    _FIELDS = ()


class Schema(Message):
    """A (deprecated) ``FlyteSchema`` by URI."""

    _PB = f"{_LITERALS}:Schema"
    _FIELDS = (Field("uri"), Field("type", "SchemaType"))


class Union(Message):
    """A union's value and the variant type it was stored as."""

    _PB = f"{_LITERALS}:Union"
    _FIELDS = (Field("value", "Literal"), Field("stored_type", "LiteralType", pb_name="type"))


class StructuredDatasetMetadata(Message):
    """The columns and format a structured dataset was written with."""

    _PB = f"{_LITERALS}:StructuredDatasetMetadata"
    _FIELDS = (Field("structured_dataset_type", "StructuredDatasetType"),)


class StructuredDataset(Message):
    """A dataframe by URI, with its metadata."""

    _PB = f"{_LITERALS}:StructuredDataset"
    _FIELDS = (Field("uri"), Field("metadata", "StructuredDatasetMetadata"))


class LiteralCollection(Message):
    """A list of literals."""

    _PB = f"{_LITERALS}:LiteralCollection"
    _FIELDS = (Field("literals", "Literal", "list"),)


class LiteralMap(Message):
    """Literals by name (a task's inputs or outputs, a dict)."""

    _PB = f"{_LITERALS}:LiteralMap"
    _FIELDS = (Field("literals", "Literal", "map"),)


class Scalar(Message):
    """One scalar value: exactly one of its kinds is set."""

    _PB = f"{_LITERALS}:Scalar"
    _FIELDS = (
        Field("primitive", "Primitive"),
        Field("blob", "Blob"),
        Field("binary", "Binary"),
        Field("schema", "Schema"),
        Field("union", "Union"),
        Field("none_type", "Void"),
        Field("error", "Error"),
        Field("generic"),
        Field("structured_dataset", "StructuredDataset"),
    )

    @property
    def value(self) -> Any:
        """Whichever kind is set."""
        for field in self._FIELDS:
            value = getattr(self, f"_{field.name}")
            if value is not None:
                return value
        return None


class LiteralOffloadedMetadata(Message):
    """Where an offloaded literal is stored, its size and its type."""

    _PB = f"{_LITERALS}:LiteralOffloadedMetadata"
    _FIELDS = (Field("uri"), Field("size_bytes"), Field("inferred_type", "LiteralType"))


class Literal(Message):
    """A value: a scalar, a collection or a map (plus its cache hash and metadata)."""

    _PB = f"{_LITERALS}:Literal"
    _FIELDS = (
        Field("scalar", "Scalar"),
        Field("collection", "LiteralCollection"),
        Field("map", "LiteralMap"),
        Field("hash"),
        Field("metadata", shape="map"),
        Field("offloaded_metadata", "LiteralOffloadedMetadata"),
    )

    @property
    def value(self) -> Any:
        """Whichever of scalar, collection and map is set."""
        return self._scalar or self._collection or self._map  # type: ignore[attr-defined]

    @property
    def hash(self) -> str | None:
        return self._hash  # type: ignore[attr-defined,no-any-return]

    @hash.setter
    def hash(self, value: str | None) -> None:
        self._hash = value

    @classmethod
    def from_flyte_idl(cls, pb2_object: Any) -> Any:
        found = super().from_flyte_idl(pb2_object)
        found._hash = found._hash or None  # proto3 strings read as "" when unset; flytekit gives None
        found._metadata = found._metadata or None
        return found


class BindingDataMap(Message):
    """Bindings by name."""

    _PB = f"{_LITERALS}:BindingDataMap"
    _FIELDS = (Field("bindings", "BindingData", "map"),)


class BindingDataCollection(Message):
    """A list of bindings."""

    _PB = f"{_LITERALS}:BindingDataCollection"
    _FIELDS = (Field("bindings", "BindingData", "list"),)


class BindingData(Message):
    """Where an input's value comes from: a scalar, a collection, another node's output, or a map."""

    _PB = f"{_LITERALS}:BindingData"
    _FIELDS = (
        Field("scalar", "Scalar"),
        Field("collection", "BindingDataCollection"),
        Field("promise", "OutputReference"),
        Field("map", "BindingDataMap"),
    )

    @property
    def value(self) -> Any:
        return self._scalar or self._collection or self._promise or self._map  # type: ignore[attr-defined]


class Binding(Message):
    """An input variable and where its value comes from."""

    _PB = f"{_LITERALS}:Binding"
    _FIELDS = (Field("var"), Field("binding", "BindingData"))

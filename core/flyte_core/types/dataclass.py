"""The dataclass transformer: any ``@dataclass`` <-> a msgpack ``Binary`` literal, as flytekit 1.16 writes it.

Literal type: simple ``STRUCT`` with

* ``metadata``: the JSON schema mashumaro's ``build_json_schema(cls).to_dict()`` gives (draft 2020-12,
  same keys in the same order), which the console and ``pyflyte run`` use and from which
  :meth:`DataclassTransformer.guess_python_type` rebuilds a dataclass;
* ``structure.dataclass_type``: each field's literal type, which lets propeller (and the type checker
  of ``wf_output.field`` bindings) resolve attribute access;
* annotation ``cache-key-metadata: {serialization-format: msgpack}``.

Value: ``Binary(value=<msgpack of the fields>, tag="msgpack")`` (see :mod:`flyte_core.types.msgpack_values`
for the encoding); ``FLYTE_USE_OLD_DC_FORMAT=true`` writes the legacy JSON ``Struct`` instead. Both forms
are read back, the ``Struct`` one also as the console sends it.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import inspect
import json
import logging
import os
import threading
import typing
import uuid
from functools import reduce
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.types.msgpack_values import (
    JSON,
    decode_msgpack,
    encode_msgpack,
    field_types,
    from_builtin,
    is_union,
    short_type_name,
    strip_type,
    to_builtin,
)
from flyte_core.types.type_engine import (
    CACHE_KEY_METADATA,
    MESSAGEPACK,
    SERIALIZATION_FORMAT,
    TypeEngine,
    TypeTransformer,
    TypeTransformerFailedError,
    value_repr,
)

if typing.TYPE_CHECKING:
    from flyte_core.context import FlyteContext

__all__ = ["DataclassTransformer", "dataclass_from_json_schema", "dataclass_json_schema"]

Literal = literals_pb2.Literal
LiteralType = types_pb2.LiteralType
FLYTE_USE_OLD_DC_FORMAT = "FLYTE_USE_OLD_DC_FORMAT"
_NoneType = type(None)
_logger = logging.getLogger("flyte_core")


# Read on every conversion, as flytekit does (tests toggle it); ``os.environ.get`` costs more than the
# encoding of a small dataclass, so look the raw mapping up with the pre-encoded key.
_ENVIRON_DATA: Any = getattr(os.environ, "_data", None)
_ENVIRON_KEY: Any = os.environ.encodekey(FLYTE_USE_OLD_DC_FORMAT) if _ENVIRON_DATA is not None else None  # type: ignore[attr-defined]
_TRUE = ("true", "1", "yes", "y", "t", "on")


def use_old_dc_format() -> bool:
    """``FLYTE_USE_OLD_DC_FORMAT`` is set to a true value: write dataclasses and dicts as JSON ``Struct``s."""
    if _ENVIRON_DATA is not None:
        raw = _ENVIRON_DATA.get(_ENVIRON_KEY)
        if raw is None:
            return False
        value = os.environ.decodevalue(raw)  # type: ignore[attr-defined]
    else:
        value = os.environ.get(FLYTE_USE_OLD_DC_FORMAT)
        if value is None:
            return False
    return str(value).strip().lower() in _TRUE


def msgpack_annotation() -> types_pb2.TypeAnnotation:
    """``cache-key-metadata: {serialization-format: msgpack}``, the annotation of msgpack-encoded STRUCTs."""
    annotation = types_pb2.TypeAnnotation()
    annotation.annotations.update({CACHE_KEY_METADATA: {SERIALIZATION_FORMAT: MESSAGEPACK}})
    return annotation


def msgpack_literal(payload: bytes) -> Literal:
    """``Literal(scalar=Scalar(binary=Binary(value=payload, tag="msgpack")))``."""
    lit = Literal()
    binary = lit.scalar.binary
    binary.value = payload
    binary.tag = MESSAGEPACK
    return lit


def json_struct_literal(data: Any) -> Literal:
    """A ``Scalar.generic`` literal of JSON-able ``data`` (numbers become doubles, as in any ``Struct``)."""
    from google.protobuf import json_format

    lit = Literal()
    json_format.Parse(json.dumps(data), lit.scalar.generic)
    return lit


class DataclassTransformer(TypeTransformer[object]):
    """Any ``@dataclass`` <-> msgpack ``Binary`` (or the legacy JSON ``Struct``); see the module docstring."""

    def __init__(self) -> None:
        super().__init__("Object-Dataclass-Transformer", object)
        self._literal_types: dict[Any, LiteralType] = {}
        self._checked_types: set[Any] = set()  # dataclasses already accepted by to_python_value
        self._lock = threading.Lock()

    # ----------------------------------------------------------------------------------------------
    # Types
    # ----------------------------------------------------------------------------------------------

    def assert_type(self, expected_type: Any, v: Any) -> None:
        """Accept an instance of the declared dataclass, a structurally equal dataclass, or a dict of its fields."""
        if v.__class__ is expected_type:
            return
        expected_type = strip_type(expected_type)
        if type(v) is expected_type or isinstance(v, expected_type):
            return
        if not dataclasses.is_dataclass(expected_type):
            raise TypeTransformerFailedError(f"{short_type_name(expected_type)} is not a dataclass")
        expected = field_types(expected_type)
        name = expected_type.__name__
        if isinstance(v, dict):
            optional = {k for k, t in expected.items() if _is_optional(t)}
            missing = (set(expected) - optional) - (set(v) - optional)
            if missing:
                raise TypeTransformerFailedError(
                    f"dataclass {name}: the dict is missing the field(s) {sorted(missing)} (it has {sorted(v)})"
                )
            extra = (set(v) - optional) - (set(expected) - optional)
            if extra:
                raise TypeTransformerFailedError(
                    f"dataclass {name}: the dict has keys {sorted(extra)} that are not fields of {name}"
                    f" (fields: {list(expected)})"
                )
            for key, item in v.items():
                if key not in expected:
                    continue
                declared = _optional_inner(expected[key])
                if isinstance(item, dict):
                    if dataclasses.is_dataclass(declared):
                        self.assert_type(declared, item)
                elif type(item) is not declared:
                    raise TypeTransformerFailedError(
                        f"dataclass {name} field '{key}': expected {short_type_name(declared)}, got {value_repr(item)}"
                    )
            return
        if not dataclasses.is_dataclass(v):
            raise TypeTransformerFailedError(
                f"dataclass {name}: expected a {name} instance (or a dict of its fields), got {value_repr(v)}"
            )
        found = field_types(type(v))
        for field_name, found_type in found.items():
            if field_name not in expected:
                raise TypeTransformerFailedError(
                    f"dataclass {name}: got a {type(v).__name__}, whose field '{field_name}' is not a field of {name}"
                    f" (fields: {list(expected)})"
                )
            declared = _optional_inner(expected[field_name])
            item = getattr(v, field_name)
            if dataclasses.is_dataclass(item):
                self.assert_type(declared, item)
            elif _optional_inner(found_type) != declared:
                raise TypeTransformerFailedError(
                    f"dataclass {name}: got a {type(v).__name__}, whose field '{field_name}' is a"
                    f" {short_type_name(found_type)}, not a {short_type_name(declared)}"
                )

    def get_literal_type(self, t: Any) -> LiteralType:
        """STRUCT + JSON schema + per-field literal types + msgpack annotation (computed once per dataclass)."""
        t = _drop_annotations(t)
        try:
            cached = self._literal_types.get(t)
        except TypeError:
            cached = None
        if cached is None:
            building = _building_literal_types()
            if t in building:  # a recursive dataclass: the field referring back is left out of dataclass_type
                raise ValueError(f"dataclass {t.__name__} refers to itself")
            building.add(t)
            try:
                cached = self._build_literal_type(t)
            finally:
                building.discard(t)
            with self._lock:
                self._literal_types[t] = cached
        copy = LiteralType()
        copy.CopyFrom(cached)
        return copy

    def _build_literal_type(self, t: Any) -> LiteralType:
        lt = LiteralType(simple=types_pb2.STRUCT)
        try:
            schema = dataclass_json_schema(t)
        except Exception as exc:
            _logger.error(f"Failed to extract schema for object {t}, error: {exc}")
            schema = None
        if schema is not None:
            from google.protobuf import json_format

            json_format.Parse(json.dumps(schema), lt.metadata)
            _KNOWN_SCHEMAS[lt.metadata.SerializeToString(deterministic=True)] = schema
        structure = lt.structure
        structure.tag = ""
        for name, python_type in field_types(t).items():
            try:
                structure.dataclass_type[name].CopyFrom(TypeEngine.to_literal_type(python_type))
            except Exception as exc:
                structure.dataclass_type.pop(name, None)
                _logger.debug(f"Field {name} of type {python_type} cannot be converted to a literal type. Error: {exc}")
        lt.annotation.CopyFrom(msgpack_annotation())
        return lt

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        """A dataclass built from the JSON schema in ``metadata`` (the same class for equal schemas)."""
        if (
            literal_type.WhichOneof("type") == "simple"
            and literal_type.simple == types_pb2.STRUCT
            and literal_type.HasField("metadata")
        ):
            from google.protobuf import json_format

            # A Struct does not keep key order: use the schema built here, in field order, when there is one.
            schema = _KNOWN_SCHEMAS.get(literal_type.metadata.SerializeToString(deterministic=True))
            if schema is None:
                schema = json_format.MessageToDict(literal_type.metadata)
            if "title" in schema:
                return dataclass_from_json_schema(schema)
        raise ValueError(f"Dataclass transformer cannot reverse {literal_type}")

    # ----------------------------------------------------------------------------------------------
    # Values
    # ----------------------------------------------------------------------------------------------

    def to_literal(self, ctx: FlyteContext, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        if use_old_dc_format():
            return self.to_generic_literal(ctx, python_val, python_type, expected)
        if python_val.__class__ is python_type:  # the common case, checked first: lists of dataclasses
            return msgpack_literal(encode_msgpack(python_val, python_type))
        if isinstance(python_val, dict):
            return msgpack_literal(encode_msgpack(python_val, dict))
        if not dataclasses.is_dataclass(python_val):
            raise TypeTransformerFailedError(
                f"{type(python_val)} is not of type @dataclass, only Dataclasses are supported for "
                "user defined datatypes in Flytekit"
            )
        return msgpack_literal(encode_msgpack(python_val, _drop_annotations(python_type)))

    def to_generic_literal(
        self, ctx: FlyteContext, python_val: Any, python_type: Any, expected: LiteralType
    ) -> Literal:
        """The legacy form (``FLYTE_USE_OLD_DC_FORMAT=true``): the dataclass as a JSON ``Struct``."""
        if isinstance(python_val, dict):
            return json_struct_literal(python_val)
        if not dataclasses.is_dataclass(python_val):
            raise TypeTransformerFailedError(
                f"{type(python_val)} is not of type @dataclass, only Dataclasses are supported for "
                "user defined datatypes in Flytekit"
            )
        return json_struct_literal(to_builtin(python_val, _drop_annotations(python_type), JSON))

    def from_binary_idl(self, binary_idl_object: literals_pb2.Binary, expected_python_type: Any) -> Any:
        if binary_idl_object.tag != MESSAGEPACK:
            raise TypeTransformerFailedError(f"Unsupported binary format: `{binary_idl_object.tag}`")
        return decode_msgpack(binary_idl_object.value, expected_python_type)

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> Any:
        try:
            checked = expected_python_type in self._checked_types
        except TypeError:  # unhashable Annotated[...]
            checked = False
        if not checked:
            expected_python_type = _drop_annotations(expected_python_type)
            if not dataclasses.is_dataclass(expected_python_type):
                raise TypeTransformerFailedError(
                    f"{expected_python_type} is not of type @dataclass, only Dataclasses are supported for "
                    "user defined datatypes in Flytekit"
                )
            self._checked_types.add(expected_python_type)
        scalar = lv.scalar
        binary = scalar.binary
        payload = binary.value
        if payload and binary.tag == MESSAGEPACK:  # the common case first: a msgpack binary
            return decode_msgpack(payload, expected_python_type)
        kind = scalar.WhichOneof("value")
        if kind == "binary":
            binary = scalar.binary
            if binary.tag != MESSAGEPACK:
                raise TypeTransformerFailedError(f"Unsupported binary format: `{binary.tag}`")
            return decode_msgpack(binary.value, expected_python_type)
        if kind == "generic":
            from google.protobuf import json_format

            return from_builtin(json_format.MessageToDict(scalar.generic), expected_python_type, JSON)
        found = lv.WhichOneof("value") if kind is None else f"scalar {kind}"
        raise TypeTransformerFailedError(
            f"dataclass {expected_python_type.__name__}: expected a msgpack binary or a struct literal, got a {found}"
        )

    def to_html(self, ctx: FlyteContext, python_val: Any, expected_python_type: Any) -> str:
        return repr(python_val)


_building = threading.local()


def _building_literal_types() -> set[Any]:
    try:
        return typing.cast(set[Any], _building.types)
    except AttributeError:
        _building.types = set()
        return typing.cast(set[Any], _building.types)


def _drop_annotations(t: Any) -> Any:
    if isinstance(t, type):
        return t
    if typing.get_origin(t) is typing.Annotated:
        args = typing.get_args(t)
        for extra in args[1:]:
            if type(extra).__name__ == "FlyteAnnotation":
                raise ValueError(
                    "Flytekit does not currently have support for FlyteAnnotations applied to Dataclass."
                    f"Type {t} cannot be parsed."
                )
        return args[0]
    return t


def _is_optional(t: Any) -> bool:
    return is_union(t) and _NoneType in typing.get_args(t)


def _optional_inner(t: Any) -> Any:
    return typing.get_args(t)[0] if _is_optional(t) else t


# --------------------------------------------------------------------------------------------------
# JSON schema, as mashumaro's build_json_schema(cls).to_dict() writes it (draft 2020-12)
# --------------------------------------------------------------------------------------------------

# mashumaro's JSONSchema fields, in declaration order: to_dict() writes keys in this order.
_KEY_ORDER = (
    "$schema",
    "type",
    "enum",
    "const",
    "format",
    "title",
    "description",
    "anyOf",
    "$ref",
    "$defs",
    "default",
    "deprecated",
    "examples",
    "properties",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "prefixItems",
    "items",
    "contains",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxContains",
    "minContains",
    "maxProperties",
    "minProperties",
    "required",
    "dependentRequired",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
)
_RANK = {key: i for i, key in enumerate(_KEY_ORDER)}
_DEFS = "#/$defs"


class _SchemaContext:
    def __init__(self) -> None:
        self.definitions: dict[str, dict[str, Any] | None] = {}
        self.building: set[type] = set()


def dataclass_json_schema(cls: type) -> dict[str, Any]:
    """The JSON schema of a dataclass, key for key (and in the same order) as mashumaro builds it."""
    ctx = _SchemaContext()
    schema = _schema(cls, ctx)
    if ctx.definitions:
        schema["$defs"] = {name: _ordered(d or {}) for name, d in ctx.definitions.items()}
    return _ordered(schema)


def _ordered(schema: dict[str, Any]) -> dict[str, Any]:
    return dict(sorted(schema.items(), key=lambda kv: _RANK.get(kv[0], len(_RANK))))


def _schema(t: Any, ctx: _SchemaContext) -> dict[str, Any]:
    """The schema of one type; ``{}`` stands for mashumaro's empty schema (``Any``)."""
    t = strip_type(t)
    if inspect.isclass(t) and hasattr(t, "_json_schema") and callable(t._json_schema):
        return dict(t._json_schema())
    if inspect.isclass(t) and dataclasses.is_dataclass(t):
        return _dataclass_schema(t, ctx)
    if t is Any or (isinstance(t, typing.TypeVar) and not t.__constraints__ and t.__bound__ is None):
        return {}
    if isinstance(t, typing.TypeVar):
        if t.__constraints__:
            return {"anyOf": [_ordered(_schema(a, ctx)) for a in t.__constraints__]}
        return _schema(t.__bound__, ctx)
    if is_union(t):
        return {"anyOf": [_ordered(_schema(a, ctx)) for a in typing.get_args(t)]}
    origin = typing.get_origin(t)
    args = typing.get_args(t)
    if origin is typing.Literal:
        values = [v.value if isinstance(v, enum.Enum) else v for v in args]
        return {"const": values[0]} if len(values) == 1 else {"enum": values}
    if t is int:
        return {"type": "integer"}
    if t is float:
        return {"type": "number"}
    if t is bool:
        return {"type": "boolean"}
    if t is None or t is _NoneType:
        return {"type": "null"}
    if t is datetime.datetime:
        return {"type": "string", "format": "date-time"}
    if t is datetime.date:
        return {"type": "string", "format": "date"}
    if t is datetime.time:
        return {"type": "string", "format": "time"}
    if t is datetime.timedelta:
        return {"type": "number", "format": "time-delta"}
    if t is uuid.UUID:
        return {"type": "string", "format": "uuid"}
    if t is decimal.Decimal:
        return {"type": "string", "format": "decimal"}
    base = origin if origin is not None else t
    if inspect.isclass(base) and issubclass(base, enum.Enum):
        return {"enum": [m.value for m in base]}
    if inspect.isclass(base) and issubclass(base, (bytes, bytearray, memoryview)):
        return {"type": "string", "format": "base64"}
    if inspect.isclass(base) and issubclass(base, str):
        return {"type": "string"}
    if inspect.isclass(base) and issubclass(base, tuple):
        return _tuple_schema(args, ctx)
    if _is_mapping(base):
        schema: dict[str, Any] = {"type": "object"}
        if args:
            value = _schema(args[1], ctx)
            key = _schema(args[0], ctx)
            if value:
                schema["additionalProperties"] = _ordered(value)
            if key:
                schema["propertyNames"] = _ordered(key)
        return schema
    if inspect.isclass(base) and _is_array_origin(base):
        return _array_schema(base, args, ctx)
    if inspect.isclass(base) and issubclass(base, os.PathLike):
        return {"type": "string", "format": "path"}
    raise NotImplementedError(f"Type {short_type_name(t)} isn't supported by the JSON schema")


def _is_mapping(base: Any) -> bool:
    import collections.abc

    return inspect.isclass(base) and issubclass(base, collections.abc.Mapping)


def _is_array_origin(base: type) -> bool:
    import collections.abc

    return issubclass(base, (collections.abc.Sequence, collections.abc.Set)) and not issubclass(base, (str, bytes))


def _array_schema(base: Any, args: tuple[Any, ...], ctx: _SchemaContext) -> dict[str, Any]:
    import collections.abc

    schema: dict[str, Any] = {"type": "array"}
    if args:
        items = _schema(args[0], ctx)
        if items:
            schema["items"] = _ordered(items)
    if inspect.isclass(base) and issubclass(base, (set, frozenset, collections.abc.Set)):
        schema["uniqueItems"] = True
    return schema


def _tuple_schema(args: tuple[Any, ...], ctx: _SchemaContext) -> dict[str, Any]:
    if not args:
        return {"type": "array"}
    if len(args) == 2 and args[1] is Ellipsis:
        items = _schema(args[0], ctx)
        return {"type": "array", "items": _ordered(items)} if items else {"type": "array"}
    if args == ((),):
        return {"type": "array", "maxItems": 0}
    return {
        "type": "array",
        "prefixItems": [_ordered(_schema(a, ctx)) for a in args],
        "maxItems": len(args),
        "minItems": len(args),
    }


def _dataclass_schema(cls: type, ctx: _SchemaContext) -> dict[str, Any]:
    name = cls.__name__
    if cls in ctx.building:
        ctx.definitions.setdefault(name, None)
        return {"$ref": f"{_DEFS}/{name}"}
    ctx.building.add(cls)
    try:
        schema: dict[str, Any] = {"type": "object", "title": name, "additionalProperties": False}
        properties: dict[str, Any] = {}
        required: list[str] = []
        hints = field_types(cls)
        for f in dataclasses.fields(cls):
            if not f.init:
                continue
            field_schema = _schema(hints[f.name], ctx)
            if f.default is not dataclasses.MISSING and not inspect.isdatadescriptor(f.default):
                field_schema["default"] = to_builtin(f.default, hints[f.name], JSON)
            description = f.metadata.get("description") if f.metadata else None
            if description:
                field_schema["description"] = description
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                required.append(f.name)
            properties[f.name] = _ordered(field_schema)
        if properties:
            schema["properties"] = properties
        if required:
            schema["required"] = required
        if name in ctx.definitions and ctx.definitions[name] is None:
            ctx.definitions[name] = _ordered(schema)
            return {"$ref": f"{_DEFS}/{name}"}
        return schema
    finally:
        ctx.building.discard(cls)


# --------------------------------------------------------------------------------------------------
# guess_python_type: a dataclass from a JSON schema (for literals fetched without their code)
# --------------------------------------------------------------------------------------------------

_GUESSED: dict[str, type] = {}
_KNOWN_SCHEMAS: dict[bytes, dict[str, Any]] = {}  # serialized metadata Struct -> the schema, keys in order
_GUESS_LOCK = threading.RLock()


def dataclass_from_json_schema(schema: dict[str, Any], name: str | None = None) -> type:
    """A dataclass whose fields follow a (mashumaro or pydantic) JSON schema; equal schemas give the same class."""
    name = name or schema.get("title") or "GuessedDataclass"
    key = json.dumps([name, schema], sort_keys=True, default=str)
    with _GUESS_LOCK:
        found = _GUESSED.get(key)
        if found is not None:
            return found
        fields = [_property_field(prop_name, prop, schema) for prop_name, prop in schema.get("properties", {}).items()]
        cls = dataclasses.make_dataclass(str(name), fields)
        _GUESSED[key] = cls
        return cls


def _definitions(schema: dict[str, Any]) -> dict[str, Any]:
    return typing.cast(dict[str, Any], schema.get("$defs", schema.get("definitions", {})))


def _resolve_ref(ref: str, schema: dict[str, Any]) -> Any:
    ref_name = ref.split("/")[-1]
    defs = _definitions(schema)
    if ref_name not in defs:
        raise ValueError(f"Cannot find definition for $ref '{ref}' in schema")
    ref_schema = dict(defs[ref_name])
    if ref_schema.get("enum"):
        return str
    if "$defs" not in ref_schema and defs:
        ref_schema["$defs"] = defs
    return dataclass_from_json_schema(ref_schema, ref_name)


def _property_field(name: str, prop: dict[str, Any], schema: dict[str, Any]) -> tuple[str, Any]:
    return name, _property_type(name, prop, schema)


def _property_type(name: str, prop: dict[str, Any], schema: dict[str, Any]) -> Any:
    if prop.get("anyOf"):
        if any(item.get("anyOf") for item in prop["anyOf"]):
            raise ValueError(
                f"The property with name {name} has a nested Optional or Union type, this is not allowed for"
                " dataclass JSON deserialization."
            )
        variants = [_property_type(name, item, schema) for item in prop["anyOf"]]
        return reduce(lambda x, y: typing.Union[x, y], variants)  # noqa: UP007 - built at runtime
    if prop.get("$ref"):
        return _resolve_ref(prop["$ref"], schema)
    if prop.get("enum"):
        return str
    kind = prop.get("type", "string")
    if kind == "array":
        return list[_element_type(prop.get("items", {}), schema)]  # type: ignore[misc]
    if kind == "null":
        return _NoneType
    if kind == "object":
        if prop.get("additionalProperties"):
            return dict[str, _element_type(prop["additionalProperties"], schema)]  # type: ignore[misc]
        if prop.get("title"):
            return dataclass_from_json_schema(prop, prop["title"])
        return dict
    return _element_type(prop, schema)


def _element_type(prop: dict[str, Any], schema: dict[str, Any]) -> Any:
    if prop.get("$ref"):
        return _resolve_ref(prop["$ref"], schema)
    if prop.get("anyOf"):
        variants = prop["anyOf"]
        non_null = [v for v in variants if v.get("type") != "null"]
        if not non_null:
            return _NoneType
        inner = _element_type(non_null[0], schema)
        return (inner | None) if len(non_null) < len(variants) else inner
    kind = prop.get("type", "string")
    if isinstance(kind, list):
        return _element_type({"type": kind[0]}, schema) | None
    if kind == "integer" or (kind == "number" and prop.get("format") == "integer"):
        return int
    if kind == "number":
        return float
    if kind == "boolean":
        return bool
    if kind == "array":
        return list[_element_type(prop.get("items", {}), schema)]  # type: ignore[misc]
    if kind == "object":
        if prop.get("additionalProperties"):
            return dict[str, _element_type(prop["additionalProperties"], schema)]  # type: ignore[misc]
        if prop.get("title") and prop.get("properties") is not None:
            return dataclass_from_json_schema(prop, prop["title"])
        return dict
    if kind == "null":
        return _NoneType
    return str

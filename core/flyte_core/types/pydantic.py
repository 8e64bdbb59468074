"""pydantic v2 ``BaseModel`` <-> msgpack ``Binary``, as flytekit's ``PydanticTransformer`` writes it.

Literal type: simple STRUCT with ``model_json_schema()`` as metadata, each field's literal type in
``structure.dataclass_type`` and the msgpack annotation. Value: msgpack of the model dumped in JSON
mode (enums as values, datetimes as strings), read back with ``model_validate_json``.
``FLYTE_USE_OLD_DC_FORMAT=true`` writes a JSON ``Struct`` instead. Imported only when pydantic is.
"""

from __future__ import annotations

import json
import logging
import typing
from typing import Any

import msgpack
from flyteidl.core import literals_pb2, types_pb2
from pydantic import BaseModel, ValidationError

from flyte_core.types.dataclass import json_struct_literal, msgpack_annotation, msgpack_literal, use_old_dc_format
from flyte_core.types.type_engine import MESSAGEPACK, TypeEngine, TypeTransformer, TypeTransformerFailedError

if typing.TYPE_CHECKING:
    from flyte_core.context import FlyteContext

Literal = literals_pb2.Literal
LiteralType = types_pb2.LiteralType
_logger = logging.getLogger("flyte_core")


class PydanticTransformer(TypeTransformer[BaseModel]):
    """Any pydantic v2 model (found through the class hierarchy: every model is a ``BaseModel``)."""

    def __init__(self) -> None:
        super().__init__("Pydantic Transformer", BaseModel, enable_type_assertions=False)

    def get_literal_type(self, t: Any) -> LiteralType:
        lt = LiteralType(simple=types_pb2.STRUCT)
        from google.protobuf import json_format

        json_format.Parse(json.dumps(t.model_json_schema()), lt.metadata)
        for name, field_info in t.model_fields.items():
            try:
                lt.structure.dataclass_type[name].CopyFrom(TypeEngine.to_literal_type(field_info.annotation))
            except Exception as exc:
                lt.structure.dataclass_type.pop(name, None)
                _logger.warning(
                    f"Field {name} of type {field_info.annotation} cannot be converted to a literal type. Error: {exc}"
                )
        lt.structure.tag = ""
        lt.annotation.CopyFrom(msgpack_annotation())
        return lt

    def to_literal(self, ctx: FlyteContext, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        if not isinstance(python_val, BaseModel):
            raise TypeTransformerFailedError(
                f"pydantic model {getattr(python_type, '__name__', python_type)}: expected a model instance,"
                f" got {type(python_val).__name__} {python_val!r:.80}"
            )
        data = json.loads(python_val.model_dump_json())
        if use_old_dc_format():
            return json_struct_literal(data)
        return msgpack_literal(msgpack.packb(data))

    def from_binary_idl(self, binary_idl_object: literals_pb2.Binary, expected_python_type: Any) -> Any:
        if binary_idl_object.tag != MESSAGEPACK:
            raise TypeTransformerFailedError(f"Unsupported binary format: `{binary_idl_object.tag}`")
        data = msgpack.unpackb(binary_idl_object.value, strict_map_key=False)
        return self._validate(json.dumps(data), expected_python_type)

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> Any:
        scalar = lv.scalar
        if scalar.HasField("binary"):
            return self.from_binary_idl(scalar.binary, expected_python_type)
        if scalar.HasField("generic"):
            from google.protobuf import json_format

            return self._validate(json_format.MessageToJson(scalar.generic), expected_python_type)
        raise TypeTransformerFailedError(
            f"pydantic model {expected_python_type.__name__}: expected a msgpack binary or a struct literal,"
            f" got a {lv.WhichOneof('value')} literal"
        )

    @staticmethod
    def _validate(json_str: str, model: Any) -> Any:
        try:
            return model.model_validate_json(json_data=json_str, strict=False, context={"deserialize": True})
        except ValidationError as exc:
            raise TypeTransformerFailedError(f"pydantic model {model.__name__}: {exc}") from exc

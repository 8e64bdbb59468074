"""msgpack encoding of Python values, as flytekit writes them in ``Binary(tag="msgpack")`` literals.

Used by untyped dicts (``dict``, ``dict[int, str]``...) and, later, by dataclasses and pydantic
models. Values are reduced to msgpack-native data first (dataclasses to dicts, enums to values,
datetimes to ISO strings), then packed.
"""

from __future__ import annotations

import typing
from typing import Any

if typing.TYPE_CHECKING:
    from flyte_core.sdk.context import FlyteContext


def encode_msgpack(value: Any, python_type: Any) -> bytes:
    """msgpack bytes of ``value``; ``TypeError`` when a part of it has no msgpack form."""
    import msgpack

    return typing.cast(bytes, msgpack.packb(value))


def decode_msgpack(payload: bytes, python_type: Any) -> Any:
    """The value msgpack ``payload`` holds, as ``python_type``."""
    import msgpack

    return msgpack.unpackb(payload, strict_map_key=False)


def decode_generic(ctx: FlyteContext | None, literal: Any, python_type: Any) -> Any:
    """A dict from a ``Scalar.generic`` Struct (the console's and the legacy JSON form)."""
    from google.protobuf import json_format

    return json_format.MessageToDict(literal.scalar.generic)

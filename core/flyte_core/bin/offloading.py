"""Offloading large output literals next to ``outputs.pb`` (flytekit's ``_F_L_MIN_SIZE_MB`` contract).

When the backend sets ``_F_L_MIN_SIZE_MB``, an output literal at least that large is written to
``<output prefix>/<name>_offloaded_metadata.pb`` and ``outputs.pb`` holds a ``LiteralOffloadedMetadata``
pointing at it instead; one larger than ``_F_L_MAX_SIZE_MB`` (default 1000) fails the task.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

from flyteidl.core import literals_pb2
from google.protobuf.message import Message

_MIB = 1024 * 1024


def offload_large_literals(
    task: Any, outputs: literals_pb2.LiteralMap, output_prefix: str, is_map_task: bool
) -> tuple[literals_pb2.LiteralMap, dict[str, Message]]:
    """``outputs`` with its large literals replaced by references, and the files holding them (by name).

    Raises:
        ValueError: an output is larger than ``_F_L_MAX_SIZE_MB``.
    """
    if os.environ.get("_F_L_MIN_SIZE_MB") is None:
        return outputs, {}
    min_size = int(os.environ.get("_F_L_MIN_SIZE_MB", "10")) * _MIB
    max_size = int(os.environ.get("_F_L_MAX_SIZE_MB", "1000")) * _MIB
    kept: dict[str, literals_pb2.Literal] = {}
    offloaded: dict[str, Message] = {}
    for name, literal in outputs.literals.items():
        size = literal.ByteSize()
        if size >= max_size:
            raise ValueError(
                f"Literal {name} is too large to be offloaded. Max literal size is {max_size} whereas the literal "
                f"size is {size} bytes"
            )
        if size < min_size:
            kept[name] = literal
            continue
        inferred_type = task.interface.outputs.variables[name].type
        if is_map_task:  # the map task's interface types the whole list; one item is its element type
            inferred_type = inferred_type.collection_type
        file_name = f"{name}_offloaded_metadata.pb"
        kept[name] = literals_pb2.Literal(
            offloaded_metadata=literals_pb2.LiteralOffloadedMetadata(
                uri=f"{output_prefix}/{file_name}", size_bytes=size, inferred_type=inferred_type
            ),
            hash=literal.hash or _hash(literal),
        )
        offloaded[file_name] = literal
    return literals_pb2.LiteralMap(literals=kept), offloaded


def _hash(message: Message) -> str:
    """flytekit's literal hash: base64 of the SHA-256 of the message's JSON with sorted keys."""
    from google.protobuf import json_format

    text = json.dumps(json_format.MessageToDict(message), sort_keys=True, separators=(",", ":"))
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("utf-8")

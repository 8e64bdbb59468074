"""Registration versions derived from content: the same code and settings give the same version, so registering
unchanged code again creates nothing new (every Create* answers ALREADY_EXISTS)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

from google.protobuf.message import Message

from flyte_core.config.serialization import SerializationSettings

__all__ = ["version_from_hash", "version_from_messages", "with_version"]


def with_version(settings: SerializationSettings, version: str) -> SerializationSettings:
    copy = settings.new_builder().build()
    copy.version = version
    return copy


def version_from_hash(md5: bytes, settings: SerializationSettings, *extra: str) -> str:
    """A version that changes when the code, the settings or the images do (so re-runs register nothing)."""
    digest = hashlib.md5(md5, usedforsecurity=False)
    digest.update(settings.to_json().encode())
    for item in extra:
        digest.update(item.encode())
    for image in settings.image_config.images or []:
        digest.update(image.full.encode())
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=").replace("-", "x").replace("_", "y")


def version_from_messages(messages: Sequence[Message], settings: SerializationSettings) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    for message in messages:
        digest.update(message.SerializeToString(deterministic=True))
    return version_from_hash(digest.digest(), settings)

"""Fixtures every plugin distribution's tests share: serialization settings with a fixed image."""

from __future__ import annotations

import pytest

from flyte_core.config.images import ImageConfig
from flyte_core.config.serialization import FastSerializationSettings, SerializationSettings

IMAGE = "ghcr.io/example/img:v1"


@pytest.fixture
def settings() -> SerializationSettings:
    return SerializationSettings(
        image_config=ImageConfig.auto(img_name=IMAGE),
        project="p",
        domain="d",
        version="v1",
        fast_serialization_settings=FastSerializationSettings(enabled=False),
    )

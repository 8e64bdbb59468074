"""Dataclasses: the fallback transformer of any ``@dataclass`` (msgpack ``Binary``, JSON schema in the type)."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteTypeTransformer, hookimpl


@hookimpl
def flyte_type_transformers() -> Iterator[FlyteTypeTransformer]:
    # The key of the "any dataclass" fallback: the engine asks for it when no transformer claims a dataclass.
    yield FlyteTypeTransformer(
        python_type="dataclasses:dataclass", transformer="flyte_core.types.dataclass:DataclassTransformer"
    )

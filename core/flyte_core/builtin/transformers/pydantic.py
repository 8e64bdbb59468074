"""pydantic v2 ``BaseModel``s, resolved only once pydantic is imported (flyte-core does not depend on it)."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteTypeTransformer, hookimpl


@hookimpl
def flyte_type_transformers() -> Iterator[FlyteTypeTransformer]:
    yield FlyteTypeTransformer(
        python_type="pydantic:BaseModel", transformer="flyte_core.types.pydantic:PydanticTransformer"
    )

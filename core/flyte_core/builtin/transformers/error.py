"""``FlyteError``: the input of workflow failure handlers."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteTypeTransformer, hookimpl


@hookimpl
def flyte_type_transformers() -> Iterator[FlyteTypeTransformer]:
    yield FlyteTypeTransformer(
        python_type="flyte_core.types.error.error:FlyteError",
        transformer="flyte_core.types.error.error:ErrorTransformer",
    )

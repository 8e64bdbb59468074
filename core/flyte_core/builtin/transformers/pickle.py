"""The pickle fallback: values of types no transformer claims, and the ``Any`` of ``pickle_untyped`` tasks."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteTypeTransformer, hookimpl


@hookimpl
def flyte_type_transformers() -> Iterator[FlyteTypeTransformer]:
    yield FlyteTypeTransformer(
        python_type="flyte_core.types.pickle:FlytePickle",
        transformer="flyte_core.types.pickle:FlytePickleTransformer",
    )

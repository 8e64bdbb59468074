"""``numpy.ndarray`` as a ``.npy`` blob, resolved only once numpy is imported."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteTypeTransformer, hookimpl


@hookimpl
def flyte_type_transformers() -> Iterator[FlyteTypeTransformer]:
    yield FlyteTypeTransformer(python_type="numpy.ndarray", transformer="flyte_core.types.numpy:NumpyArrayTransformer")

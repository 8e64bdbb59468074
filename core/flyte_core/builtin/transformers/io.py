"""``typing.TextIO`` and ``typing.BinaryIO`` as single-file blobs (``text/plain``, ``application/octet-stream``)."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteTypeTransformer, hookimpl


@hookimpl
def flyte_type_transformers() -> Iterator[FlyteTypeTransformer]:
    yield FlyteTypeTransformer(python_type="typing:TextIO", transformer="flyte_core.types.io:TextIOTransformer")
    yield FlyteTypeTransformer(python_type="typing:BinaryIO", transformer="flyte_core.types.io:BinaryIOTransformer")

"""The ``noop`` builder (use ``base_image`` as it is) and flytekit's ``default`` builder's name, which explains
how to build an image, since flyte-core builds none. A plugin's builder of higher priority becomes the
default of every ImageSpec without ``builder=``.
"""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteImageBuilder, hookimpl

_MODULE = "flyte_core.sdk.image_spec"


@hookimpl
def flyte_image_builders() -> Iterator[FlyteImageBuilder]:
    yield FlyteImageBuilder(name="default", builder=f"{_MODULE}:DefaultImageBuilder", priority=1)
    yield FlyteImageBuilder(name="noop", builder=f"{_MODULE}:NoOpBuilder", priority=0)

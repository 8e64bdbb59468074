"""``flyte://``: uploads through a control plane's data proxy, used while ``FlyteRemote`` converts inputs."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteFileAccessProvider, hookimpl


@hookimpl
def flyte_file_access_providers() -> Iterator[FlyteFileAccessProvider]:
    yield FlyteFileAccessProvider(protocols=("flyte",), filesystem="flyte_core.remote.data:flyte_filesystem")

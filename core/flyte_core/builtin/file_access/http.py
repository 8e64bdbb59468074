"""Reading ``http://`` and ``https://`` URLs (inputs given as URLs, ``pyflyte run https://.../wf.py``)."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteFileAccessProvider, hookimpl


@hookimpl
def flyte_file_access_providers() -> Iterator[FlyteFileAccessProvider]:
    yield FlyteFileAccessProvider(
        protocols=("http", "https"),
        filesystem="flyte_core.data.http_filesystem:http_filesystem",
    )

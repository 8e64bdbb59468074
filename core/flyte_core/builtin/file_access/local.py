"""Local files: the ``file`` protocol, which plain paths use too (essential: tasks cannot run without it)."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteFileAccessProvider, hookimpl


@hookimpl
def flyte_file_access_providers() -> Iterator[FlyteFileAccessProvider]:
    yield FlyteFileAccessProvider(
        protocols=("file",),
        filesystem="flyte_core.data.local_filesystem:FlyteLocalFileSystem",
    )

"""Every other protocol fsspec knows (``gs``, ``abfs``, ``memory``, ``sftp``...), served by fsspec's own
implementation: a fallback, so a plugin registering one of these protocols replaces it without a conflict.

``s3``/``s3a`` are left out: they need flyte-plugin-s3 (flyte's storage settings, anonymous reads), and
without it the error says so. A protocol whose fsspec library is missing says what to install when used.
"""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteFileAccessProvider, hookimpl
from flyte_core.plugins.types import is_uri_scheme

_NEEDS_ITS_PLUGIN = frozenset({"s3", "s3a"})


@hookimpl
def flyte_file_access_providers() -> Iterator[FlyteFileAccessProvider]:
    from fsspec.registry import known_implementations  # called when data is first accessed: fsspec is loaded

    protocols = sorted(p for p in known_implementations if is_uri_scheme(p) and p not in _NEEDS_ITS_PLUGIN)
    yield FlyteFileAccessProvider(
        protocols=tuple(protocols), filesystem="flyte_core.data.file_access:fsspec_filesystem", fallback=True
    )

"""The filesystem behind ``http://`` and ``https://`` URIs (the built-in ``file_access.http`` plugin)."""

from __future__ import annotations

from typing import Any

__all__ = ["http_filesystem"]


def http_filesystem(*, protocol: str, data_config: Any = None, anonymous: bool = False, **storage_options: Any) -> Any:
    """fsspec's ``HTTPFileSystem`` (reads; public URLs need no credentials, so ``anonymous`` changes nothing).

    A factory rather than the class itself so that a missing aiohttp, which fsspec's implementation
    imports, is reported as what to install instead of as a failed import.
    """
    try:
        from fsspec.implementations.http import HTTPFileSystem
    except ImportError as exc:
        raise ImportError(
            f"reading {protocol}:// URLs needs aiohttp, which is not installed: pip install aiohttp"
        ) from exc
    return HTTPFileSystem(**storage_options)

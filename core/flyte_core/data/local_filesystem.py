"""The filesystem behind ``file://`` URIs and plain local paths (the built-in ``file_access.local`` plugin)."""

from __future__ import annotations

import os
from typing import Any

from fsspec.implementations.local import LocalFileSystem

__all__ = ["FlyteLocalFileSystem"]


class FlyteLocalFileSystem(LocalFileSystem):  # type: ignore[misc]
    """fsspec's local filesystem that creates missing parent directories when it writes.

    Task outputs are written to fresh random paths under the raw output prefix, as they are in object
    stores, where a "directory" needs no creating; ``auto_mkdir`` gives local paths the same behaviour.
    The separator is the platform's, so joined paths are native ones.
    """

    sep = os.sep

    def __init__(self, auto_mkdir: bool = True, **kwargs: Any) -> None:
        super().__init__(auto_mkdir=auto_mkdir, **kwargs)

"""Moving the entrypoint's own files: ``inputs.pb`` in, ``outputs.pb`` / ``futures.pb`` / ``error.pb`` out.

Local paths and ``file://`` URIs are read and written in place; every other URI (``s3://``, ``gs://``,
``flyte://``...) goes through the context's file-access provider. The provider, and fsspec with it,
is made on first use (:class:`DeferredFileAccess`): importing fsspec costs about 100 ms (asyncio,
ssl, importlib.metadata and a scan of installed entry points), more than the rest of a plain task's
start-up, and the sandbox starts one process per task with local paths only.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import Any

_FILE_SCHEME = "file://"


class DeferredFileAccess:
    """Stands for the context's ``FileAccessProvider``, made by ``factory`` when first used."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._provider: Any = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self._provider is None:
            self._provider = self._factory()
        return getattr(self._provider, name)

    def __repr__(self) -> str:
        return f"DeferredFileAccess({self._provider!r})" if self._provider is not None else "DeferredFileAccess()"


def local_path(uri: str) -> str | None:
    """The local path ``uri`` names (a plain path or a ``file://`` URI), else None."""
    if uri.startswith(_FILE_SCHEME):
        return uri[len(_FILE_SCHEME) :]
    return None if "://" in uri else uri


def read_bytes(file_access: Any, uri: str, scratch_dir: str) -> bytes:
    """The content of the file at ``uri`` (downloaded into ``scratch_dir`` unless it is local).

    Raises:
        FlyteDataNotFoundException: there is no such file.
    """
    path = local_path(uri)
    if path is None:
        path = os.path.join(scratch_dir, os.path.basename(uri.rstrip("/")) or "download")
        file_access.get_data(uri, path)
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        from flyte_core.exceptions.user import FlyteDataNotFoundException

        raise FlyteDataNotFoundException(uri) from None


def upload_directory(file_access: Any, directory: str, prefix: str) -> None:
    """Copy the files of ``directory`` (not its subdirectories) under ``prefix``."""
    destination = local_path(prefix)
    if destination is None:
        file_access.put_data(directory, prefix, is_multipart=True)
        return
    os.makedirs(destination, exist_ok=True)
    for entry in os.scandir(directory):
        if entry.is_file():
            shutil.copyfile(entry.path, os.path.join(destination, entry.name))

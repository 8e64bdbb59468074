"""An in-memory filesystem for a made-up ``demo://`` protocol, which test plugins provide."""

from __future__ import annotations

from typing import Any, ClassVar

from fsspec.callbacks import DEFAULT_CALLBACK
from fsspec.implementations.memory import MemoryFileSystem


class DemoFileSystem(MemoryFileSystem):
    """fsspec's memory filesystem under another protocol, remembering the keyword arguments of each upload."""

    protocol = ("demo",)
    store: ClassVar[dict[str, Any]] = {}
    pseudo_dirs: ClassVar[list[str]] = [""]
    uploads: ClassVar[list[dict[str, Any]]] = []

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        return super()._strip_protocol(str(path).removeprefix("demo://"))

    def put_file(
        self, lpath: Any, rpath: Any, callback: Any = DEFAULT_CALLBACK, mode: str = "overwrite", **kwargs: Any
    ):
        self.uploads.append(kwargs)
        return super().put_file(lpath, rpath, callback=callback, mode=mode, **kwargs)


class LockedDemoFileSystem(DemoFileSystem):
    """The same store, seen with credentials it rejects: only anonymous access works."""

    def exists(self, path: Any, **kwargs: Any) -> bool:
        raise PermissionError(f"{path}: credentials rejected")

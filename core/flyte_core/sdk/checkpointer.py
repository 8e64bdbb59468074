"""Task checkpoints: ``current_context().checkpoint`` (``flytekit.core.checkpointer`` -> ``flyte_core.core...``).

A task that may be retried or preempted saves its progress with ``checkpoint.write(b)`` or ``save(path)``
and, on the next attempt, picks it up with ``read()`` or ``restore()``. In a container the entrypoint
makes a :class:`SyncCheckpoint` from ``--prev-checkpoint`` (the previous attempt's checkpoint, read) and
``--checkpoint-path`` (this attempt's, written); locally each task gets one writing into its sandbox.
Transfers go through the current context's file-access provider, so any URI it serves works.
"""

from __future__ import annotations

import io
import os
import tempfile
import typing
from abc import ABC, abstractmethod
from pathlib import Path

__all__ = ["Checkpoint", "SyncCheckpoint"]


class Checkpoint(ABC):
    """What a task can do with its checkpoint: read the previous attempt's, write this attempt's."""

    @abstractmethod
    def prev_exists(self) -> bool:
        """Whether a previous attempt's checkpoint location was given."""

    @abstractmethod
    def restore(self, path: Path | str | None = None) -> Path | None:
        """Download the previous checkpoint into the directory ``path``; return it (None without one)."""

    @abstractmethod
    def save(self, cp: Path | str | io.IOBase) -> None:
        """Upload a file, a directory or the contents of a binary stream as this attempt's checkpoint."""

    @abstractmethod
    def read(self) -> bytes | None:
        """The previous checkpoint's single file as bytes (None without one)."""

    @abstractmethod
    def write(self, b: bytes) -> None:
        """Save ``b`` as this attempt's checkpoint (read back by the next attempt's ``read()``)."""


class SyncCheckpoint(Checkpoint):
    """A checkpoint transferred synchronously, when asked; not thread-safe.

    Args:
        checkpoint_dest: where this attempt's checkpoint is written (a directory URI or path).
        checkpoint_src: the previous attempt's checkpoint directory, if there is one.
    """

    SRC_LOCAL_FOLDER = "prev_cp"
    TMP_DST_PATH = "_dst_cp"

    def __init__(self, checkpoint_dest: str, checkpoint_src: str | None = None) -> None:
        self._checkpoint_dest = checkpoint_dest
        self._checkpoint_src = checkpoint_src or None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._prev_download_path: Path | None = None

    def __repr__(self) -> str:
        return f"SyncCheckpoint(checkpoint_dest={self._checkpoint_dest!r}, checkpoint_src={self._checkpoint_src!r})"

    def prev_exists(self) -> bool:
        return self._checkpoint_src is not None

    def restore(self, path: Path | str | None = None) -> Path | None:
        """Download the previous checkpoint (once; later calls return the same directory).

        A previous location with nothing there (an attempt that stopped before checkpointing) counts as
        no checkpoint: None.

        Raises:
            ValueError: ``path`` exists and is not a directory (a missing one is created).
        """
        if self._checkpoint_src is None:
            return None
        if self._prev_download_path is not None:
            return self._prev_download_path
        if path is None:
            target = Path(self._scratch_dir(), self.SRC_LOCAL_FOLDER)
            target.mkdir(exist_ok=True)
        else:
            target = Path(path)
            if not target.exists():
                target.mkdir(parents=True)
        if not target.is_dir():
            raise ValueError(f"checkpoints are restored into a directory; '{target}' is not one")
        from flyte_core.exceptions.user import FlyteDataNotFoundException

        try:
            _file_access().download_directory(self._checkpoint_src, str(target))
        except FlyteDataNotFoundException:
            return None
        self._prev_download_path = target
        return target

    def save(self, cp: Path | str | io.IOBase) -> None:
        """Upload ``cp``: a directory's contents, a file (keeping its name) or a binary stream's bytes.

        Raises:
            ValueError: ``cp`` is neither a path nor a readable stream.
        """
        file_access = _file_access()
        if isinstance(cp, (str, os.PathLike)):
            local = Path(cp)
            if local.is_dir():
                file_access.upload_directory(str(local), self._checkpoint_dest)
            else:
                file_access.upload(str(local), self._join(local.name))
            return
        if not isinstance(cp, io.IOBase):
            raise ValueError(
                f"a checkpoint is saved from a path or a binary stream (io.IOBase), not {type(cp).__name__}"
            )
        staged = Path(self._scratch_dir(), self.TMP_DST_PATH)
        staged.write_bytes(typing.cast(bytes, cp.read()))
        file_access.upload(str(staged), self._join(self.TMP_DST_PATH))

    def read(self) -> bytes | None:
        """The previous checkpoint's only file.

        Raises:
            ValueError: the previous checkpoint holds more than one file (use ``restore()``).
        """
        directory = self.restore()
        if directory is None:
            return None
        files = list(directory.iterdir())
        if not files:
            return None
        if len(files) > 1:
            raise ValueError(
                f"expected exactly one checkpoint file, found {len(files)} in {self._checkpoint_src}: use restore()"
            )
        return files[0].read_bytes()

    def write(self, b: bytes) -> None:
        self.save(io.BytesIO(b))

    def _join(self, name: str) -> str:
        return f"{self._checkpoint_dest.rstrip('/')}/{name}"

    def _scratch_dir(self) -> str:
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="flyte-checkpoint-")
        return self._scratch.name


def _file_access() -> typing.Any:
    from flyte_core.context import FlyteContextManager

    return FlyteContextManager.current_context().file_access

"""``SyncCheckpoint``: flytekit's checkpoint API over the context's file access, and local runs' checkpoints."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flyte_core.core.checkpointer import Checkpoint, SyncCheckpoint

from flyte_core import current_context, task


def test_write_then_read_from_the_next_attempt(tmp_path: Path) -> None:
    first = SyncCheckpoint(checkpoint_dest=str(tmp_path / "a0"))
    assert not first.prev_exists() and first.read() is None and first.restore() is None
    first.write(b"step 3")
    second = SyncCheckpoint(checkpoint_dest=str(tmp_path / "a1"), checkpoint_src=str(tmp_path / "a0"))
    assert second.prev_exists()
    assert second.read() == b"step 3"


def test_save_uploads_files_directories_and_streams(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "weights.bin").write_bytes(b"w")
    (tmp_path / "model" / "meta" / "x.json").parent.mkdir()
    (tmp_path / "model" / "meta" / "x.json").write_text("{}")
    (tmp_path / "single.txt").write_text("s")
    checkpoint = SyncCheckpoint(checkpoint_dest=str(tmp_path / "dest"))
    checkpoint.save(tmp_path / "model")
    checkpoint.save(str(tmp_path / "single.txt"))
    checkpoint.save(io.BytesIO(b"stream"))
    saved = {str(p.relative_to(tmp_path / "dest")) for p in (tmp_path / "dest").rglob("*") if p.is_file()}
    assert saved == {"weights.bin", "meta/x.json", "single.txt", "_dst_cp"}
    restored = SyncCheckpoint(str(tmp_path / "next"), str(tmp_path / "dest")).restore(tmp_path / "restored")
    assert restored == tmp_path / "restored" and (restored / "meta" / "x.json").read_text() == "{}"


def test_read_refuses_a_checkpoint_of_several_files(tmp_path: Path) -> None:
    (tmp_path / "prev").mkdir()
    (tmp_path / "prev" / "a").write_text("a")
    (tmp_path / "prev" / "b").write_text("b")
    with pytest.raises(ValueError, match="expected exactly one checkpoint file, found 2"):
        SyncCheckpoint(str(tmp_path / "dest"), str(tmp_path / "prev")).read()


def test_a_previous_location_with_nothing_there_is_no_checkpoint(tmp_path: Path) -> None:
    assert SyncCheckpoint(str(tmp_path / "dest"), f"file://{tmp_path / 'never-written'}").read() is None


def test_restore_needs_a_directory_and_save_a_path_or_stream(tmp_path: Path) -> None:
    (tmp_path / "prev").mkdir()
    (tmp_path / "file").write_text("")
    checkpoint = SyncCheckpoint(str(tmp_path / "dest"), str(tmp_path / "prev"))
    with pytest.raises(ValueError, match="is not one"):
        checkpoint.restore(tmp_path / "file")
    with pytest.raises(ValueError, match="not int"):
        checkpoint.save(3)  # type: ignore[arg-type]


def test_a_local_task_gets_a_checkpoint_in_its_sandbox() -> None:
    @task
    def resumable(x: int) -> int:
        checkpoint = current_context().checkpoint
        assert isinstance(checkpoint, Checkpoint)
        assert checkpoint.read() is None
        checkpoint.write(str(x).encode())
        return x

    assert resumable(x=4) == 4

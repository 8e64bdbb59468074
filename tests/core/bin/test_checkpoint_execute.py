"""Checkpoints in a container: a retried attempt reads what the previous one wrote."""

from __future__ import annotations

from pathlib import Path

from tests.core.bin.conftest import Project, to_python

TASKS = """
    from flyte_core import current_context, task


    @task
    def resume(x: int) -> int:
        checkpoint = current_context().checkpoint
        previous = checkpoint.read()
        total = (int(previous) if previous else 0) + x
        checkpoint.write(str(total).encode())
        return total


    @task
    def uses_checkpoint(x: int) -> int:
        return 0 if current_context().checkpoint is None else x
"""


def _attempt(project: Project, out: str, checkpoint: Path, previous: str) -> int:
    result = project.run(
        "pyflyte-execute",
        "--inputs",
        project.inputs(x=(5, int)),
        "--output-prefix",
        out,
        "--checkpoint-path",
        checkpoint,
        "--prev-checkpoint",
        previous,
        "--",
        "task-module",
        "app.tasks",
        "task-name",
        "resume",
    )
    assert result.returncode == 0, result.stderr
    return int(to_python(project.outputs(out).literals["o0"], int))


def test_an_attempt_reads_the_previous_checkpoint_and_writes_its_own(project: Project) -> None:
    project.write("app/tasks.py", TASKS)
    first, second = project.root / "cp" / "attempt-0", project.root / "cp" / "attempt-1"
    assert _attempt(project, "out0", first, '""') == 5
    assert _attempt(project, "out1", second, f"file://{first}") == 10
    assert [p.read_text() for p in first.iterdir()] == ["5"]
    assert [p.read_text() for p in second.iterdir()] == ["10"]


def test_without_a_checkpoint_path_the_task_is_told_checkpointing_is_unavailable(project: Project) -> None:
    project.write("app/tasks.py", TASKS)
    result = project.execute("uses_checkpoint", project.inputs(x=(1, int)))
    assert result.returncode == 0, result.stderr
    assert "NotImplementedError: Checkpointing is not available" in project.error().message

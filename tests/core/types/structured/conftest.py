"""The task-execution context of the file tests (mode TASK_EXECUTION, ``memory://`` raw output prefix)."""

from __future__ import annotations

from tests.core.types.files.conftest import memory_prefix, task_execution

__all__ = ["memory_prefix", "task_execution"]

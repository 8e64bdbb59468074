"""``pyflyte local-cache clear``: a built-in command plugin that empties the local cache and says what it removed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flyteidl.core import literals_pb2

from flyte_core.sdk.local_cache import LOCAL_CACHE_DIR_ENV_VAR, LocalTaskCache

PYFLYTE = str(Path(sys.executable).parent / "pyflyte")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(LOCAL_CACHE_DIR_ENV_VAR, str(tmp_path / "local-cache"))
    LocalTaskCache.initialize()
    yield tmp_path / "local-cache"
    LocalTaskCache.initialize()


def _inputs(x: int) -> literals_pb2.LiteralMap:
    inputs = literals_pb2.LiteralMap()
    inputs.literals["x"].scalar.primitive.integer = x
    return inputs


def _store(task_name: str, x: int) -> None:
    LocalTaskCache.set(task_name, "1", _inputs(x), (), literals_pb2.LiteralMap())


def test_clear_removes_the_entries_and_lists_them_per_task(flyte_cli, cache_dir: Path) -> None:
    _store("wf.add", 1)
    _store("wf.add", 2)
    _store("wf.mul", 1)
    result = flyte_cli.invoke(["local-cache", "clear"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Removed 3 cached task outputs from {cache_dir / LocalTaskCache.database_path().name}:",
        "  wf.add: 2",
        "  wf.mul: 1",
    ]
    assert LocalTaskCache.clear() == {}


def test_clear_of_an_empty_cache_says_so(flyte_cli, cache_dir: Path) -> None:
    result = flyte_cli.invoke(["local-cache", "clear"])
    assert result.exit_code == 0
    assert result.output.startswith("The local cache is empty (")
    assert str(cache_dir) in result.output


def test_local_cache_is_listed_by_help_and_has_a_clear_subcommand(flyte_cli) -> None:
    assert "local-cache" in flyte_cli.invoke(["--help"]).output
    result = flyte_cli.invoke(["local-cache", "--help"])
    assert result.exit_code == 0
    assert "clear" in result.output


def test_installed_pyflyte_clears_the_cache_written_by_this_process(cache_dir: Path) -> None:
    _store("wf.add", 1)
    env = {**os.environ, LOCAL_CACHE_DIR_ENV_VAR: str(cache_dir)}
    result = subprocess.run([PYFLYTE, "local-cache", "clear"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Removed 1 cached task output from" in result.stdout
    assert LocalTaskCache.get("wf.add", "1", _inputs(1), ()) is None

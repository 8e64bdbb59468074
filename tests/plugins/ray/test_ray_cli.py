"""``pyflyte ray start|status|stop``: a persistent local head; clear messages, no tracebacks, no leftovers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flyte_plugin_ray import head as ray_head

from tests.plugins.ray.conftest import pyflyte_ray


def test_status_without_a_head_says_how_to_start_one(tmp_path: Path) -> None:
    result = pyflyte_ray("status", home=tmp_path)
    assert result.returncode == 3
    assert "No Ray head is running ('pyflyte ray start' starts one" in result.stdout


def test_stop_without_a_head_says_so(tmp_path: Path) -> None:
    result = pyflyte_ray("stop", home=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == "No Ray head is running."


def test_status_shows_the_running_head(ray_head_running: ray_head.RunningHead, ray_head_home: Path) -> None:
    result = pyflyte_ray("status", home=ray_head_home)
    assert result.returncode == 0, result.stderr
    assert f"address    {ray_head_running.address}" in result.stdout
    assert f"pid {ray_head_running.pid}" in result.stdout
    assert "cpus       2" in result.stdout


def test_start_when_a_head_runs_keeps_it(ray_head_running: ray_head.RunningHead, ray_head_home: Path) -> None:
    result = pyflyte_ray("start", home=ray_head_home)
    assert result.returncode == 0, result.stderr
    assert f"A Ray head is already running at {ray_head_running.address}" in result.stdout
    assert ray_head.find_running(ray_head_home) == ray_head_running


def test_a_stale_state_file_is_ignored_and_removed(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = {"pid": int(finished.stdout), "address": "127.0.0.1:1", "num_cpus": 1, "started_at": 0.0, "log": "x"}
    (tmp_path / "head.json").write_text(json.dumps(dead))
    result = pyflyte_ray("status", home=tmp_path)
    assert result.returncode == 3
    assert not (tmp_path / "head.json").exists()


def test_a_corrupt_state_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "head.json").write_text("{not json")
    assert ray_head.find_running(tmp_path) is None
    assert pyflyte_ray("status", home=tmp_path).returncode == 3


def test_a_bad_cpu_count_is_a_usage_error(tmp_path: Path) -> None:
    result = pyflyte_ray("start", "--num-cpus", "0", home=tmp_path)
    assert result.returncode == 2
    assert "Invalid value for '--num-cpus'" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unusable_home_is_a_clear_error(tmp_path: Path) -> None:
    home = tmp_path / "a-file"
    home.write_text("")
    result = pyflyte_ray("start", home=home)
    assert result.returncode == 1
    assert f"cannot write the Ray head's state to {home}" in result.stderr
    assert "set FLYTE_RAY_HOME" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_start_then_stop_leaves_no_ray_process(tmp_path: Path) -> None:
    started = pyflyte_ray("start", "--num-cpus", "1", home=tmp_path)
    assert started.returncode == 0, started.stdout + started.stderr
    head = ray_head.find_running(tmp_path)
    assert head is not None
    assert started.stdout.startswith(f"Started a Ray head at {head.address} (pid {head.pid}, 1 CPUs).")
    members = _process_group(head.pid)
    assert len(members) > 2, "the head and its Ray processes (gcs, raylet...) share its process group"
    stopped = pyflyte_ray("stop", home=tmp_path)
    assert stopped.stdout.strip() == f"Stopped the Ray head at {head.address} (pid {head.pid})."
    deadline = time.monotonic() + 20
    while _process_group(head.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _process_group(head.pid) == []
    assert not (tmp_path / "head.json").exists()


def _process_group(pgid: int) -> list[int]:
    """Live (not zombie) processes of the process group ``pgid``."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(stat.parent.name))
    return members


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_the_process_group_helper_sees_this_process() -> None:
    assert os.getpid() in _process_group(os.getpgid(0))

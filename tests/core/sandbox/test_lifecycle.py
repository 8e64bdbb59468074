"""``pyflyte sandbox start|status|stop``: one sandbox per state directory, stale pid files, clear errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

PYFLYTE = str(Path(sys.executable).parent / "pyflyte")


def pyflyte(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYFLYTE, *args], capture_output=True, text=True, timeout=60)


@pytest.fixture
def state_dir(tmp_path: Path):
    yield tmp_path / "sandbox"
    pyflyte("sandbox", "stop", "--state-dir", str(tmp_path / "sandbox"))


def test_start_status_and_stop(state_dir: Path) -> None:
    started = pyflyte("sandbox", "start", "--state-dir", str(state_dir), "--port", "0", "--http-port", "0")
    assert started.returncode == 0, started.stderr
    assert "Started the sandbox" in started.stdout and f"FLYTECTL_CONFIG={state_dir}/config.yaml" in started.stdout
    config = (state_dir / "config.yaml").read_text()
    assert "insecure: true" in config and "endpoint: dns:///localhost:" in config
    status = pyflyte("sandbox", "status", "--state-dir", str(state_dir))
    assert status.returncode == 0 and "running    pid" in status.stdout
    again = pyflyte("sandbox", "start", "--state-dir", str(state_dir), "--port", "0", "--http-port", "0")
    assert again.returncode == 0 and "already running" in again.stdout
    stopped = pyflyte("sandbox", "stop", "--state-dir", str(state_dir))
    assert "Stopped the sandbox" in stopped.stdout
    assert not (state_dir / "sandbox.pid").exists()
    assert pyflyte("sandbox", "status", "--state-dir", str(state_dir)).returncode == 3


def test_a_stale_pid_file_does_not_block_a_start(state_dir: Path) -> None:
    state_dir.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (state_dir / "sandbox.pid").write_text(f"{dead.pid}\n")
    started = pyflyte("sandbox", "start", "--state-dir", str(state_dir), "--port", "0", "--http-port", "0")
    assert started.returncode == 0, started.stderr
    assert int((state_dir / "sandbox.pid").read_text()) != dead.pid


def test_a_port_in_use_is_a_clear_error(state_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = pyflyte("sandbox", "start", "--state-dir", str(state_dir), "--port", "0", "--http-port", str(port))
    assert started.returncode == 1
    assert "exited while starting" in started.stderr and "Address already in use" in started.stderr
    assert not (state_dir / "sandbox.pid").exists()


def test_logs_of_an_unknown_execution_say_where_they_looked(state_dir: Path) -> None:
    result = pyflyte("sandbox", "logs", "--state-dir", str(state_dir), "anexecution")
    assert result.returncode == 1
    assert "no logs for execution 'anexecution' in flytesnacks/development" in result.stderr


def test_a_bad_image_environment_is_refused_before_starting(state_dir: Path, tmp_path: Path) -> None:
    result = pyflyte("sandbox", "start", "--state-dir", str(state_dir), "--image-env", f"img:v1={tmp_path}/nothing")
    assert result.returncode == 2 and "is not a Python environment" in result.stderr
    assert not os.path.exists(state_dir / "sandbox.pid")

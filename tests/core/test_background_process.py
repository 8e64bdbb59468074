"""Helper processes started detached, found again by pid and command line, stopped, and their logs' ends."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from flyte_core.background_process import is_running, log_tail, start_detached, terminate

MARKER = b"flyte-background-test"


def _sleeper(ignore_term: bool = False, term_mark: Path | None = None) -> subprocess.Popen[bytes]:
    code = "import signal, sys, time\n"
    if ignore_term:
        code += "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    if term_mark is not None:
        code += f"signal.signal(signal.SIGTERM, lambda *_: (open({str(term_mark)!r}, 'w').close(), sys.exit(0)))\n"
    code += "print('ready', flush=True)\ntime.sleep(60)\n"
    process = subprocess.Popen([sys.executable, "-c", code, MARKER.decode()], stdout=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline() == b"ready\n"
    return process


def test_a_process_is_running_only_while_alive_and_with_its_marker() -> None:
    process = _sleeper()
    try:
        assert is_running(process.pid, MARKER)
        assert not is_running(process.pid, b"another-program")  # a reused pid is not ours
    finally:
        process.kill()
        process.wait()
    assert not is_running(process.pid, MARKER)


def test_terminate_stops_a_process_with_sigterm(tmp_path: Path) -> None:
    mark = tmp_path / "got-sigterm"
    process = _sleeper(term_mark=mark)
    terminate(process.pid, MARKER, timeout=10)
    process.wait(timeout=5)
    assert mark.exists() and not is_running(process.pid, MARKER)


def test_terminate_kills_a_process_that_ignores_sigterm_after_the_timeout() -> None:
    process = _sleeper(ignore_term=True)
    terminate(process.pid, MARKER, timeout=0.3)
    assert process.wait(timeout=5) == -signal.SIGKILL


def test_log_tail_gives_the_last_lines_or_says_there_is_no_log(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("".join(f"line {i}\n" for i in range(30)))
    assert log_tail(log, lines=2) == "line 28\nline 29"
    assert log_tail(tmp_path / "missing.log") == "(no log)"


class _NotStarted(Exception):
    pass


def test_start_detached_returns_what_ready_finds_once_the_process_is_ready(tmp_path: Path) -> None:
    flag = tmp_path / "ready"
    code = f"import pathlib, time; pathlib.Path({str(flag)!r}).write_text('up'); time.sleep(60)"
    log = open(tmp_path / "out.log", "ab")  # noqa: SIM115 - closed by start_detached
    pids: list[int] = []

    def ready(pid: int) -> str | None:
        pids.append(pid)
        return flag.read_text() if flag.exists() else None

    found = start_detached([sys.executable, "-c", code, MARKER.decode()], log, ready, what="the sleeper",
                           marker=MARKER, error=_NotStarted, timeout=30)  # fmt: skip
    assert found == "up" and log.closed and is_running(pids[-1], MARKER)
    terminate(pids[-1], MARKER, timeout=10)
    assert not is_running(pids[-1], MARKER)


def test_start_detached_reports_an_early_exit_with_the_end_of_the_log(tmp_path: Path) -> None:
    log = open(tmp_path / "out.log", "ab")  # noqa: SIM115 - closed by start_detached
    code = "import sys; print('port in use'); sys.exit(3)"
    with pytest.raises(_NotStarted, match=r"(?s)the crasher exited while starting \(status 3\):\nport in use\n"):
        start_detached([sys.executable, "-c", code], log, lambda pid: None, what="the crasher", marker=MARKER,
                       error=_NotStarted, timeout=30)  # fmt: skip


def test_start_detached_stops_a_process_that_is_not_ready_in_time(tmp_path: Path) -> None:
    log = open(tmp_path / "out.log", "ab")  # noqa: SIM115 - closed by start_detached
    pids: list[int] = []
    with pytest.raises(_NotStarted, match="the sleeper did not start within 0 s; see .*out.log"):
        start_detached([sys.executable, "-c", "import time; time.sleep(60)", MARKER.decode()], log,
                       lambda pid: pids.append(pid), what="the sleeper", marker=MARKER, error=_NotStarted,
                       timeout=0.5)  # fmt: skip
    assert pids and not is_running(pids[-1], MARKER)

"""Long-running helper processes a command starts and later finds again (the sandbox, a plugin's Ray head).

These functions start such a process detached and wait until it is ready (or say why it is not, with the end
of its log); the process records its pid in a state file, and they tell whether that pid is still the process
that was started (not a reused pid: its command line must hold ``marker``), and stop it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, TypeVar

T = TypeVar("T")


def start_detached(
    command: Sequence[str],
    log: IO[bytes],
    ready: Callable[[int], T | None],
    *,
    what: str,
    marker: bytes,
    error: Callable[[str], Exception],
    timeout: float,
    poll: float = 0.05,
    env: Mapping[str, str] | None = None,
    group: bool = False,
) -> T:
    """Start ``command`` in a session of its own, its output going to ``log`` (a file opened by path; closed
    here), and wait until ``ready(pid)`` returns something: that is returned.

    Raises ``error(message)`` when the process exits first (the message holds the end of its log) or is not
    ready within ``timeout`` seconds (it is then stopped, with its process group if ``group``).
    """
    log_path = Path(log.name)
    with log:
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            env=None if env is None else dict(env),
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            raise error(
                f"{what} exited while starting (status {code}):\n{log_tail(log_path)}\n(the whole log: {log_path})"
            )
        found = ready(process.pid)
        if found is not None:
            return found
        time.sleep(poll)
    terminate(process.pid, marker, timeout=10.0, group=group)
    raise error(f"{what} did not start within {timeout:.0f} s; see {log_path}")


def is_running(pid: int, marker: bytes) -> bool:
    """Whether ``pid`` is alive and its command line holds ``marker`` (an exited child of ours is reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # a zombie still answers kill 0
    try:
        return marker in Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not Path("/proc").is_dir()  # no /proc (macOS): trust kill 0; else the process is gone
    except OSError:
        return True


def terminate(pid: int, marker: bytes, timeout: float, group: bool = False) -> None:
    """SIGTERM the process, wait up to ``timeout`` seconds, then SIGKILL it (its whole process group if
    ``group``: a process that leads its own session, with children of its own)."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(pid, marker):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if group:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)


def log_tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of a log file, or ``(no log)``."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"

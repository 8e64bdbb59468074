"""Long-running helper processes a command starts and later finds again (the sandbox, a plugin's Ray head).

A command records the process's pid in a state file; these functions tell whether that pid is still the
process it started (not a reused pid: its command line must hold ``marker``), stop it, and show the end of its
log when it fails to start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path


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

"""Starting, finding and stopping the sandbox process, for ``pyflyte sandbox start|status|stop``.

A running sandbox leaves ``sandbox.json`` in its state directory (pid, ports, start time); the pid file
is the lock: a second start finds the running one, and a pid file whose process is gone (or is not a
sandbox) is stale and replaced.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from flyte_core.background_process import is_running, start_detached, terminate

DEFAULT_STATE_DIR = Path("~/.flyte/sandbox")
DEFAULT_GRPC_PORT = 30080
DEFAULT_HTTP_PORT = 30081
INFO_FILE = "sandbox.json"
PID_FILE = "sandbox.pid"
CONFIG_FILE = "config.yaml"
LOG_FILE = "server.log"
_MARKER = b"flyte_core.sandbox"
"""What a sandbox process's command line holds (``python -m flyte_core.sandbox.server``)."""


class SandboxError(Exception):
    """The sandbox could not be started, found or stopped; the message says why and what to do."""


@dataclass(frozen=True)
class RunningSandbox:
    """What a running sandbox wrote about itself."""

    pid: int
    host: str
    grpc_port: int
    http_port: int
    state_dir: str
    started_at: float
    version: str
    blob_store: str = ""
    """Where blobs are kept (empty: ``<state_dir>/blobs``)."""

    @property
    def endpoint(self) -> str:
        return f"{_client_host(self.host)}:{self.grpc_port}"

    @property
    def console_url(self) -> str:
        return f"http://{_client_host(self.host)}:{self.http_port}/console"

    @property
    def config_path(self) -> Path:
        return Path(self.state_dir) / CONFIG_FILE

    def status(self, timeout: float = 2.0) -> dict[str, Any]:
        """The server's ``/status`` JSON (executions and tasks running...)."""
        url = f"http://{_client_host(self.host)}:{self.http_port}/status"
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return dict(json.loads(response.read()))


def _client_host(host: str) -> str:
    return "localhost" if host in ("127.0.0.1", "0.0.0.0", "::", "") else host


def state_dir(path: str | os.PathLike[str] | None) -> Path:
    return Path(path if path is not None else DEFAULT_STATE_DIR).expanduser().resolve()


def write_info(directory: Path, info: RunningSandbox) -> None:
    """Record a started sandbox (called by the server process itself once it serves)."""
    _atomic_write(directory / INFO_FILE, json.dumps(asdict(info), indent=2) + "\n")


def claim_pid_file(directory: Path) -> None:
    """Take the state directory for this process; another live sandbox there is an error."""
    directory.mkdir(parents=True, exist_ok=True)
    running = find_running(directory)
    if running is not None and running.pid != os.getpid():
        raise SandboxError(
            f"a sandbox is already running from {directory} (pid {running.pid}, {running.endpoint}); "
            "'pyflyte sandbox stop' stops it"
        )
    _atomic_write(directory / PID_FILE, f"{os.getpid()}\n")


def release_pid_file(directory: Path) -> None:
    """Give the state directory up (only if this process holds it)."""
    try:
        if (directory / PID_FILE).read_text().strip() != str(os.getpid()):
            return
    except FileNotFoundError:
        return
    for name in (INFO_FILE, PID_FILE):
        (directory / name).unlink(missing_ok=True)


def find_running(directory: Path) -> RunningSandbox | None:
    """The sandbox running from ``directory``, or None (a stale pid file is removed)."""
    pid_path = directory / PID_FILE
    try:
        pid = int(pid_path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    if not _is_sandbox_process(pid):
        for name in (PID_FILE, INFO_FILE):
            (directory / name).unlink(missing_ok=True)
        return None
    try:
        data = json.loads((directory / INFO_FILE).read_text())
        return RunningSandbox(**data)
    except (FileNotFoundError, ValueError, TypeError):
        # Starting: the pid file is written before the ports are known.
        return RunningSandbox(pid, "127.0.0.1", 0, 0, str(directory), 0.0, "")


def _is_sandbox_process(pid: int) -> bool:
    return is_running(pid, _MARKER)


def start_in_background(args: list[str], directory: Path, timeout: float = 30.0) -> RunningSandbox:
    """Start ``python -m flyte_core.sandbox.server <args>`` detached, and wait until it serves."""
    directory.mkdir(parents=True, exist_ok=True)
    log = open(directory / LOG_FILE, "ab")  # noqa: SIM115 - start_detached hands it to the child, then closes it
    command = [sys.executable, "-m", "flyte_core.sandbox.server", "--state-dir", str(directory), *args]

    def serving(pid: int) -> RunningSandbox | None:
        running = find_running(directory)
        if running is None or running.pid != pid or not running.grpc_port:
            return None
        try:
            running.status(timeout=1.0)
        except (urllib.error.URLError, OSError, ValueError):
            return None
        return running

    return start_detached(
        command, log, serving, what="the sandbox", marker=_MARKER, error=SandboxError, timeout=timeout
    )


def stop(directory: Path, timeout: float = 20.0) -> RunningSandbox | None:
    """Ask the running sandbox to stop (SIGTERM), wait for it; None when none was running."""
    running = find_running(directory)
    if running is None:
        return None
    terminate(running.pid, _MARKER, timeout)
    for name in (PID_FILE, INFO_FILE):
        (directory / name).unlink(missing_ok=True)
    return running


def _atomic_write(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(text)
    os.replace(partial, path)

"""The persistent local Ray head of ``pyflyte ray start``: its state file, starting, finding and stopping it.

The head is one process of ours (``python -m flyte_plugin_ray.head``) that starts a local Ray runtime and
keeps it until it is sent SIGTERM; its address is written to ``$FLYTE_RAY_HOME/head.json`` (default
``~/.flyte/ray``), where Ray tasks look for it. Ray tasks then attach in about a second instead of starting
a runtime of their own each time. Nothing here imports ``ray`` except the head process itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from flyte_core.background_process import is_running, start_detached, terminate

STATE_FILE = "head.json"
LOG_FILE = "head.log"
TOKEN_FILE = "auth_token"
_HEAD_MODULE = "flyte_plugin_ray.head"


class HeadError(Exception):
    """The head could not be started or stopped; the message says why and what to do."""


@dataclass(frozen=True)
class RunningHead:
    """A head started by ``pyflyte ray start``, as its state file records it."""

    pid: int
    address: str
    num_cpus: int
    started_at: float
    log: str
    auth_token_path: str = ""

    def client_environment(self) -> dict[str, str]:
        """What a driver attaching to the head needs in its environment: Ray's token authentication (Ray 2.5x+
        enables it for new clusters and, for an explicit address, only uses it when told to)."""
        if not self.auth_token_path:
            return {}
        return {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": self.auth_token_path}


def home() -> Path:
    """Where the head's state and log live: ``$FLYTE_RAY_HOME``, else ``~/.flyte/ray``."""
    configured = os.environ.get("FLYTE_RAY_HOME")
    return Path(configured).expanduser() if configured else Path.home() / ".flyte" / "ray"


def find_running(directory: Path | None = None) -> RunningHead | None:
    """The head recorded in ``directory`` if its process is alive, else None (a stale state file is removed)."""
    path = (directory or home()) / STATE_FILE
    try:
        head = RunningHead(**json.loads(path.read_text()))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError, TypeError):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)  # unreadable: not a head we can use or stop
        return None
    if not _is_head_process(head.pid):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return None
    return head


def start(num_cpus: int | None = None, directory: Path | None = None, timeout: float = 90.0) -> RunningHead:
    """Start a head in the background and wait until it serves; ``HeadError`` if one runs or it fails."""
    directory = directory or home()
    running = find_running(directory)
    if running is not None:
        raise HeadError(f"a Ray head is already running at {running.address} (pid {running.pid})")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        log = open(directory / LOG_FILE, "wb")  # noqa: SIM115 - handed to the child process
    except OSError as exc:
        raise HeadError(f"cannot write the Ray head's state to {directory}: {exc}; set FLYTE_RAY_HOME") from exc
    command = [sys.executable, "-m", _HEAD_MODULE, str(directory)]
    if num_cpus is not None:
        command.append(str(num_cpus))

    def started(pid: int) -> RunningHead | None:
        head = find_running(directory)
        return head if head is not None and head.pid == pid else None

    return start_detached(
        command,
        log,
        started,
        what="the Ray head",
        marker=_HEAD_MODULE.encode(),
        error=HeadError,
        timeout=timeout,
        poll=0.1,
        env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"},
        group=True,
    )


def stop(directory: Path | None = None, timeout: float = 30.0) -> RunningHead | None:
    """Stop the running head (its Ray processes with it); None when none was running."""
    directory = directory or home()
    head = find_running(directory)
    if head is None:
        return None
    terminate(head.pid, _HEAD_MODULE.encode(), timeout, group=True)  # its Ray processes are in the group
    (directory / STATE_FILE).unlink(missing_ok=True)
    return head


def _is_head_process(pid: int) -> bool:
    return is_running(pid, _HEAD_MODULE.encode())


def _serve(directory: Path, num_cpus: int | None) -> None:
    """The head process: start Ray, record its address, wait for SIGTERM/SIGINT, shut Ray down."""
    import secrets
    import threading

    token = directory / TOKEN_FILE
    if not token.exists():
        token.touch(mode=0o600)
        token.write_text(secrets.token_hex(32))
    os.environ.setdefault("RAY_AUTH_MODE", "token")
    os.environ["RAY_AUTH_TOKEN_PATH"] = str(token)

    import ray

    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    context = ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
    resources = ray.cluster_resources()
    head = RunningHead(
        pid=os.getpid(),
        address=str(context.address_info["gcs_address"]),
        num_cpus=int(resources.get("CPU", 0)),
        started_at=time.time(),
        log=str(directory / LOG_FILE),
        auth_token_path=str(token) if os.environ["RAY_AUTH_MODE"] == "token" else "",
    )
    state = directory / STATE_FILE
    partial = state.with_name(f".{state.name}.{os.getpid()}")
    partial.write_text(json.dumps(asdict(head), indent=2) + "\n")
    os.replace(partial, state)
    print(f"Ray head serving at {head.address} with {head.num_cpus} CPUs", flush=True)
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        try:
            if json.loads(state.read_text()).get("pid") == os.getpid():
                state.unlink()
        except (OSError, ValueError):
            pass
        ray.shutdown()
        print("Ray head stopped", flush=True)


if __name__ == "__main__":
    _serve(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else None)

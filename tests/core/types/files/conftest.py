"""Real files in ``tmp_path``, a real HTTP server, and a task-execution context whose "remote" store is fsspec's
in-memory filesystem (``memory://``), as a container's would be an object store."""

from __future__ import annotations

import functools
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from flyte_core.context import ExecutionParameters, ExecutionState, FlyteContext, FlyteContextManager
from flyte_core.data import FileAccessProvider


@dataclass
class Served:
    """A directory served over HTTP: ``url(name)`` is the URL of ``root / name``; ``requests`` the paths asked for."""

    root: Path
    base: str
    requests: list[str] = field(default_factory=list)

    def url(self, name: str) -> str:
        return f"{self.base}/{name}"


class _RecordingHandler(SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, served: Served, **kwargs: Any) -> None:
        self._served = served
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        self._served.requests.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[Served]:
    """A real HTTP server on a free loopback port serving ``tmp_path / "www"``."""
    root = tmp_path / "www"
    root.mkdir()
    served = Served(root, "")
    handler = functools.partial(_RecordingHandler, served=served, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    served.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def memory_prefix() -> Iterator[str]:
    """A fresh ``memory://`` raw output prefix, emptied afterwards."""
    import fsspec

    bucket = f"bucket-{uuid.uuid4().hex[:8]}"
    yield f"memory://{bucket}/raw"
    fs = fsspec.filesystem("memory")
    if fs.exists(f"/{bucket}"):
        fs.rm(f"/{bucket}", recursive=True)


TaskExecution = Callable[[], AbstractContextManager[FlyteContext]]


@pytest.fixture
def task_execution(tmp_path: Path, memory_prefix: str) -> TaskExecution:
    """``with task_execution() as ctx:`` runs code as a task in a container does: mode TASK_EXECUTION, the raw
    output prefix remote (``memory_prefix``), a local sandbox in ``tmp_path``."""

    @contextmanager
    def enter() -> Iterator[FlyteContext]:
        file_access = FileAccessProvider(local_sandbox_dir=tmp_path / "sandbox", raw_output_prefix=memory_prefix)
        builder = ExecutionParameters.new_builder()
        builder.working_dir = str(tmp_path / "work")
        builder.raw_output_prefix = memory_prefix
        state = ExecutionState(
            working_dir=str(tmp_path / "engine"),
            mode=ExecutionState.Mode.TASK_EXECUTION,
            user_space_params=builder.build(),
        )
        ctx = FlyteContextManager.current_context().new_builder()
        with FlyteContextManager.with_context(ctx.with_file_access(file_access).with_execution_state(state)) as c:
            yield c

    return enter


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (creating its directory) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def memory_files(prefix: str) -> dict[str, bytes]:
    """Every file under a ``memory://`` prefix, by path relative to it."""
    import fsspec

    fs = fsspec.filesystem("memory")
    root = fs._strip_protocol(prefix)
    return {os.path.relpath(p, root): fs.cat_file(p) for p in fs.find(root)}

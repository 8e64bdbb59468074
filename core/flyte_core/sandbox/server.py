"""The sandbox process: the gRPC services, the HTTP side and the engine, wired and run until stopped.

``python -m flyte_core.sandbox.server --state-dir DIR`` runs it in the foreground (``pyflyte sandbox
start`` starts it in the background). It takes the state directory's pid file, serves gRPC on
``--port`` and HTTP on ``--http-port``, writes ``sandbox.json`` and a flytectl ``config.yaml`` for clients,
resumes the executions a previous run left unfinished, and stops cleanly on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flyte_core.sandbox import lifecycle

if TYPE_CHECKING:
    from flyte_core.sandbox.blobs import BlobStore

logger = logging.getLogger("flyte_core.sandbox")


@dataclass(frozen=True)
class SandboxOptions:
    state_dir: Path
    host: str = "127.0.0.1"
    grpc_port: int = lifecycle.DEFAULT_GRPC_PORT
    http_port: int = lifecycle.DEFAULT_HTTP_PORT
    max_parallel_tasks: int = field(default_factory=lambda: os.cpu_count() or 2)
    image_environments: dict[str, str] = field(default_factory=dict)
    trace_rpcs: Path | None = None
    blob_store: str | None = None
    """A URL served by a file-access provider (``s3://bucket/prefix``); None: ``<state_dir>/blobs``."""


class SandboxServer:
    """Everything the sandbox runs, started and stopped together."""

    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self._stopped = threading.Event()
        self._components: list[Any] = []
        self.grpc_port = 0
        self.http_port = 0

    def start(self) -> None:
        import grpc

        from flyte_core._version import __version__
        from flyte_core.sandbox.http import SandboxHTTPServer

        directory = self.options.state_dir
        lifecycle.claim_pid_file(directory)
        blobs = _open_blobs(directory, self.options.blob_store)
        try:
            self.http = SandboxHTTPServer(blobs, self.options.host, self.options.http_port, status=self.status)
        except OSError as exc:
            raise lifecycle.SandboxError(
                f"cannot listen on {self.options.host}:{self.options.http_port} for HTTP ({exc.strerror}): "
                "choose another port with --http-port"
            ) from exc
        self.http.start()
        self.http_port = self.http.port
        from flyte_core.sandbox.console import ConsolePages
        from flyte_core.sandbox.engine.engine import LocalEngine
        from flyte_core.sandbox.engine.host import EngineSettings
        from flyte_core.sandbox.schedules import Scheduler
        from flyte_core.sandbox.services import SERVER_OPTIONS, add_services
        from flyte_core.sandbox.state import SandboxState

        self.state = SandboxState(directory / "state.db")
        interceptors = []
        if self.options.trace_rpcs is not None:
            from flyte_core.sandbox.trace import RpcTrace

            interceptors.append(RpcTrace(self.options.trace_rpcs))
        self.grpc = grpc.server(_thread_pool(), options=SERVER_OPTIONS, interceptors=interceptors)
        self.control_plane = add_services(
            self.grpc,
            self.state,
            blobs,
            None,
            self.http.base_url,
            version=__version__,
        )
        self.engine = LocalEngine(
            self.control_plane,
            EngineSettings(
                max_parallel_tasks=self.options.max_parallel_tasks,
                log_dir=directory / "logs",
                image_environments=dict(self.options.image_environments),
                extra_env={"FLYTECTL_CONFIG": str(directory / lifecycle.CONFIG_FILE)},
            ),
            work_dir=directory / "work",
        )
        self.control_plane.engine = self.engine
        self.http.serve_pages(ConsolePages(self.control_plane, directory / "logs"))
        self.scheduler = Scheduler(self.control_plane.active_schedules, self.control_plane.launch_scheduled)
        try:
            bound = self.grpc.add_insecure_port(f"{self.options.host}:{self.options.grpc_port}")
        except RuntimeError:
            bound = 0
        if not bound:
            raise lifecycle.SandboxError(
                f"cannot listen on {self.options.host}:{self.options.grpc_port} (in use?): choose another with --port"
            )
        self.grpc_port = bound
        self.engine.start()
        resumed = self.control_plane.resume_unfinished()
        if resumed:
            logger.info("resumed %d unfinished execution(s)", resumed)
        self.scheduler.start()
        self.grpc.start()
        self._started_at = time.time()
        info = lifecycle.RunningSandbox(
            pid=os.getpid(),
            host=self.options.host,
            grpc_port=self.grpc_port,
            http_port=self.http_port,
            state_dir=str(directory),
            started_at=self._started_at,
            version=__version__,
            blob_store=self.options.blob_store or "",
        )
        write_client_config(directory / lifecycle.CONFIG_FILE, info, _storage_section(self.options.blob_store))
        lifecycle.write_info(directory, info)
        logger.info("sandbox serving gRPC on %s and HTTP on %s", info.endpoint, self.http.base_url)

    def status(self) -> dict[str, Any]:
        state = getattr(self, "state", None)
        engine = getattr(self, "engine", None)
        return {
            "pid": os.getpid(),
            "grpc_port": self.grpc_port,
            "http_port": self.http_port,
            "started_at": getattr(self, "_started_at", None),
            "running_executions": _unfinished_executions(state) if state is not None else 0,
            "running_tasks": engine.running() if engine is not None else 0,
        }

    def wait(self) -> None:
        self._stopped.wait()

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        grpc_server = getattr(self, "grpc", None)
        if grpc_server is not None:
            grpc_server.stop(grace=2).wait()
        for component in ("scheduler", "engine"):
            running = getattr(self, component, None)
            if running is not None:
                running.stop()
        http = getattr(self, "http", None)
        if http is not None:
            http.stop()
        state = getattr(self, "state", None)
        if state is not None:
            state.close()
        lifecycle.release_pid_file(self.options.state_dir)


def _unfinished_executions(state: Any) -> int:
    row = state.all(
        "SELECT COUNT(*) AS n FROM executions WHERE phase NOT IN ('SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT')", ()
    )
    return int(row[0]["n"]) if row else 0


def _thread_pool() -> Any:
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=32, thread_name_prefix="sandbox-grpc")


def _open_blobs(directory: Path, location: str | None) -> BlobStore:
    """The blob store (checked with a probe object when it is not the local directory)."""
    from flyte_core.data.errors import FileAccessUnavailableError
    from flyte_core.sandbox.blobs import ObjectBlobStore, load_or_create_secret, open_blob_store

    secret = load_or_create_secret(directory / "secret.key")
    try:
        blobs = open_blob_store(location or directory / "blobs", secret)
        if isinstance(blobs, ObjectBlobStore):
            blobs.check()
    except FileAccessUnavailableError as exc:
        raise lifecycle.SandboxError(f"--blob-store {location}: {exc}") from exc
    except Exception as exc:  # whatever the store's library raises: the sandbox does not start
        raise lifecycle.SandboxError(
            f"--blob-store {location}: cannot write, read and delete a probe object there: {exc}"
        ) from exc
    return blobs


def _storage_section(location: str | None) -> str:
    """The config's ``storage`` section for an ``s3://`` blob store: the S3 settings this sandbox runs with, so
    task processes and clients (flytekit too) reach the blobs with them; empty for other stores."""
    if not location or not location.startswith(("s3://", "s3a://")):
        return ""
    from flyte_core.config.data import S3Config

    s3 = S3Config.auto()
    connection = {
        "endpoint": s3.endpoint,
        "access-key": s3.access_key_id,
        "secret-key": s3.secret_access_key,
        "region": s3.region,
        "auth-type": s3.auth_type,
        "disable-ssl": "true" if s3.disable_ssl else None,
    }
    lines = [f"    {key}: {json.dumps(value)}" for key, value in connection.items() if value]
    return "storage:\n  type: s3\n  connection:\n" + "\n".join(lines) + "\n" if lines else ""


def write_client_config(path: Path, info: lifecycle.RunningSandbox, storage: str = "") -> None:
    """A flytectl-format config for clients of this sandbox (flytekit and flyte-core read it alike); ``storage``
    is a ``storage:`` section (it may hold keys: the file is readable by its owner only)."""
    host = "localhost" if info.host in ("127.0.0.1", "0.0.0.0", "::") else info.host
    text = (
        "# Written by 'pyflyte sandbox start'. Use it with: export FLYTECTL_CONFIG=" + str(path) + "\n"
        "admin:\n"
        f"  endpoint: dns:///{host}:{info.grpc_port}\n"
        "  insecure: true\n"
        "console:\n"
        f"  endpoint: http://{host}:{info.http_port}\n"
        "logger:\n"
        "  show-source: true\n"
        "  level: 0\n"
        f"{storage}"
    )
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(partial, path)


def parse_args(argv: Sequence[str]) -> SandboxOptions:
    parser = argparse.ArgumentParser(prog="python -m flyte_core.sandbox.server", description=__doc__)
    parser.add_argument("--state-dir", default=str(lifecycle.DEFAULT_STATE_DIR))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=lifecycle.DEFAULT_GRPC_PORT)
    parser.add_argument("--http-port", type=int, default=lifecycle.DEFAULT_HTTP_PORT)
    parser.add_argument("--max-parallel", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--image-env", action="append", default=[], metavar="IMAGE=PYTHON_PREFIX")
    parser.add_argument("--trace-rpcs", type=Path, default=None, metavar="FILE", help="log every request to FILE")
    parser.add_argument("--blob-store", default=None, metavar="URL", help="keep blobs there (default: STATE_DIR/blobs)")
    args = parser.parse_args(list(argv))
    images = {}
    for item in args.image_env:
        image, sep, prefix = item.partition("=")
        if not sep or not image or not prefix:
            parser.error(f"--image-env '{item}' is not IMAGE=PYTHON_PREFIX")
        images[image] = prefix
    return SandboxOptions(
        state_dir=lifecycle.state_dir(args.state_dir),
        host=args.host,
        grpc_port=args.port,
        http_port=args.http_port,
        max_parallel_tasks=max(1, args.max_parallel),
        image_environments=images,
        trace_rpcs=args.trace_rpcs.absolute() if args.trace_rpcs else None,
        blob_store=args.blob_store,
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server = SandboxServer(options)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: server.stop())
    try:
        server.start()
    except lifecycle.SandboxError as exc:
        logger.error("%s", exc)
        server.stop()
        return 1
    except Exception:
        logger.exception("the sandbox failed to start")
        server.stop()
        return 1
    server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())

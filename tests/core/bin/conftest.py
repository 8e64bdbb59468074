"""Running the installed container entrypoints on real files: a task package, inputs.pb, an output prefix."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import socketserver
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import errors_pb2, literals_pb2

from flyte_core.context import FlyteContextManager
from flyte_core.types.type_engine import TypeEngine

BIN = Path(sys.executable).parent

# Environment variables of the backend and of the entrypoints that must not leak in from the test run.
_BACKEND_VARIABLES = (
    "FLYTE_FAIL_ON_ERROR",
    "FLYTE_INTERNAL_DIST_ERROR_STRATEGY",
    "_F_DES",
    "_F_SS_C",
    "_F_L_MIN_SIZE_MB",
    "BATCH_JOB_ARRAY_INDEX_VAR_NAME",
    "BATCH_JOB_ARRAY_INDEX_OFFSET",
    "PYTHONPATH",
)


def to_literal_map(values: dict[str, tuple[Any, Any]]) -> literals_pb2.LiteralMap:
    """``{"x": (3, int)}`` as a LiteralMap, converted by the type engine."""
    ctx = FlyteContextManager.current_context()
    return literals_pb2.LiteralMap(
        literals={
            name: TypeEngine.to_literal(ctx, value, python_type, TypeEngine.to_literal_type(python_type))
            for name, (value, python_type) in values.items()
        }
    )


def to_python(literal: literals_pb2.Literal, python_type: Any) -> Any:
    return TypeEngine.to_python_value(FlyteContextManager.current_context(), literal, python_type)


@contextlib.contextmanager
def http_server(directory: Path) -> Iterator[str]:
    """A real HTTP server for ``directory`` on a free port, for the duration of the block: its base URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    with socketserver.TCPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()


@dataclass
class Project:
    """A directory holding the task package ``app``, where the entrypoints run."""

    root: Path

    def write(self, name: str, source: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
        return path

    def inputs(self, name: str = "inputs.pb", **values: tuple[Any, Any]) -> Path:
        path = self.root / name
        path.write_bytes(to_literal_map(values).SerializeToString())
        return path

    def run(
        self, script: str, *args: str | os.PathLike[str], env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        environ = {k: v for k, v in os.environ.items() if k not in _BACKEND_VARIABLES}
        environ.update(env or {})
        return subprocess.run(
            [str(BIN / script), *map(str, args)],
            cwd=cwd or self.root,
            env=environ,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def execute(
        self, task: str, inputs: Path, out: str = "out", module: str = "app.tasks", **kwargs: Any
    ) -> subprocess.CompletedProcess[str]:
        """``pyflyte-execute`` of ``module.task`` with flytekit's serialized arguments."""
        return self.run(
            "pyflyte-execute",
            "--inputs",
            inputs,
            "--output-prefix",
            self.root / out,
            "--raw-output-data-prefix",
            self.root / "raw",
            "--checkpoint-path",
            "{{.checkpointOutputPrefix}}",
            "--prev-checkpoint",
            "{{.prevCheckpointPrefix}}",
            "--resolver",
            "flytekit.core.python_auto_container.default_task_resolver",
            "--",
            "task-module",
            module,
            "task-name",
            task,
            **kwargs,
        )

    def outputs(self, out: str = "out") -> literals_pb2.LiteralMap:
        return literals_pb2.LiteralMap.FromString((self.root / out / "outputs.pb").read_bytes())

    def error(self, out: str = "out", name: str = "error.pb") -> errors_pb2.ContainerError:
        return errors_pb2.ErrorDocument.FromString((self.root / out / name).read_bytes()).error


@pytest.fixture
def project(tmp_path: Path) -> Project:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    return Project(tmp_path)

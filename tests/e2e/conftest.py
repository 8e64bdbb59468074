"""End-to-end: a real sandbox process on free loopback ports, and clients driving it as users do."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from flyte_core.sandbox import lifecycle

FLYTEKIT_VENV = Path(__file__).parents[2] / "benchmarks" / ".venv-flytekit-core"
FLYTEKIT_IMAGE = "ghcr.io/flyte-core/flytekit-e2e:v1"
"""The image flytekit-registered tasks name; the sandbox runs them with the flytekit venv."""
OTHER_FLYTEKIT_IMAGES = ("ghcr.io/example/other:v2",)
"""Images the examples name themselves (task_config's container_image), also run with the flytekit venv."""


@pytest.fixture(scope="module")
def flytekit_python() -> Path:
    python = FLYTEKIT_VENV / "bin" / "python"
    if not python.exists():
        pytest.skip(f"the reference flytekit venv is not installed at {FLYTEKIT_VENV} (make test installs it)")
    return python


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory, flytekit_python: Path) -> Iterator[lifecycle.RunningSandbox]:
    """A sandbox on free ports whose flytekit image runs in the reference flytekit venv."""
    directory = tmp_path_factory.mktemp("sandbox")
    args = ["--port", "0", "--http-port", "0", "--max-parallel", str(max(4, os.cpu_count() or 2))]
    for image in (FLYTEKIT_IMAGE, *OTHER_FLYTEKIT_IMAGES):
        args += ["--image-env", f"{image}={FLYTEKIT_VENV}"]
    running = lifecycle.start_in_background(args, directory)
    yield running
    lifecycle.stop(directory)
    log = directory / lifecycle.LOG_FILE
    if log.exists() and os.environ.get("FLYTE_E2E_KEEP_LOG"):
        shutil.copy(log, Path.cwd() / "sandbox-e2e.log")

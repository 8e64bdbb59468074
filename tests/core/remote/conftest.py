"""A real sandbox on free loopback ports for the client tests, and clients pointed at it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from flyte_core.sandbox import lifecycle

EXAMPLES = Path(__file__).parents[3] / "examples"


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lifecycle.RunningSandbox]:
    """One sandbox for the session (tasks run with this environment's flyte-core)."""
    directory = tmp_path_factory.mktemp("sandbox")
    args = ["--port", "0", "--http-port", "0", "--max-parallel", str(max(4, os.cpu_count() or 2))]
    running = lifecycle.start_in_background(args, directory)
    yield running
    lifecycle.stop(directory)


@pytest.fixture
def sandbox_config(sandbox: lifecycle.RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sandbox's config file, made the process's config (``FLYTECTL_CONFIG``) for the test."""
    monkeypatch.setenv("FLYTECTL_CONFIG", str(sandbox.config_path))
    monkeypatch.delenv("FLYTE_PLATFORM_URL", raising=False)
    monkeypatch.delenv("_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE", raising=False)
    return sandbox.config_path


@pytest.fixture
def remote(sandbox_config: Path) -> Iterator[object]:
    from flyte_core.configuration import Config
    from flyte_core.remote import FlyteRemote

    client = FlyteRemote(Config.auto(str(sandbox_config)), default_project="flytesnacks", default_domain="development")
    yield client
    client.close()

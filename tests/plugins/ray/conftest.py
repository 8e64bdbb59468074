"""Fixtures for the flyte-plugin-ray tests: the plugin on a fresh manager, serialization settings, a Ray head.

Starting Ray takes seconds, so the tests that run Ray share one head, started with ``pyflyte ray start`` in a
FLYTE_RAY_HOME of their own (the way a user saves the start-up on every run) and stopped after the last test
of this package; tasks run in this process, in ``pyflyte`` / ``pyflyte-execute`` subprocesses and in the
sandbox attach to it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import flyte_plugin_ray.plugin
import pytest
from flyte_plugin_ray import head as ray_head

from flyte_core.plugins.manager import FlytePluginManager
from flyte_core.plugins.testing import register_plugin

PYFLYTE = str(Path(sys.executable).parent / "pyflyte")
NUM_CPUS = 2


@pytest.fixture
def ray_plugin(flyte_plugin_manager: FlytePluginManager) -> Iterator[FlytePluginManager]:
    """The built-ins plus this plugin, as its entry point registers it."""
    with register_plugin(flyte_plugin_ray.plugin, name="ray", manager=flyte_plugin_manager) as manager:
        yield manager


def pyflyte_ray(*args: str, home: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``pyflyte ray ARGS`` with FLYTE_RAY_HOME=home."""
    env = {**os.environ, "FLYTE_RAY_HOME": str(home), "RAY_USAGE_STATS_ENABLED": "0"}
    env.pop("RAY_ADDRESS", None)
    return subprocess.run([PYFLYTE, "ray", *args], capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture(scope="package")
def ray_head_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A Ray head started by ``pyflyte ray start`` for these tests; FLYTE_RAY_HOME points at it meanwhile."""
    home = tmp_path_factory.mktemp("ray-home")
    started = pyflyte_ray("start", "--num-cpus", str(NUM_CPUS), home=home)
    assert started.returncode == 0, started.stdout + started.stderr
    saved = {name: os.environ.get(name) for name in ("FLYTE_RAY_HOME", "RAY_ADDRESS", "RAY_USAGE_STATS_ENABLED")}
    os.environ.update(FLYTE_RAY_HOME=str(home), RAY_USAGE_STATS_ENABLED="0")
    os.environ.pop("RAY_ADDRESS", None)
    try:
        yield home
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        stopped = pyflyte_ray("stop", home=home)
        assert stopped.returncode == 0, stopped.stderr
        assert ray_head.find_running(home) is None


@pytest.fixture
def ray_head_running(ray_head_home: Path) -> ray_head.RunningHead:
    """The shared head, as its state file records it."""
    running = ray_head.find_running(ray_head_home)
    assert running is not None, "the shared Ray head is gone"
    return running

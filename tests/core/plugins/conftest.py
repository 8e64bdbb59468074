"""Real installs of small third-party plugin distributions, and a runner for the installed ``pyflyte``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

DISTRIBUTIONS = Path(__file__).parent / "distributions"
PYFLYTE = str(Path(sys.executable).parent / "pyflyte")

RunPyflyte = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def installed_plugins(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each test distribution built and pip-installed into its own ``--target`` directory."""
    targets = {}
    for name in ("hello_plugin", "broken_plugin", "clash_plugin"):
        target = tmp_path_factory.mktemp(f"site-{name}")
        build = tmp_path_factory.mktemp(f"build-{name}")
        subprocess.run(
            [
                sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                "--no-index", "--target", str(target), str(DISTRIBUTIONS / name),
            ],
            check=True,
            cwd=build,
            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        )  # fmt: skip
        targets[name] = target
    return targets


@pytest.fixture
def run_pyflyte(installed_plugins: dict[str, Path], tmp_path: Path) -> RunPyflyte:
    """Run the installed ``pyflyte`` with the given test plugins on PYTHONPATH."""

    def run(
        args: Sequence[str], plugins: Sequence[str] = (), env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE_") and k != "PYTHONPATH"}
        environ["FLYTE_CACHE_DIR"] = str(tmp_path / "cache")
        environ["PYTHONPATH"] = os.pathsep.join(str(installed_plugins[p]) for p in plugins)
        environ.update(env or {})
        return subprocess.run([PYFLYTE, *args], capture_output=True, text=True, env=environ, timeout=120)

    return run

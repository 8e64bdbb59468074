"""A small project for the CLI tests: registered once on the session sandbox with ``pyflyte register``.

``registered_project`` writes the package ``cliapp`` (greetings, a file output, a failing task, a launch plan
with its own default) and registers it; ``finished_executions`` runs three of its workflows once, side by side,
and waits for them. Both are cached per sandbox so every CLI test module shares them.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PYFLYTE = str(Path(sys.executable).parent / "pyflyte")
PACKAGE = "cliapp"
POLL = datetime.timedelta(milliseconds=100)

CODE = """
from flyte_core import LaunchPlan, task, workflow
from flyte_core.types.file.file import FlyteFile


@task
def greet(name: str) -> str:
    return f"hello {name}"


@workflow
def greet_wf(name: str = "world") -> str:
    return greet(name=name)


greet_lp = LaunchPlan.get_or_create(greet_wf, name="greet_lp", default_inputs={"name": "launch plan"})


@task
def write(text: str) -> FlyteFile:
    with open("greeting.txt", "w") as f:
        f.write(text)
    return FlyteFile("greeting.txt")


@workflow
def files_wf(text: str = "hi") -> FlyteFile:
    return write(text=text)


@task
def count_lines(f: FlyteFile) -> int:
    with open(f) as handle:
        return len(handle.read().splitlines())


@task
def boom(x: int) -> int:
    if x > 0:
        raise ValueError(f"boom {x}")
    return x


@workflow
def failing_wf(x: int = 1) -> int:
    return boom(x=x)
"""


@dataclass(frozen=True)
class RegisteredProject:
    """Where the project is, what registering it printed, and the version it got."""

    root: Path
    stdout: str
    stderr: str
    version: str


def write_package(root: Path, package: str, code: str = CODE) -> Path:
    """``root/<package>/flows.py`` with ``code`` (and the ``__init__.py`` making it a package)."""
    folder = root / package
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "__init__.py").write_text("")
    (folder / "flows.py").write_text(textwrap.dedent(code))
    return folder


def pyflyte(config: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``pyflyte`` console script against the sandbox whose config file is ``config``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_FLYTECTL"))}
    env["FLYTECTL_CONFIG"] = str(config)
    return subprocess.run([PYFLYTE, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def computed_version(stderr: str) -> str:
    """The version ``pyflyte register`` computed (from its 'Computed version is V' line)."""
    lines = [line for line in stderr.splitlines() if line.startswith("Computed version is ")]
    assert lines, stderr
    return lines[-1].rsplit(" ", 1)[1]


_PROJECTS: dict[str, RegisteredProject] = {}
_EXECUTIONS: dict[str, dict[str, Any]] = {}


def registered_project(sandbox: Any, root: Path) -> RegisteredProject:
    """The ``cliapp`` project under ``root``, registered on ``sandbox`` (once per sandbox)."""
    if sandbox.endpoint not in _PROJECTS:
        write_package(root, PACKAGE)
        result = pyflyte(sandbox.config_path, root, "register", PACKAGE)
        assert result.returncode == 0, result.stderr
        _PROJECTS[sandbox.endpoint] = RegisteredProject(
            root, result.stdout, result.stderr, computed_version(result.stderr)
        )
    return _PROJECTS[sandbox.endpoint]


def finished_executions(sandbox: Any, remote: Any, root: Path) -> dict[str, Any]:
    """Executions of ``greet_wf`` (name 'cli'), ``files_wf`` (text 'one\\ntwo') and ``failing_wf``, done."""
    if sandbox.endpoint not in _EXECUTIONS:
        project = registered_project(sandbox, root)

        def launch(workflow: str, **inputs: Any) -> Any:
            plan = remote.fetch_launch_plan(name=f"{PACKAGE}.flows.{workflow}", version=project.version)
            return remote.execute(plan, inputs=inputs)

        started = {
            "greet": launch("greet_wf", name="cli"),
            "files": launch("files_wf", text="one\ntwo"),
            "failing": launch("failing_wf", x=3),
        }
        _EXECUTIONS[sandbox.endpoint] = {
            key: remote.wait(execution, timeout=60, poll_interval=POLL) for key, execution in started.items()
        }
    return _EXECUTIONS[sandbox.endpoint]

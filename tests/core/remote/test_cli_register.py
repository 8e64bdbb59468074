"""``pyflyte register`` against the session sandbox: Python sources, packages from ``pyflyte package``, failures.

Each command runs as a subprocess, as a user runs it: registration registers every entity the process made.
"""

from __future__ import annotations

import io
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import pytest

from flyte_core.exceptions.user import FlyteEntityNotExistException
from tests.core.remote.cli_project import (
    PACKAGE,
    POLL,
    RegisteredProject,
    computed_version,
    pyflyte,
    registered_project,
    write_package,
)

SMALL = """
from flyte_core import task, workflow


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def double_wf(x: int = 2) -> int:
    return double(x=x)
"""


@pytest.fixture
def project(sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> RegisteredProject:
    return registered_project(sandbox, tmp_path_factory.getbasetemp() / "cli-project")


def test_register_sources_prints_each_entity_and_the_total(project: RegisteredProject) -> None:
    lines = project.stdout.splitlines()
    assert f"[✔] Task: {PACKAGE}.flows.greet" in lines
    assert f"[✔] Workflow: {PACKAGE}.flows.greet_wf" in lines
    assert f"[✔] Launch Plan: {PACKAGE}.flows.greet_wf" in lines
    assert "[✔] Launch Plan: greet_lp" in lines
    assert lines[-1] == "Successfully registered 11 entities"
    assert "Uploaded the code archive" in project.stderr


def test_registered_entities_carry_the_computed_version(project: RegisteredProject, remote: Any) -> None:
    task = remote.fetch_task(name=f"{PACKAGE}.flows.greet", version=project.version)
    args = list(task.template.container.args)
    assert args[0] == "pyflyte-fast-execute"  # fast registered: the task unpacks the uploaded code first
    assert remote.fetch_launch_plan(name="greet_lp").version == project.version


def test_registering_unchanged_code_again_keeps_the_version(project: RegisteredProject, sandbox: Any) -> None:
    again = pyflyte(sandbox.config_path, project.root, "register", PACKAGE)
    assert again.returncode == 0, again.stderr
    assert computed_version(again.stderr) == project.version
    assert again.stdout.splitlines()[-1] == "Successfully registered 11 entities"


def test_package_built_by_pyflyte_package_registers_and_runs(sandbox: Any, remote: Any, tmp_path: Path) -> None:
    write_package(tmp_path, "cli_packaged", SMALL)
    built = pyflyte(sandbox.config_path, tmp_path, "--pkgs", "cli_packaged", "package", "--copy", "all", "-d", ".")
    assert built.returncode == 0, built.stderr
    result = pyflyte(sandbox.config_path, tmp_path, "register", "-v", "pkg-v1", "flyte-package.tgz")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "[✔] Task: cli_packaged.flows.double",
        "[✔] Workflow: cli_packaged.flows.double_wf",
        "[✔] Launch Plan: cli_packaged.flows.double_wf",
        "Successfully registered 3 entities",
    ]
    plan = remote.fetch_launch_plan(name="cli_packaged.flows.double_wf", version="pkg-v1")
    execution = remote.wait(remote.execute(plan, inputs={"x": 21}), timeout=60, poll_interval=POLL)
    assert execution.is_successful, execution.error
    assert execution.outputs["o0"] == 42


def test_dry_run_lists_the_entities_and_registers_nothing(sandbox: Any, remote: Any, tmp_path: Path) -> None:
    write_package(tmp_path, "cli_dry", SMALL)
    result = pyflyte(sandbox.config_path, tmp_path, "register", "--dry-run", "cli_dry")
    assert result.returncode == 0, result.stderr
    assert "[✔] Task: cli_dry.flows.double (Dry run Mode)" in result.stdout
    assert "Dry run: 3 entities would be registered" in result.stdout
    with pytest.raises(FlyteEntityNotExistException):
        remote.fetch_task(name="cli_dry.flows.double")


def test_activate_launchplans_activates_each_registered_launch_plan(sandbox: Any, remote: Any, tmp_path: Path) -> None:
    write_package(tmp_path, "cli_active", SMALL)
    result = pyflyte(sandbox.config_path, tmp_path, "register", "--activate-launchplans", "cli_active/flows.py")
    assert result.returncode == 0, result.stderr
    assert "[✔] Launch Plan: cli_active.flows.double_wf (Activated)" in result.stdout
    active = remote.fetch_active_launchplan(name="cli_active.flows.double_wf")
    assert active is not None and active.version == computed_version(result.stderr)


@pytest.fixture
def folder_missing_a_task(sandbox: Any, tmp_path: Path) -> Path:
    """``pyflyte serialize`` output of a project whose task file was removed: its workflow cannot compile."""
    write_package(tmp_path, "cli_broken", SMALL)
    (tmp_path / "out").mkdir()
    made = pyflyte(sandbox.config_path, tmp_path, "--pkgs", "cli_broken", "serialize", "workflows", "-f", "out")
    assert made.returncode == 0, made.stderr
    (tmp_path / "out" / "0_cli_broken.flows.double_1.pb").unlink()
    return tmp_path / "out"


def test_first_failing_entity_stops_registration_naming_it(sandbox: Any, folder_missing_a_task: Path) -> None:
    result = pyflyte(sandbox.config_path, folder_missing_a_task, "register", "-v", "broken-v1", ".")
    assert result.returncode == 1
    assert "[✘] Workflow: cli_broken.flows.double_wf (Failed)" in result.stdout
    assert "Launch Plan" not in result.stdout  # nothing is sent after the first failure
    assert "registering workflow 'cli_broken.flows.double_wf' failed: CreateWorkflow:" in result.stderr
    assert "cli_broken.flows.double" in result.stderr and "Traceback" not in result.stderr


def test_skip_errors_goes_on_and_reports_every_failure(sandbox: Any, folder_missing_a_task: Path) -> None:
    result = pyflyte(sandbox.config_path, folder_missing_a_task, "register", "--skip-errors", "-v", "broken-v2", ".")
    assert result.returncode == 1
    assert "[✘] Workflow: cli_broken.flows.double_wf (Failed)" in result.stdout
    assert "[✘] Launch Plan: cli_broken.flows.double_wf (Failed)" in result.stdout
    assert "2 of 2 entities failed to register" in result.stderr
    assert "launch plan 'cli_broken.flows.double_wf': CreateLaunchPlan:" in result.stderr
    assert "Traceback" not in result.stderr


def test_copy_none_without_version_is_a_usage_error(sandbox: Any, tmp_path: Path) -> None:
    write_package(tmp_path, "cli_noversion", SMALL)
    result = pyflyte(sandbox.config_path, tmp_path, "register", "--copy", "none", "cli_noversion")
    assert result.returncode == 2
    assert "--copy none needs --version" in result.stderr


def test_a_module_that_fails_to_import_is_named_without_traceback(sandbox: Any, tmp_path: Path) -> None:
    write_package(tmp_path, "cli_syntax", "def broken(:\n")
    result = pyflyte(sandbox.config_path, tmp_path, "register", "cli_syntax")
    assert result.returncode == 1
    assert "flows.py:1: syntax error" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_package_with_a_member_escaping_its_folder_is_refused(sandbox: Any, tmp_path: Path) -> None:
    name = f"escaped-{tmp_path.name}.pb"
    with tarfile.open(tmp_path / "evil.tgz", "w:gz") as tar:
        info = tarfile.TarInfo(f"../{name}")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    result = pyflyte(sandbox.config_path, tmp_path, "register", "-v", "evil-v1", "evil.tgz")
    assert result.returncode == 1
    assert f"member '../{name}' would be written outside the destination" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (Path(tempfile.gettempdir()) / name).exists()

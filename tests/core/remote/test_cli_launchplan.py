"""``pyflyte launchplan --activate/--deactivate NAME [VERSION]`` against the session sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.core.remote.cli_project import RegisteredProject, registered_project


@pytest.fixture
def project(sandbox: Any, tmp_path_factory: pytest.TempPathFactory, sandbox_config: Path) -> RegisteredProject:
    return registered_project(sandbox, tmp_path_factory.getbasetemp() / "cli-project")


def test_activate_then_deactivate_the_newest_version(project: RegisteredProject, flyte_cli: Any, remote: Any) -> None:
    activated = flyte_cli.invoke(["launchplan", "--activate", "greet_lp"])
    assert activated.exit_code == 0, activated.output
    assert f"Launchplan was set to ACTIVE: greet_lp:{project.version}" in activated.output
    assert remote.fetch_active_launchplan(name="greet_lp").version == project.version

    deactivated = flyte_cli.invoke(["launchplan", "--deactivate", "greet_lp"])
    assert deactivated.exit_code == 0, deactivated.output
    assert f"Launchplan was set to INACTIVE: greet_lp:{project.version}" in deactivated.output
    assert remote.fetch_active_launchplan(name="greet_lp") is None


def test_a_given_version_is_the_one_activated(project: RegisteredProject, flyte_cli: Any, remote: Any) -> None:
    name = "cliapp.flows.files_wf"
    result = flyte_cli.invoke(
        ["launchplan", "-p", "flytesnacks", "-d", "development", "--activate", name, project.version]
    )
    assert result.exit_code == 0, result.output
    assert remote.fetch_active_launchplan(name=name).version == project.version


def test_unknown_launch_plan_is_a_one_line_error_naming_it(project: RegisteredProject, flyte_cli: Any) -> None:
    result = flyte_cli.invoke(["launchplan", "--activate", "no_such_lp"])
    assert result.exit_code == 1
    assert "activating launch plan 'no_such_lp' failed" in result.output
    assert "no launch plan named 'no_such_lp' is registered in flytesnacks/development" in result.output
    assert "Traceback" not in result.output


def test_unknown_version_names_the_version(project: RegisteredProject, flyte_cli: Any) -> None:
    result = flyte_cli.invoke(["launchplan", "--deactivate", "greet_lp", "v-unknown"])
    assert result.exit_code == 1
    assert "greet_lp@v-unknown" in result.output


def test_activate_or_deactivate_must_be_given(flyte_cli: Any) -> None:
    result = flyte_cli.invoke(["launchplan", "greet_lp"])
    assert result.exit_code == 2
    assert "--activate or --deactivate" in result.output

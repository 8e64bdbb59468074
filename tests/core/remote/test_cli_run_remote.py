"""``pyflyte run remote-launchplan|remote-workflow|remote-task [NAME[:VERSION]]`` against the session sandbox."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.core.remote.cli_project import PACKAGE, RegisteredProject, registered_project

EXECUTION = re.compile(r"/executions/(\S+) to see execution")


@pytest.fixture
def project(sandbox: Any, tmp_path_factory: pytest.TempPathFactory, sandbox_config: Path) -> RegisteredProject:
    return registered_project(sandbox, tmp_path_factory.getbasetemp() / "cli-project")


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("remote-launchplan", {"greet_lp", f"{PACKAGE}.flows.greet_wf"}),
        ("remote-workflow", {f"{PACKAGE}.flows.greet_wf", f"{PACKAGE}.flows.files_wf"}),
        ("remote-task", {f"{PACKAGE}.flows.greet", f"{PACKAGE}.flows.count_lines"}),
    ],
)
def test_without_a_name_the_registered_names_are_listed(
    project: RegisteredProject, flyte_cli: Any, group: str, expected: set[str]
) -> None:
    result = flyte_cli.invoke(["run", "--limit", "500", group])
    assert result.exit_code == 0, result.output
    names = set(result.stdout.splitlines())
    assert expected <= names
    assert "greet_lp" not in names or group == "remote-launchplan"


def test_run_lists_the_remote_groups(flyte_cli: Any) -> None:
    result = flyte_cli.invoke(["run", "--help"])
    assert result.exit_code == 0, result.output
    for group in ("remote-launchplan", "remote-workflow", "remote-task"):
        assert group in result.output


def test_help_shows_one_option_per_input_with_the_launch_plan_default(
    project: RegisteredProject, flyte_cli: Any
) -> None:
    result = flyte_cli.invoke(["run", "remote-launchplan", "greet_lp", "--help"])
    assert result.exit_code == 0, result.output
    assert "--name TEXT" in result.output
    assert "[default: launch plan]" in result.output
    assert f"version {project.version}" in result.output


def test_a_launch_plan_runs_with_its_default_and_wait_prints_the_output(
    project: RegisteredProject, flyte_cli: Any
) -> None:
    result = flyte_cli.invoke(["run", "--wait", "remote-launchplan", "greet_lp"])
    assert result.exit_code == 0, result.output
    assert "/console/projects/flytesnacks/domains/development/executions/" in result.stdout
    assert result.stdout.splitlines()[-1] == "hello launch plan"


def test_a_task_runs_with_a_local_file_uploaded(
    project: RegisteredProject, flyte_cli: Any, remote: Any, tmp_path: Path
) -> None:
    lines = tmp_path / "lines.txt"
    lines.write_text("a\nb\nc\n")
    name = f"{PACKAGE}.flows.count_lines:{project.version}"
    result = flyte_cli.invoke(["run", "--wait", "remote-task", name, "--f", str(lines)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "3"
    execution = remote.fetch_execution(name=EXECUTION.search(result.stdout).group(1))  # type: ignore[union-attr]
    uploaded = execution.inputs.literals["f"].scalar.blob.uri
    assert uploaded != str(lines) and uploaded.endswith("lines.txt")  # the data proxy's copy, not the local file


def test_a_workflow_runs_with_the_given_inputs_and_options(
    project: RegisteredProject, flyte_cli: Any, remote: Any
) -> None:
    result = flyte_cli.invoke(
        ["run", "--label", "team=cli", "remote-workflow", f"{PACKAGE}.flows.greet_wf", "--name", "workflow"]
    )
    assert result.exit_code == 0, result.output
    execution = remote.fetch_execution(name=EXECUTION.search(result.stdout).group(1))  # type: ignore[union-attr]
    assert dict(execution.spec.labels.values) == {"team": "cli"}
    assert execution.inputs.literals["name"].scalar.primitive.string_value == "workflow"


def test_a_required_input_that_is_missing_is_a_usage_error(project: RegisteredProject, flyte_cli: Any) -> None:
    result = flyte_cli.invoke(["run", "remote-task", f"{PACKAGE}.flows.greet"])
    assert result.exit_code == 2
    assert "Missing option '--name'" in result.output


def test_an_unknown_name_is_a_one_line_error_naming_it(project: RegisteredProject, flyte_cli: Any) -> None:
    result = flyte_cli.invoke(["run", "remote-launchplan", "no_such_plan"])
    assert result.exit_code == 1
    assert "fetching launch plan 'no_such_plan' failed" in result.output
    assert "no launch plan named 'no_such_plan' is registered in flytesnacks/development" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_version_names_it(project: RegisteredProject, flyte_cli: Any) -> None:
    result = flyte_cli.invoke(["run", "remote-task", f"{PACKAGE}.flows.greet:v-unknown", "--name", "x"])
    assert result.exit_code == 1
    assert f"{PACKAGE}.flows.greet@v-unknown" in result.output

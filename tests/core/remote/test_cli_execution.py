"""``pyflyte execution --execution-id NAME relaunch|recover`` against the session sandbox."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.core.remote.cli_project import finished_executions

NEW_EXECUTION = re.compile(r"Launched execution (\S+)")


@pytest.fixture
def executions(sandbox: Any, remote: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return finished_executions(sandbox, remote, tmp_path_factory.getbasetemp() / "cli-project")


def test_relaunch_starts_the_execution_again_with_its_inputs(
    executions: dict[str, Any], flyte_cli: Any, remote: Any, sandbox: Any
) -> None:
    original = executions["greet"]
    result = flyte_cli.invoke(["execution", "--execution-id", original.name, "relaunch"])
    assert result.exit_code == 0, result.output
    name = NEW_EXECUTION.search(result.output).group(1)  # type: ignore[union-attr]
    assert name != original.name
    console = sandbox.console_url.rstrip("/")  # http://host:port/console
    assert f"{console}/projects/flytesnacks/domains/development/executions/{name}" in result.output
    relaunched = remote.fetch_execution(name=name)
    assert relaunched.inputs.literals["name"] == original.inputs.literals["name"]


def test_recover_starts_a_failed_execution_again(executions: dict[str, Any], flyte_cli: Any, remote: Any) -> None:
    failed = executions["failing"]
    assert not failed.is_successful
    result = flyte_cli.invoke(
        ["execution", "-p", "flytesnacks", "-d", "development", "--execution-id", failed.name, "recover"]
    )
    assert result.exit_code == 0, result.output
    name = NEW_EXECUTION.search(result.output).group(1)  # type: ignore[union-attr]
    assert remote.fetch_execution(name=name).name == name


def test_an_unknown_execution_is_a_one_line_error_naming_it(sandbox_config: Path, flyte_cli: Any) -> None:
    result = flyte_cli.invoke(["execution", "--execution-id", "nosuchexecution", "relaunch"])
    assert result.exit_code == 1
    assert "relaunching execution 'nosuchexecution' in flytesnacks/development failed" in result.output
    assert "Traceback" not in result.output


def test_the_execution_id_is_required(flyte_cli: Any) -> None:
    result = flyte_cli.invoke(["execution", "recover"])
    assert result.exit_code == 2
    assert "--execution-id" in result.output

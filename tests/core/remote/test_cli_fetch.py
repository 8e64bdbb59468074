"""``pyflyte fetch [-r] FLYTE_URI [DOWNLOAD_TO]``: values of finished executions, downloads, and errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.core.remote.cli_project import finished_executions


@pytest.fixture
def executions(sandbox: Any, remote: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return finished_executions(sandbox, remote, tmp_path_factory.getbasetemp() / "cli-project")


def uri(execution: Any, rest: str) -> str:
    return f"flyte://v1/flytesnacks/development/{execution.name}/n0/{rest}"


def test_outputs_print_as_name_value_lines(executions: dict[str, Any], flyte_cli: Any) -> None:
    result = flyte_cli.invoke(["fetch", uri(executions["greet"], "o")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["o0: hello cli"]


def test_one_input_prints_its_value(executions: dict[str, Any], flyte_cli: Any) -> None:
    result = flyte_cli.invoke(["fetch", uri(executions["greet"], "i/name")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["cli"]


def test_a_file_output_downloads_to_the_given_path(executions: dict[str, Any], flyte_cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "greeting.txt"
    result = flyte_cli.invoke(["fetch", uri(executions["files"], "o/o0"), str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text() == "one\ntwo"


def test_all_outputs_download_under_the_directory_with_recursive(
    executions: dict[str, Any], flyte_cli: Any, tmp_path: Path
) -> None:
    result = flyte_cli.invoke(["fetch", "-r", uri(executions["files"], "o"), str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "o0").read_text() == "one\ntwo"


def test_downloading_several_values_needs_recursive(executions: dict[str, Any], flyte_cli: Any, tmp_path: Path) -> None:
    result = flyte_cli.invoke(["fetch", uri(executions["files"], "o"), str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "give -r to download them all" in result.output
    assert not (tmp_path / "out").exists()


def test_an_unknown_execution_is_a_one_line_error(sandbox_config: Path, flyte_cli: Any) -> None:
    result = flyte_cli.invoke(["fetch", "flyte://v1/flytesnacks/development/nosuchexecution/n0/o"])
    assert result.exit_code == 1
    assert "fetching flyte://v1/flytesnacks/development/nosuchexecution/n0/o failed" in result.output
    assert "nosuchexecution" in result.output.split("failed", 1)[1]
    assert "Traceback" not in result.output


def test_a_uri_that_is_not_flyte_data_says_what_is_expected(sandbox_config: Path, flyte_cli: Any) -> None:
    result = flyte_cli.invoke(["fetch", "s3://bucket/key"])
    assert result.exit_code == 1
    assert "is not a flyte:// data URI" in result.output

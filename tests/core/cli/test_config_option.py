"""``pyflyte -c/--config FILE``: the config file of the whole run, checked before any subcommand runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from flyte_core.config import FLYTECTL_CONFIG_ENV_VAR_OVERRIDE
from flyte_core.plugins import FlyteSubcommand, hookimpl
from flyte_core.plugins.testing import register_plugin

PYFLYTE = str(Path(sys.executable).parent / "pyflyte")


@click.command()
def endpoint() -> None:
    """Print the admin endpoint user code would see."""
    from flyte_core.config import Config

    click.echo(Config.auto().platform.endpoint)


class EndpointPlugin:
    @hookimpl
    def flyte_subcommands(self):
        yield FlyteSubcommand(name="endpoint", summary="Print the endpoint", command=endpoint)


@pytest.fixture(autouse=True)
def _no_config_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """``-c`` exports the file for the process; undo it after each test."""
    monkeypatch.delenv(FLYTECTL_CONFIG_ENV_VAR_OVERRIDE, raising=False)
    monkeypatch.delenv("FLYTECTL_CONFIG", raising=False)
    monkeypatch.delenv("FLYTE_PLATFORM_URL", raising=False)


@pytest.fixture
def yaml_config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text("admin:\n  endpoint: dns:///flyte.example.org:443\n  insecure: false\n")
    return path


def test_config_file_is_what_user_code_sees(flyte_cli, yaml_config: Path) -> None:
    with register_plugin(EndpointPlugin(), name="endpoint"):
        result = flyte_cli.invoke(["-c", str(yaml_config), "endpoint"])
    assert result.exit_code == 0, result.output
    assert result.output == "flyte.example.org:443\n"  # flytekit strips the dns:/// scheme too
    assert FLYTECTL_CONFIG_ENV_VAR_OVERRIDE not in os.environ  # the test runner keeps it to the invocation


def test_long_option_and_ini_file_work_too(flyte_cli, tmp_path: Path) -> None:
    ini = tmp_path / "flytekit.config"
    ini.write_text("[platform]\nurl = ini.example.org:81\n")
    with register_plugin(EndpointPlugin(), name="endpoint"):
        result = flyte_cli.invoke(["--config", str(ini), "endpoint"])
    assert result.output == "ini.example.org:81\n"


def test_missing_config_file_is_a_usage_error_naming_it(flyte_cli, tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with register_plugin(EndpointPlugin(), name="endpoint"):
        result = flyte_cli.invoke(["-c", str(missing), "endpoint"])
    assert result.exit_code == 2
    assert f"Invalid value for '-c' / '--config': config file {missing} does not exist" in result.output
    assert "localhost:30080" not in result.output  # the subcommand (printing the default endpoint) never ran


def test_unparsable_config_file_is_a_usage_error_with_its_line(flyte_cli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("admin:\n  endpoint: [unclosed\n")
    result = flyte_cli.invoke(["-c", str(broken), "plugins"])
    assert result.exit_code == 2
    assert f"config file {broken}, line 3" in result.output and "invalid YAML" in result.output


def test_help_shows_the_option(flyte_cli) -> None:
    result = flyte_cli.invoke(["--help"])
    assert "-c, --config FILE" in result.output


def _pyflyte(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != FLYTECTL_CONFIG_ENV_VAR_OVERRIDE}
    return subprocess.run([PYFLYTE, *args], capture_output=True, text=True, env=env, timeout=60)


def test_installed_pyflyte_rejects_a_missing_config_file_with_exit_2(tmp_path: Path) -> None:
    result = _pyflyte("-c", str(tmp_path / "missing.yaml"), "plugins")
    assert result.returncode == 2
    assert f"config file {tmp_path / 'missing.yaml'} does not exist" in result.stderr


def test_installed_pyflyte_runs_a_subcommand_with_a_config_file_and_later_root_options(yaml_config: Path) -> None:
    result = _pyflyte("-c", str(yaml_config), "--no-plugins", "plugins")
    assert result.returncode == 0, result.stderr
    # --no-plugins was honoured: none installed, or each installed one listed as off
    assert "No third-party plugins" in result.stdout or "third-party plugins are off" in result.stdout
    assert " active " not in result.stdout

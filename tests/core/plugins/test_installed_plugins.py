"""Third-party plugin distributions, really built and pip-installed, driving the installed ``pyflyte``."""

from __future__ import annotations

import json
import platform

from tests.core.plugins.conftest import RunPyflyte


def _ours(distribution: str) -> bool:
    """flyte-core and the plugin distributions of this repository (installed in the test environment too)."""
    return distribution == "flyte-core" or distribution.startswith("flyte-plugin-")


def _third_party(entries: list[dict]) -> list[str]:
    """The plugins the tests installed: everything but this repository's own distributions."""
    return [e["name"] for e in entries if not _ours(e["distribution"])]


def _plugins_json(run_pyflyte: RunPyflyte, plugins: tuple[str, ...], env: dict[str, str] | None = None) -> dict:
    result = run_pyflyte(["plugins", "--json"], plugins=plugins, env=env)
    assert result.returncode == 0, result.stderr
    return {entry["name"]: entry for entry in json.loads(result.stdout)}


def test_installed_plugin_command_is_listed_with_its_summary_and_runs(run_pyflyte: RunPyflyte) -> None:
    help_result = run_pyflyte(["--help"], plugins=("hello_plugin",))
    assert help_result.returncode == 0, help_result.stderr
    assert any(line.split() == ["hello", "Say", "hello"] for line in help_result.stdout.splitlines())

    result = run_pyflyte(["hello", "--name", "Flyte"], plugins=("hello_plugin",))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hello, Flyte!\n"
    assert result.stderr == ""


def test_plugins_json_reports_the_third_party_distribution(run_pyflyte: RunPyflyte) -> None:
    entries = _plugins_json(run_pyflyte, ("hello_plugin",))
    assert entries["hello"] == {
        "name": "hello",
        "distribution": "hello-plugin",
        "version": "1.2.3",
        "status": "active",
        "hooks": ["subcommands"],
        "error": None,
        "registrations": [
            {
                "hook": "subcommands",
                "kind": "subcommand",
                "key": "hello",
                "target": "hello_plugin.cli:hello",
                "active": True,
            }
        ],
    }
    assert entries["commands.plugins"]["distribution"] == "flyte-core"
    distributions = [e["distribution"] for e in entries.values()]
    assert distributions == sorted(distributions, key=lambda d: d != "flyte-core"), "built-ins are listed first"


def test_plugins_table_hides_builtins_unless_all(run_pyflyte: RunPyflyte) -> None:
    table = run_pyflyte(["plugins"], plugins=("hello_plugin",)).stdout
    assert "hello-plugin" in table and "commands.plugins" not in table
    full = run_pyflyte(["plugins", "--all"], plugins=("hello_plugin",)).stdout
    assert "commands.plugins" in full and "hello-plugin" in full


def test_broken_plugin_is_reported_once_and_cli_still_works(run_pyflyte: RunPyflyte) -> None:
    plugins = ("hello_plugin", "broken_plugin")
    result = run_pyflyte(["--help"], plugins=plugins)
    assert result.returncode == 0, result.stderr
    assert "hello" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("flyte-core: warning:")]
    assert len(warnings) == 1, result.stderr
    assert "broken = broken_plugin.plugin" in warnings[0]
    assert "broken-plugin 0.0.1" in warnings[0]
    assert "a_dependency_that_is_not_installed" in warnings[0]

    hello = run_pyflyte(["hello"], plugins=plugins)
    assert hello.returncode == 0 and hello.stdout == "Hello, world!\n"

    entry = _plugins_json(run_pyflyte, plugins)["broken"]
    assert entry["status"] == "failed"
    assert entry["distribution"] == "broken-plugin"
    assert "ModuleNotFoundError" in entry["error"]

    table = run_pyflyte(["plugins"], plugins=plugins)
    assert table.returncode == 0
    assert "failed" in table.stdout and "a_dependency_that_is_not_installed" in table.stdout


def test_strict_mode_turns_a_broken_plugin_into_an_error(run_pyflyte: RunPyflyte) -> None:
    result = run_pyflyte(["--help"], plugins=("broken_plugin",), env={"FLYTE_STRICT_PLUGINS": "1"})
    assert result.returncode == 1
    assert result.stderr.startswith("Error: plugin 'broken'")
    assert "broken-plugin 0.0.1" in result.stderr
    assert "Traceback" not in result.stderr

    verbose = run_pyflyte(["-v", "--help"], plugins=("broken_plugin",), env={"FLYTE_STRICT_PLUGINS": "1"})
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr


def test_disabled_plugin_is_never_imported(run_pyflyte: RunPyflyte) -> None:
    plugins = ("hello_plugin", "broken_plugin")
    for disabled in ("broken", "broken-plugin", "broken_plugin"):
        env = {"FLYTE_DISABLE_PLUGINS": f"{disabled}, hello"}
        result = run_pyflyte(["--help"], plugins=plugins, env=env)
        assert result.returncode == 0
        assert result.stderr == "", "a disabled plugin is not imported, so it cannot warn"
        assert "hello" not in result.stdout.split("Commands:")[1]
        entries = _plugins_json(run_pyflyte, plugins, env=env)
        assert entries["broken"]["status"] == "disabled"
        assert entries["hello"]["status"] == "disabled"


def test_essential_plugin_cannot_be_disabled(run_pyflyte: RunPyflyte) -> None:
    result = run_pyflyte(["plugins", "--json"], env={"FLYTE_DISABLE_PLUGINS": "commands.plugins"})
    assert result.returncode == 0
    assert "essential" in result.stderr
    assert {e["name"]: e["status"] for e in json.loads(result.stdout)}["commands.plugins"] == "active"


def test_no_plugins_switch_turns_off_every_third_party_plugin(run_pyflyte: RunPyflyte) -> None:
    plugins = ("hello_plugin", "broken_plugin")
    for args, env in ((["--no-plugins", "plugins", "--json"], {}), (["plugins", "--json"], {"FLYTE_NO_PLUGINS": "1"})):
        result = run_pyflyte(args, plugins=plugins, env=env)
        assert result.returncode == 0 and result.stderr == ""
        listed = json.loads(result.stdout)
        statuses = {e["name"]: e["status"] for e in listed if e["distribution"] != "flyte-core"}
        assert {k: v for k, v in statuses.items() if k in ("hello", "broken")} == {
            "hello": "disabled",
            "broken": "disabled",
        }
        assert set(statuses.values()) == {"disabled"}  # this repository's plugins too: they are third-party
        assert {e["status"] for e in listed if e["distribution"] == "flyte-core"} == {"active"}
    help_result = run_pyflyte(["--help", "--no-plugins"], plugins=plugins)
    assert help_result.returncode == 0 and help_result.stderr == ""
    assert "hello" not in help_result.stdout.split("Commands:")[1]


def test_conflicting_command_names_both_distributions(run_pyflyte: RunPyflyte) -> None:
    result = run_pyflyte(["--help"], plugins=("clash_plugin",))
    assert result.returncode == 1
    assert "subcommand 'plugins' is registered by both" in result.stderr
    assert "flyte-core" in result.stderr and "clash-plugin 2.0.0" in result.stderr
    assert "FLYTE_DISABLE_PLUGINS=clash" in result.stderr
    assert "Traceback" not in result.stderr


def test_plugins_command_still_diagnoses_a_conflict(run_pyflyte: RunPyflyte) -> None:
    result = run_pyflyte(["plugins"], plugins=("clash_plugin",))
    assert result.returncode == 0, result.stderr
    assert "not the real plugins command" not in result.stdout, "the built-in wins where names clash"
    assert "Conflicts:" in result.stdout and "clash-plugin 2.0.0" in result.stdout
    disabled = run_pyflyte(["--help"], plugins=("clash_plugin",), env={"FLYTE_DISABLE_PLUGINS": "clash"})
    assert disabled.returncode == 0


def test_version_names_each_plugin_distribution_without_loading_plugins(run_pyflyte: RunPyflyte) -> None:
    from flyte_core import __version__

    result = run_pyflyte(["--version"], plugins=("hello_plugin", "broken_plugin"), env={"FLYTE_PLUGIN_CACHE": "0"})
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"flyte-core {__version__}"
    assert "broken-plugin 0.0.1" in lines and "hello-plugin 1.2.3" in lines
    assert lines[-1].startswith(f"Python {platform.python_version()} (")
    assert result.stderr == "", "--version is answered before any plugin is imported"


def test_newly_installed_plugin_is_found_despite_the_discovery_cache(
    run_pyflyte: RunPyflyte, installed_plugins: dict, tmp_path
) -> None:
    import shutil

    site = tmp_path / "site"
    shutil.copytree(installed_plugins["hello_plugin"], site)
    env = {"PYTHONPATH": str(site)}
    before = run_pyflyte(["plugins", "--json"], env=env)
    assert _third_party(json.loads(before.stdout)) == ["hello"]
    for item in installed_plugins["clash_plugin"].iterdir():  # "pip install" a second plugin into the same dir
        shutil.copytree(item, site / item.name)
    after = run_pyflyte(["plugins", "--json"], env=env)
    assert _third_party(json.loads(after.stdout)) == ["hello", "clash"]

"""The ``pyflyte`` root group: every command comes from a plugin, listed without being imported."""

from __future__ import annotations

import platform
import sys

import click

from flyte_core import __version__
from flyte_core.plugins import FlyteSubcommand, hookimpl
from flyte_core.plugins.testing import register_plugin


@click.command()
@click.argument("who")
def greet(who: str) -> None:
    """Greet someone."""
    click.echo(f"hi {who}")


class GreetPlugin:
    @hookimpl
    def flyte_subcommands(self):
        yield FlyteSubcommand(name="greet", summary="Greet someone", command=greet, aliases=("hey",))


class LazyPlugin:
    @hookimpl
    def flyte_subcommands(self):
        yield FlyteSubcommand(name="lazy", summary="Imported on use", command="tests.core.cli.lazy_command:lazy")


class BrokenReferencePlugin:
    @hookimpl
    def flyte_subcommands(self):
        yield FlyteSubcommand(name="gone", summary="Points nowhere", command="no_such_module_abc:cmd")
        yield FlyteSubcommand(name="notclick", summary="Not a click command", command="json:dumps")


def test_help_lists_registered_commands_with_their_summaries(flyte_cli) -> None:
    with register_plugin(GreetPlugin(), name="greet"):
        result = flyte_cli.invoke(["--help"])
    assert result.exit_code == 0
    lines = result.output.split("Commands:")[1].splitlines()
    rows = [line.split(None, 1) for line in lines if line.startswith("  ") and not line.startswith("   ")]
    assert ["greet", "Greet someone"] in rows
    assert ["plugins", "List installed plugins: distribution, version, status and hooks."] in rows
    assert [name for name, _ in rows] == sorted(name for name, _ in rows)


def test_command_object_and_alias_are_invoked(flyte_cli) -> None:
    with register_plugin(GreetPlugin(), name="greet"):
        assert flyte_cli.invoke(["greet", "you"]).output == "hi you\n"
        assert flyte_cli.invoke(["hey", "there"]).output == "hi there\n"


def test_referenced_command_is_imported_only_when_invoked(flyte_cli) -> None:
    sys.modules.pop("tests.core.cli.lazy_command", None)
    with register_plugin(LazyPlugin(), name="lazy"):
        assert "lazy" in flyte_cli.invoke(["--help"]).output
        assert "tests.core.cli.lazy_command" not in sys.modules
        result = flyte_cli.invoke(["lazy"])
    assert result.output == "lazy command ran\n"
    assert "tests.core.cli.lazy_command" in sys.modules


def test_command_that_cannot_be_loaded_gives_a_clear_error(flyte_cli) -> None:
    with register_plugin(BrokenReferencePlugin(), name="broken-ref"):
        gone = flyte_cli.invoke(["gone"])
        notclick = flyte_cli.invoke(["notclick"])
        still_works = flyte_cli.invoke(["plugins"])
    assert gone.exit_code == 1
    assert "the 'gone' command of plugin 'broken-ref' (<in-process>) could not be loaded" in gone.output
    assert "no_such_module_abc" in gone.output and "FLYTE_DISABLE_PLUGINS=broken-ref" in gone.output
    assert notclick.exit_code == 1 and "not a click.Command" in notclick.output
    assert still_works.exit_code == 0


def test_unknown_command_suggests_the_closest(flyte_cli) -> None:
    result = flyte_cli.invoke(["plugin"])
    assert result.exit_code == 2
    assert "No such command 'plugin'. Did you mean 'plugins'?" in result.output


def test_version_prints_the_flyte_core_version_first_and_the_python_last(flyte_cli) -> None:
    result = flyte_cli.invoke(["--version"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == f"flyte-core {__version__}"
    assert lines[-1] == f"Python {platform.python_version()} ({sys.executable})"


def test_plugins_json_has_exactly_the_documented_keys(flyte_cli) -> None:
    import json

    with register_plugin(GreetPlugin(), name="greet"):
        result = flyte_cli.invoke(["plugins", "--json"])
    entries = json.loads(result.output)
    keys = ["name", "distribution", "version", "status", "hooks", "error", "registrations"]
    assert all(list(entry) == keys for entry in entries)
    assert [e["name"] for e in entries if e["distribution"] != "flyte-core"] == ["greet"]
    assert "commands.plugins" in [e["name"] for e in entries]


def test_plugins_table_without_third_party_plugins_says_so(flyte_cli, flyte_plugin_manager) -> None:
    result = flyte_cli.invoke(["plugins"])
    builtins = sum(info.builtin for info in flyte_plugin_manager.plugins())
    assert result.exit_code == 0
    assert result.output.startswith("No third-party plugins installed")
    assert f"'pyflyte plugins --all' also lists the {builtins} built-in" in result.output

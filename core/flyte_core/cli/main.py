"""The ``pyflyte`` command: a click group whose every subcommand comes from a plugin.

The group knows no command itself. It asks the plugin manager for the registered
``FlyteSubcommand`` objects, lists them with their summaries for ``--help`` without importing any
command module, and imports a command only when it is invoked.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from flyte_core._version import __version__
from flyte_core.plugins.errors import PluginError

ESSENTIAL_COMMANDS = frozenset({"plugins"})
"""Commands that work even when plugins conflict, so a broken installation can be diagnosed."""


def _manager() -> Any:
    from flyte_core.plugins.manager import get_plugin_manager

    return get_plugin_manager()


class PluginCommandGroup(click.Group):
    """A click group whose commands are the ``FlyteSubcommand`` registrations of all plugins."""

    def main(self, args: Sequence[str] | None = None, *pargs: Any, **kwargs: Any) -> Any:
        """Run the CLI; a plugin problem is a one-line error (exit 1), with its traceback under ``-v``."""
        argv = list(sys.argv[1:] if args is None else args)
        root_options = _root_options(argv)
        if "--no-plugins" in root_options:
            _turn_off_third_party_plugins()  # before any plugin is imported, whatever the option order
        try:
            return super().main(argv, *pargs, **kwargs)
        except PluginError as exc:
            if any(opt in ("-v", "--verbose") or opt.startswith("-vv") for opt in root_options):
                import traceback

                traceback.print_exc()
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, sub in _manager().subcommands().items() if sub.name == name)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        manager = _manager()
        subcommands = manager.subcommands(ignore_conflicts=cmd_name in ESSENTIAL_COMMANDS)
        sub = subcommands.get(cmd_name)
        if sub is None:
            return None
        try:
            command = sub.load()
        except Exception as exc:
            raise click.ClickException(
                f"the '{cmd_name}' command of {sub.source} could not be loaded: {exc}\n"
                f"Reinstall or upgrade '{sub.source.distribution if sub.source else 'the plugin'}', "
                f"or disable it with FLYTE_DISABLE_PLUGINS={sub.source.name if sub.source else cmd_name}."
            ) from exc
        if not isinstance(command, click.Command):
            raise click.ClickException(
                f"the '{cmd_name}' command of {sub.source} is {command!r}, not a click.Command: "
                "FlyteSubcommand.command must be a click command or a 'module:attr' reference to one."
            )
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        cmd_name = click.utils.make_str(args[0])
        if self.get_command(ctx, cmd_name) is None and not cmd_name.startswith("-"):
            names = self.list_commands(ctx)
            close = difflib.get_close_matches(cmd_name, names, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            ctx.fail(f"No such command '{cmd_name}'.{hint} 'pyflyte --help' lists the commands.")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, sub.summary) for name, sub in sorted(_manager().subcommands().items()) if sub.name == name]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _disable_plugins(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        _turn_off_third_party_plugins()


def _use_config_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Make ``-c FILE`` the config file of this run (and of user code calling ``Config.auto()``)."""
    if value is None:
        return None
    from flyte_core.config import ConfigError, ConfigFileNotFoundError, use_config_file

    try:
        return use_config_file(value).location
    except ConfigFileNotFoundError as exc:
        raise click.BadParameter(
            f"config file {exc.file or value} does not exist: give the path of a flytectl YAML file "
            "(such as ~/.flyte/config.yaml) or of a flytekit.config INI file",
            ctx=ctx,
            param=param,
        ) from exc
    except ConfigError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc


def _show_versions(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """flyte-core's version, each plugin distribution's (read from metadata: no plugin is imported), Python's."""
    if not value or ctx.resilient_parsing:
        return
    from flyte_core.plugins.discovery import discover_entry_points
    from flyte_core.plugins.hookspec import ENTRY_POINT_GROUP

    distributions = {
        (record.distribution, record.version)
        for record in discover_entry_points(ENTRY_POINT_GROUP)
        if record.distribution != "flyte-core"
    }
    lines = [f"flyte-core {__version__}", *(f"{name} {version}" for name, version in sorted(distributions))]
    lines.append(f"Python {sys.version.split()[0]} ({sys.executable})")
    click.echo("\n".join(lines))
    ctx.exit()


def _turn_off_third_party_plugins() -> None:
    from flyte_core.plugins.manager import reset_plugin_manager

    os.environ["FLYTE_NO_PLUGINS"] = "1"
    reset_plugin_manager()


@click.group(cls=PluginCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_versions,
    help="Show the versions of flyte-core, of the installed plugin distributions and of Python, and exit.",
)
@click.option("-v", "--verbose", count=True, help="Show more detail; -v also shows tracebacks of errors.")
@click.option(
    "-c",
    "--config",
    "config_file",
    metavar="FILE",
    callback=_use_config_file,
    help="The config file to use (YAML as written by flytectl, or INI flytekit.config); "
    "user code calling Config.auto() sees it too.",
)
@click.option(
    "-k",
    "--pkgs",
    multiple=True,
    metavar="PACKAGES",
    help="Python packages or modules (dotted) whose entities serialize, package and register act on; "
    "several with commas or by repeating -k. Default: FLYTE_SDK_WORKFLOW_PACKAGES or [sdk] workflow_packages.",
)
@click.option(
    "--no-plugins",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_disable_plugins,
    help="Load no third-party plugin (same as FLYTE_NO_PLUGINS=1).",
)
@click.pass_context
def pyflyte(ctx: click.Context, verbose: int, config_file: str | None, pkgs: tuple[str, ...]) -> None:
    """Run, register and serialize Flyte tasks and workflows; every command comes from a plugin.

    'pyflyte plugins' shows where each command comes from.
    """
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    ctx.obj["config_file"] = config_file
    ctx.obj["pkgs"] = [p.strip() for given in pkgs for p in given.split(",") if p.strip()]


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point of ``pyflyte``: once the command is done and exit handlers ran, the process
    ends without the interpreter's teardown (:func:`~flyte_core.bin.process.exit_process`). Besides the time,
    this spares runs that used pyarrow (parquet datasets) its native threads' intermittent abort in static
    destructors ("terminate called without an active exception", apache/arrow#34314)."""
    from flyte_core.bin.process import exit_process

    try:
        pyflyte.main(argv, prog_name="pyflyte")
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    exit_process(code)


_ROOT_OPTIONS_WITH_VALUE = frozenset({"-c", "--config", "-k", "--pkgs"})


def _root_options(args: Sequence[str]) -> list[str]:
    """The options given before the subcommand name (the values of ``-c FILE`` are skipped)."""
    options = []
    takes_value = False
    for arg in args:
        if takes_value:
            takes_value = False
            continue
        if not arg.startswith("-"):
            break
        options.append(arg)
        takes_value = arg in _ROOT_OPTIONS_WITH_VALUE
    return options

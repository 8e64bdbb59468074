"""``pyflyte plugins [--all] [--json]``: what is installed, where it came from, and whether it works."""

from __future__ import annotations

import json

import click

from flyte_core.plugins.manager import PluginInfo, get_plugin_manager

_COLUMNS = ("NAME", "DISTRIBUTION", "VERSION", "STATUS", "HOOKS")


@click.command("plugins")
@click.option("--all", "show_all", is_flag=True, help="Also list flyte-core's own built-in plugins.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of every plugin, built-ins included.")
def plugins(show_all: bool, as_json: bool) -> None:
    """List installed plugins: name, distribution, version, status (active, disabled, failed) and hooks.

    Built-in plugins of flyte-core are listed with --all (and always in --json).
    """
    manager = get_plugin_manager()
    conflicts = manager.conflicts()  # calls every hook, so failures surface in the statuses too
    infos = manager.plugins()
    if as_json:
        click.echo(json.dumps([info.to_json() for info in infos], indent=2))
        for conflict in conflicts:
            click.echo(f"conflict: {conflict}", err=True)
        return
    shown = [info for info in infos if show_all or not info.builtin]
    if shown:
        click.echo(_table(shown))
    else:
        builtins = sum(1 for info in infos if info.builtin)
        click.echo(
            f"No third-party plugins installed ('pyflyte plugins --all' also lists the {builtins} built-in ones)."
        )
    if conflicts:
        click.echo("\nConflicts:")
        for conflict in conflicts:
            click.echo(f"  {conflict}")


def _table(infos: list[PluginInfo]) -> str:
    rows = [
        (
            info.name + (" *" if info.essential else ""),
            info.distribution,
            info.version,
            info.status,
            ", ".join(info.hooks) or "-",
        )
        for info in infos
    ]
    widths = [max(len(row[i]) for row in [_COLUMNS, *rows]) for i in range(len(_COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(_COLUMNS, widths, strict=True)).rstrip()]
    for info, row in zip(infos, rows, strict=True):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if info.error:
            lines.append(f"    error: {info.error}")
        elif info.reason:
            lines.append(f"    {info.reason}")
    if any(info.essential for info in infos):
        lines.append("* essential: cannot be disabled")
    return "\n".join(lines)

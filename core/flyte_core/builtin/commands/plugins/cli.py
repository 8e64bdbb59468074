"""``pyflyte plugins [--all] [--json]``: what is installed, where it came from, and whether it works."""

from __future__ import annotations

import json

import click

from flyte_core.plugins.manager import PluginInfo, RegistrationInfo, get_plugin_manager

_COLUMNS = ("NAME", "DISTRIBUTION", "VERSION", "STATUS", "HOOKS")


@click.command("plugins")
@click.option("--all", "show_all", is_flag=True, help="Also list flyte-core's own built-in plugins.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON list of every plugin and what it registers, built-ins included.",
)
@click.option(
    "--registrations",
    "-r",
    "show_registrations",
    is_flag=True,
    help="List what each plugin registers (commands, task types, transformers, handlers, builders, protocols...).",
)
def plugins(show_all: bool, as_json: bool, show_registrations: bool) -> None:
    """List installed plugins: name, distribution, version, status (active, disabled, failed) and hooks.

    Built-in plugins of flyte-core are listed with --all (and always in --json). --registrations lists what each
    registers instead; an entry another plugin replaces is marked "(replaced)".
    """
    manager = get_plugin_manager()
    conflicts = manager.conflicts()  # calls every hook, so failures surface in the statuses too
    infos = manager.plugins()
    if as_json:
        registrations = manager.registrations()
        entries = [
            {**info.to_json(), "registrations": [r.to_json() for r in registrations.get(info.name, [])]}
            for info in infos
        ]
        click.echo(json.dumps(entries, indent=2))
        for conflict in conflicts:
            click.echo(f"conflict: {conflict}", err=True)
        return
    shown = [info for info in infos if show_all or not info.builtin]
    if show_registrations:
        registrations = manager.registrations()
        click.echo(_registrations_table([(info, registrations.get(info.name, [])) for info in shown]))
        return
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


def _registrations_table(rows: list[tuple[PluginInfo, list[RegistrationInfo]]]) -> str:
    lines: list[str] = []
    for info, registrations in rows:
        if not registrations:
            continue
        lines.append(f"{info.name} ({info.distribution} {info.version})".replace(" )", ")"))
        # One line per kind and target: a provider serving fifty protocols is one line, not fifty.
        grouped: dict[tuple[str, str, bool], list[str]] = {}
        for r in registrations:
            grouped.setdefault((r.kind, r.target, r.active), []).append(r.key or '""')
        width = max(len(kind) for kind, _, _ in grouped)
        for (kind, target, active), keys in grouped.items():
            replaced = "" if active else "  (replaced by another plugin)"
            lines.append(f"  {kind.ljust(width)}  {', '.join(keys)}  ->  {target}{replaced}")
    if not lines:
        return "No third-party plugin registers anything ('pyflyte plugins -r --all' lists the built-ins)."
    return "\n".join(lines)


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

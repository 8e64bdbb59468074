"""The ``pyflyte plugins`` command (essential: it works even when other plugins are broken)."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteSubcommand, hookimpl


@hookimpl
def flyte_subcommands() -> Iterator[FlyteSubcommand]:
    yield FlyteSubcommand(
        name="plugins",
        summary="List installed plugins: distribution, version, status and hooks.",
        command="flyte_core.builtin.commands.plugins.cli:plugins",
    )

"""The ``pyflyte launchplan`` command: activate or deactivate a registered launch plan."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteSubcommand, hookimpl


@hookimpl
def flyte_subcommands() -> Iterator[FlyteSubcommand]:
    yield FlyteSubcommand(
        name="launchplan",
        summary="Activate or deactivate a registered launch plan (its schedule runs only while it is active).",
        command="flyte_core.builtin.commands.launchplan.cli:launchplan",
    )

"""The ``pyflyte execution`` command: relaunch or recover a remote execution."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteSubcommand, hookimpl


@hookimpl
def flyte_subcommands() -> Iterator[FlyteSubcommand]:
    yield FlyteSubcommand(
        name="execution",
        summary="Relaunch an execution with the same inputs, or recover a failed one from where it failed.",
        command="flyte_core.builtin.commands.execution.cli:execution",
    )

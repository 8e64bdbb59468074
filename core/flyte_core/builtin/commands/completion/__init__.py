"""The ``pyflyte completion`` command: shell completion for commands, files, entities and options."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteSubcommand, hookimpl


@hookimpl
def flyte_subcommands() -> Iterator[FlyteSubcommand]:
    yield FlyteSubcommand(
        name="completion",
        summary="Print the shell completion script for bash, zsh or fish.",
        command="flyte_core.builtin.commands.completion.cli:completion",
    )

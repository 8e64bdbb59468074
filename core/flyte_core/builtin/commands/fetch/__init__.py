"""The ``pyflyte fetch`` command: the inputs or outputs behind a ``flyte://`` data URI."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteSubcommand, hookimpl


@hookimpl
def flyte_subcommands() -> Iterator[FlyteSubcommand]:
    yield FlyteSubcommand(
        name="fetch",
        summary="Show (and download) the inputs or outputs of an execution or node from their flyte:// URI.",
        command="flyte_core.builtin.commands.fetch.cli:fetch",
    )

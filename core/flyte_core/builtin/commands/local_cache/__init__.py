"""The ``pyflyte local-cache`` command: inspect and empty the cache of local task runs."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteSubcommand, hookimpl


@hookimpl
def flyte_subcommands() -> Iterator[FlyteSubcommand]:
    yield FlyteSubcommand(
        name="local-cache",
        summary="Interact with the local cache of task outputs (clear it).",
        command="flyte_core.builtin.commands.local_cache.cli:local_cache",
    )

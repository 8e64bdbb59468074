"""The ``pyflyte run`` command: run a task, workflow or launch plan from a Python file."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteSubcommand, hookimpl


@hookimpl
def flyte_subcommands() -> Iterator[FlyteSubcommand]:
    yield FlyteSubcommand(
        name="run",
        summary="Run a task, workflow or launch plan from a Python file, locally or on a Flyte backend.",
        command="flyte_core.builtin.commands.run.cli:run",
    )

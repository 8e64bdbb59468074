"""The ``pyflyte register`` command: register Python sources or package files on a Flyte control plane."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteSubcommand, hookimpl


@hookimpl
def flyte_subcommands() -> Iterator[FlyteSubcommand]:
    yield FlyteSubcommand(
        name="register",
        summary="Register the tasks, workflows and launch plans of Python sources or of a flyte-package.tgz.",
        command="flyte_core.builtin.commands.register.cli:register",
    )

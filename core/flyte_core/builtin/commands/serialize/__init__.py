"""The ``pyflyte serialize`` command: write the flyteidl protobufs of every entity in the --pkgs packages."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteSubcommand, hookimpl


@hookimpl
def flyte_subcommands() -> Iterator[FlyteSubcommand]:
    yield FlyteSubcommand(
        name="serialize",
        summary="Write the task, workflow and launch plan protobufs of the --pkgs packages to a folder.",
        command="flyte_core.builtin.commands.serialize.cli:serialize",
    )

"""The ``pyflyte info`` command: the client's version and configuration, and the control plane's version."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteSubcommand, hookimpl


@hookimpl
def flyte_subcommands() -> Iterator[FlyteSubcommand]:
    yield FlyteSubcommand(
        name="info",
        summary="Show the flyte-core version, the config file and endpoint in use, and the backend's version.",
        command="flyte_core.builtin.commands.info.cli:info",
    )

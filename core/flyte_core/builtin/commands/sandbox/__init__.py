"""The ``pyflyte sandbox`` command: a Flyte control plane and executor on this machine."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteSubcommand, hookimpl


@hookimpl
def flyte_subcommands() -> Iterator[FlyteSubcommand]:
    yield FlyteSubcommand(
        name="sandbox",
        summary="Start, inspect and stop a local Flyte sandbox (no Docker, no Kubernetes).",
        command="flyte_core.builtin.commands.sandbox.cli:sandbox",
    )

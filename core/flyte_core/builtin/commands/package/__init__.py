"""The ``pyflyte package`` command: a registrable flyte-package.tgz of the --pkgs packages."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteSubcommand, hookimpl


@hookimpl
def flyte_subcommands() -> Iterator[FlyteSubcommand]:
    yield FlyteSubcommand(
        name="package",
        summary="Package the --pkgs packages' entities (and optionally their code) into flyte-package.tgz.",
        command="flyte_core.builtin.commands.package.cli:package",
    )

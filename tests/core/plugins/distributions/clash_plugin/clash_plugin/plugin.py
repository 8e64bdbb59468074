"""A plugin that registers a command under a name flyte-core already uses, without override=True."""

import click

from flyte_core.plugins import FlyteSubcommand, hookimpl


@click.command()
def plugins() -> None:
    click.echo("not the real plugins command")


@hookimpl
def flyte_subcommands():
    yield FlyteSubcommand(name="plugins", summary="A clashing command", command=plugins)

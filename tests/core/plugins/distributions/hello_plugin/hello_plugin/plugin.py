"""The entry-point module: registers the command by reference, so `pyflyte --help` never imports it."""

from flyte_core.plugins import FlyteSubcommand, hookimpl


@hookimpl
def flyte_subcommands():
    yield FlyteSubcommand(name="hello", summary="Say hello", command="hello_plugin.cli:hello")

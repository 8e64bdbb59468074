"""A plugin whose module cannot be imported: it needs a library that is not installed."""

import a_dependency_that_is_not_installed  # noqa: F401

from flyte_core.plugins import FlyteSubcommand, hookimpl


@hookimpl
def flyte_subcommands():
    yield FlyteSubcommand(name="broken", summary="Never available", command="broken_plugin.cli:broken")

"""Built-in ``pyflyte`` subcommands, each a plugin of the ``flyte_subcommands`` hook."""

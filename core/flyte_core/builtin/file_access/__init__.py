"""Built-in file-access providers, each a plugin of the ``flyte_file_access_providers`` hook."""

"""Built-in type transformers, each family a plugin of the ``flyte_type_transformers`` hook."""

"""Ready-made task types (``flytekit.extras.tasks`` -> ``flyte_core.extras.tasks``), imported by module path."""

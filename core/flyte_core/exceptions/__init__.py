"""flytekit-compatible exception types (``flytekit.exceptions`` -> ``flyte_core.exceptions``)."""

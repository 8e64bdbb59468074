"""The flyte-core version, kept in one place (read by packaging and by ``pyflyte --version``)."""

__version__ = "0.1.0"

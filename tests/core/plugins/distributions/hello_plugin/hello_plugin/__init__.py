"""A third-party flyte-core plugin adding `pyflyte hello`."""

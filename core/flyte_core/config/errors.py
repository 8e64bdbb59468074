"""Errors raised while reading configuration: each names the file (or environment variable), the key,
what was expected and what was found, so the user knows exactly what to fix."""

from __future__ import annotations

__all__ = ["ConfigError", "ConfigFileNotFoundError"]


class ConfigError(ValueError):
    """A configuration file or value is unusable.

    ``file``, ``key`` and ``line`` say where the problem is, when that is known: ``key`` is a YAML path
    (``admin.insecure``), an INI ``[section] option`` or an environment variable name.
    """

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None, line: int | None = None):
        super().__init__(message)
        self.file = file
        self.key = key
        self.line = line


class ConfigFileNotFoundError(ConfigError, FileNotFoundError):
    """A configuration file that was asked for explicitly does not exist."""


def describe_value(value: object) -> str:
    """A found value for an error message: its kind and, when short, the value itself."""
    kinds = {dict: "a mapping", list: "a list", str: "the string", bool: "the boolean", int: "the number"}
    kind = kinds.get(type(value), f"a {type(value).__name__}")
    if isinstance(value, (dict, list)):
        return kind
    return f"{kind} {value!r}"

"""Errors raised by the plugin kernel: each names the plugin, its distribution and what to do."""

from __future__ import annotations


class PluginError(Exception):
    """Base class of every plugin-kernel error."""


class RegistrationError(PluginError, ValueError):
    """A registration object (``FlyteSubcommand``...) was built with invalid fields."""


class PluginLoadError(PluginError):
    """A plugin failed to import, to register, or to produce its registrations (strict mode only)."""


class PluginConflictError(PluginError):
    """Two plugins claim the same subcommand, task config type, python type, protocol or backend."""


class ReferenceLoadError(PluginError, ImportError):
    """A ``"module:attr"`` reference of a registration could not be imported."""

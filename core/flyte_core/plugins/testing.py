"""pytest fixtures for plugin authors, enabled wherever flyte-core is installed (``pytest11`` entry point).

* ``flyte_plugin_manager``: a fresh plugin manager holding only flyte-core's built-ins (no installed
  third-party plugin leaks into the test), made the process-wide manager for the test.
* ``register_plugin(plugin, name=...)``: a context manager registering a plugin object for the
  duration of a ``with`` block, as its entry point would::

      def test_hello_command(flyte_plugin_manager, flyte_cli):
          with register_plugin(my_plugin.plugin, name="hello"):
              result = flyte_cli.invoke(["hello"])
          assert result.exit_code == 0

* ``flyte_cli``: runs ``pyflyte`` in-process with click's test runner; ``invoke(args)`` returns a
  ``click.testing.Result`` (``exit_code``, ``output``, ``stderr``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest

from flyte_core.plugins.manager import FlytePluginManager, PluginSettings, get_plugin_manager, use_plugin_manager

__all__ = ["FlyteCliRunner", "register_plugin"]


@contextmanager
def register_plugin(
    plugin: object, name: str, *, manager: FlytePluginManager | None = None
) -> Iterator[FlytePluginManager]:
    """Register ``plugin`` under ``name`` inside the ``with`` block, then unregister it."""
    target = manager or get_plugin_manager()
    target.register(plugin, name)
    try:
        yield target
    finally:
        target.unregister(name)


class FlyteCliRunner:
    """Invokes the ``pyflyte`` root command in-process and returns click's ``Result``."""

    def invoke(self, args: Sequence[str], **kwargs: Any) -> Any:
        import os

        from click.testing import CliRunner

        from flyte_core.cli.main import pyflyte
        from flyte_core.config.files import FLYTECTL_CONFIG_ENV_VAR_OVERRIDE

        before = os.environ.get(FLYTECTL_CONFIG_ENV_VAR_OVERRIDE)
        try:
            return CliRunner().invoke(pyflyte, list(args), prog_name="pyflyte", **kwargs)
        finally:  # ``pyflyte -c FILE`` exports the file for the process; a test's invocation must not leak it
            if before is None:
                os.environ.pop(FLYTECTL_CONFIG_ENV_VAR_OVERRIDE, None)
            else:
                os.environ[FLYTECTL_CONFIG_ENV_VAR_OVERRIDE] = before


@pytest.fixture
def flyte_plugin_manager() -> Iterator[FlytePluginManager]:
    """A fresh manager with only flyte-core's built-in plugins, used process-wide during the test."""
    manager = FlytePluginManager.from_environment(builtins_only=True, settings=PluginSettings())
    with use_plugin_manager(manager):
        yield manager


@pytest.fixture
def flyte_cli(flyte_plugin_manager: FlytePluginManager) -> FlyteCliRunner:
    """Run ``pyflyte`` commands in-process against the fresh ``flyte_plugin_manager``."""
    return FlyteCliRunner()

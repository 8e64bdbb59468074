"""The flyte-core plugin kernel: hook specifications, registration types and the plugin manager.

For plugin authors::

    from flyte_core.plugins import FlyteSubcommand, hookimpl

    @hookimpl
    def flyte_subcommands():
        yield FlyteSubcommand(name="hello", summary="Say hello", command="my_plugin.cli:hello")

and in the plugin's ``pyproject.toml``::

    [project.entry-points."flyte_core.plugins"]
    hello = "my_plugin.plugin"

Modules: ``hookspec`` (every hook, documented: the catalogue of extension points), ``types`` (what
hooks yield), ``manager`` (discovery and resolution; internal to flyte-core), ``testing`` (pytest
fixtures for plugin authors). This package imports nothing but pluggy and the standard library.
"""

from flyte_core.plugins.errors import (
    PluginConflictError,
    PluginError,
    PluginLoadError,
    ReferenceLoadError,
    RegistrationError,
)
from flyte_core.plugins.hookspec import ENTRY_POINT_GROUP, hookimpl
from flyte_core.plugins.types import (
    FlyteDataFrameHandler,
    FlyteFileAccessProvider,
    FlyteImageBuilder,
    FlyteRemoteBackend,
    FlyteSubcommand,
    FlyteTaskType,
    FlyteTypeTransformer,
    PluginSource,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "FlyteDataFrameHandler",
    "FlyteFileAccessProvider",
    "FlyteImageBuilder",
    "FlyteRemoteBackend",
    "FlyteSubcommand",
    "FlyteTaskType",
    "FlyteTypeTransformer",
    "PluginConflictError",
    "PluginError",
    "PluginLoadError",
    "PluginSource",
    "ReferenceLoadError",
    "RegistrationError",
    "hookimpl",
]

"""The catalogue of extension points: every hook a flyte-core plugin can implement.

A plugin is a module (or any object) with ``@hookimpl``-decorated functions named after the specs
below, declared under the entry-point group ``flyte_core.plugins``::

    # pyproject.toml of the plugin distribution (flyte-plugin-ray's)
    [project.entry-points."flyte_core.plugins"]
    ray = "flyte_plugin_ray.plugin"

Rules every hook follows:

* Registration hooks are plural nouns and *yield* registration objects (``flyte_core.plugins.types``);
  they never change host state. They are called at most once per process, when the host first needs
  that kind of registration (``pyflyte --help`` calls only ``flyte_subcommands``).
* The plugin module is imported to register it, so keep its top-level imports to
  ``flyte_core.plugins``: name heavy things as ``"module:attr"`` strings or qualified type names.
* Two plugins registering the same key (command name, config type, python type, dataframe handler,
  image builder, protocol, backend scheme) is an error naming both, unless exactly one registration
  sets ``override=True`` (or the other ``fallback=True``).
* A plugin that raises while registering is reported once and disabled; the rest keeps working.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from flyte_core.plugins.types import (
        FlyteDataFrameHandler,
        FlyteFileAccessProvider,
        FlyteImageBuilder,
        FlyteRemoteBackend,
        FlyteSubcommand,
        FlyteTaskType,
        FlyteTypeTransformer,
    )

PROJECT_NAME = "flyte"
"""The pluggy project name: hook functions are named ``flyte_*``."""

ENTRY_POINT_GROUP = "flyte_core.plugins"
"""The entry-point group under which every plugin, built-in or third-party, is declared."""

_hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Decorator marking a plugin function as the implementation of the ``flyte_*`` hook of its name."""


class FlyteSpecs:
    """The hook specifications of flyte-core (one method per hook)."""

    # ----------------------------------------------------------------------------------------------
    # Authoring and execution
    # ----------------------------------------------------------------------------------------------

    @_hookspec
    def flyte_task_types(self) -> Iterable[FlyteTaskType]:
        """Register task classes selected by the type of ``@task(task_config=...)``.

        Called the first time ``@task`` receives a ``task_config`` (never for plain ``@task``). The
        config type and task class may be given as ``"module:Class"`` strings so that registering
        the plugin imports neither the plugin's SDK module nor its framework (ray, pyspark...).

        Returns:
            An iterable of :class:`~flyte_core.plugins.FlyteTaskType`.

        Example::

            from flyte_core.plugins import FlyteTaskType, hookimpl

            @hookimpl
            def flyte_task_types():
                yield FlyteTaskType(
                    config_type="flyte_plugin_ray.task:RayJobConfig",
                    task_class="flyte_plugin_ray.task:RayFunctionTask",
                )
        """
        yield from ()

    @_hookspec
    def flyte_type_transformers(self) -> Iterable[FlyteTypeTransformer]:
        """Register conversions between Python types and flyteidl literals.

        Called the first time the type engine looks up a transformer. Types owned by a library are
        named by qualified name (``"pyspark.sql.dataframe:DataFrame"``): the transformer is loaded only when
        that library is already imported and an annotation uses the type.

        Returns:
            An iterable of :class:`~flyte_core.plugins.FlyteTypeTransformer`.

        Example::

            from flyte_core.plugins import FlyteTypeTransformer, hookimpl

            @hookimpl
            def flyte_type_transformers():
                yield FlyteTypeTransformer(
                    python_type="pyspark.sql.dataframe:DataFrame",
                    transformer="flyte_plugin_spark.dataframe:spark_transformer",
                )
        """
        yield from ()

    @_hookspec
    def flyte_dataframe_handlers(self) -> Iterable[FlyteDataFrameHandler]:
        """Register StructuredDataset encoders and decoders: how a dataframe type is written and read.

        Called the first time a dataframe value or annotation is converted. A handler is loaded when its
        dataframe type is first converted, so a type named by string (``"pyspark.sql.dataframe:DataFrame"``)
        costs nothing until its library is imported. Handlers registered from code with
        ``StructuredDatasetTransformerEngine.register`` (flytekit's API) come first.

        Returns:
            An iterable of :class:`~flyte_core.plugins.FlyteDataFrameHandler`.

        Example::

            from flyte_core.plugins import FlyteDataFrameHandler, hookimpl

            @hookimpl
            def flyte_dataframe_handlers():
                dataframe = "pyspark.sql.dataframe:DataFrame"
                yield FlyteDataFrameHandler(
                    python_type=dataframe,
                    role="encoder",
                    format="parquet",
                    handler="flyte_plugin_spark.dataframe:SparkToParquetEncodingHandler",
                    default_format=True,
                )
                yield FlyteDataFrameHandler(
                    python_type=dataframe,
                    role="decoder",
                    format="parquet",
                    handler="flyte_plugin_spark.dataframe:ParquetToSparkDecodingHandler",
                )
        """
        yield from ()

    @_hookspec
    def flyte_image_builders(self) -> Iterable[FlyteImageBuilder]:
        """Register ImageSpec builders, chosen by ``ImageSpec(builder=...)`` or by priority.

        Called the first time an ImageSpec is built (``pyflyte run --remote``, ``register``, ``package``);
        the builder is loaded only when an image is built with it. Builders registered from code with
        ``ImageBuildEngine.register`` (flytekit's API) come first.

        Returns:
            An iterable of :class:`~flyte_core.plugins.FlyteImageBuilder`.

        Example::

            from flyte_core.plugins import FlyteImageBuilder, hookimpl

            @hookimpl
            def flyte_image_builders():
                yield FlyteImageBuilder(name="noop", builder="flyte_core.sdk.image_spec:NoOpBuilder", priority=0)
        """
        yield from ()

    # ----------------------------------------------------------------------------------------------
    # Data access
    # ----------------------------------------------------------------------------------------------

    @_hookspec
    def flyte_file_access_providers(self) -> Iterable[FlyteFileAccessProvider]:
        """Register fsspec filesystems for URI schemes (``s3://``, ``gs://``...).

        Called the first time data is read or written through a URI whose scheme has no provider
        yet. The filesystem is imported only when a URI of its scheme is used.

        Returns:
            An iterable of :class:`~flyte_core.plugins.FlyteFileAccessProvider`.

        Example::

            from flyte_core.plugins import FlyteFileAccessProvider, hookimpl

            @hookimpl
            def flyte_file_access_providers():
                yield FlyteFileAccessProvider(
                    protocols=("s3", "s3a"),
                    filesystem="flyte_plugin_s3.filesystem:s3_filesystem",
                )
        """
        yield from ()

    # ----------------------------------------------------------------------------------------------
    # Command line
    # ----------------------------------------------------------------------------------------------

    @_hookspec
    def flyte_subcommands(self) -> Iterable[FlyteSubcommand]:
        """Register ``pyflyte`` subcommands.

        Called when ``pyflyte`` builds its command table. ``pyflyte --help`` lists every command with
        its ``summary`` without importing any command's module; the click command is imported only
        when it is invoked.

        Returns:
            An iterable of :class:`~flyte_core.plugins.FlyteSubcommand`.

        Example::

            from flyte_core.plugins import FlyteSubcommand, hookimpl

            @hookimpl
            def flyte_subcommands():
                yield FlyteSubcommand(
                    name="ray",
                    summary="A local Ray head that Ray tasks attach to: 'pyflyte ray start', 'status', 'stop'.",
                    command="flyte_plugin_ray.cli:ray_group",
                )
        """
        yield from ()

    # ----------------------------------------------------------------------------------------------
    # Control plane
    # ----------------------------------------------------------------------------------------------

    @_hookspec
    def flyte_remote_backends(self) -> Iterable[FlyteRemoteBackend]:
        """Register control-plane transports used by ``FlyteRemote``.

        Called when a ``FlyteRemote`` first talks to its endpoint; the backend is chosen by the
        endpoint's scheme (``dns:///host:port``, ``grpcs://...``, bare ``host:port`` = ``""``).

        Returns:
            An iterable of :class:`~flyte_core.plugins.FlyteRemoteBackend`.

        Example::

            from flyte_core.plugins import FlyteRemoteBackend, hookimpl

            @hookimpl
            def flyte_remote_backends():
                yield FlyteRemoteBackend(
                    name="grpc-admin",
                    schemes=("", "dns", "grpc", "grpcs"),
                    factory="flyte_core.builtin.remotes.grpc_admin.client:GrpcAdminBackend",
                )
        """
        yield from ()


HOOK_NAMES: tuple[str, ...] = tuple(name for name in vars(FlyteSpecs) if name.startswith("flyte_"))
"""Every hook name, in catalogue order."""

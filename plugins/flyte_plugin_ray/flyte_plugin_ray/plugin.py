"""The plugin's registrations (entry point ``ray``): the ``RayJobConfig`` task type and the ``pyflyte ray`` command.

Both are named as ``"module:attr"`` references, so loading the plugin imports neither the task module nor
``ray``.
"""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteSubcommand, FlyteTaskType, hookimpl


@hookimpl
def flyte_task_types() -> Iterator[FlyteTaskType]:
    yield FlyteTaskType(
        config_type="flyte_plugin_ray.task:RayJobConfig", task_class="flyte_plugin_ray.task:RayFunctionTask"
    )


@hookimpl
def flyte_subcommands() -> Iterator[FlyteSubcommand]:
    yield FlyteSubcommand(
        name="ray",
        summary="A local Ray head that Ray tasks attach to: 'pyflyte ray start', 'status', 'stop'.",
        command="flyte_plugin_ray.cli:ray_group",
    )

"""The plugin's registrations (entry point ``k8s_pod``): the ``Pod`` task type and the ``pyflyte pod`` command.

Both are named as ``"module:attr"`` references, so loading the plugin imports neither the task module nor
``kubernetes``.
"""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteSubcommand, FlyteTaskType, hookimpl


@hookimpl
def flyte_task_types() -> Iterator[FlyteTaskType]:
    yield FlyteTaskType(
        config_type="flyte_plugin_k8s_pod.task:Pod", task_class="flyte_plugin_k8s_pod.task:PodFunctionTask"
    )


@hookimpl
def flyte_subcommands() -> Iterator[FlyteSubcommand]:
    yield FlyteSubcommand(
        name="pod",
        summary="Kubernetes pods of tasks: 'pyflyte pod render FILE TASK' prints the pod Flyte would run.",
        command="flyte_plugin_k8s_pod.cli:pod",
    )

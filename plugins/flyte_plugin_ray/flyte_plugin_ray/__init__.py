"""flyte-plugin-ray: flytekitplugins-ray's ``RayJobConfig`` for flyte-core, and ``pyflyte ray start/status/stop``.

``from flyte_plugin_ray import RayJobConfig, HeadNodeConfig, WorkerNodeConfig`` (as ``from flytekitplugins.ray
import ...``). The names are resolved on first use, so loading the plugin's entry point imports nothing more,
and ``ray`` itself is imported only when a Ray task runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flyte_plugin_ray.task import (
        AutoscalerOptionsConfig,
        HeadNodeConfig,
        RayFunctionTask,
        RayJobConfig,
        WorkerNodeConfig,
    )

__all__ = ["AutoscalerOptionsConfig", "HeadNodeConfig", "RayFunctionTask", "RayJobConfig", "WorkerNodeConfig"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'flyte_plugin_ray' has no attribute '{name}'")
    from flyte_plugin_ray import task

    return getattr(task, name)

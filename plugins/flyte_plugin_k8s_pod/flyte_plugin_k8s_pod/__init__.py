"""flyte-plugin-k8s-pod: flytekitplugins-pod's ``Pod`` task_config for flyte-core, and ``pyflyte pod render``.

``from flyte_plugin_k8s_pod import Pod`` (as ``from flytekitplugins.pod import Pod``) warns, as flytekitplugins-pod
does, that ``@task(pod_template=PodTemplate(...))`` is the supported way; the names are resolved on first use so
that loading the plugin's entry point imports nothing more.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flyte_plugin_k8s_pod.task import Pod, PodFunctionTask

__all__ = ["Pod", "PodFunctionTask"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'flyte_plugin_k8s_pod' has no attribute '{name}'")
    warnings.warn(
        "The Pod task_config (flytekitplugins-pod) is deprecated: use @task(pod_template=PodTemplate(...)) and "
        "pod_template_name instead; both work with flyte-core alone.",
        FutureWarning,
        stacklevel=2,
    )
    from flyte_plugin_k8s_pod import task

    globals().update({exported: getattr(task, exported) for exported in __all__})  # warn once
    return globals()[name]

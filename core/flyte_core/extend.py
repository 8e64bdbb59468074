"""The API for plugin authors (``flytekit.extend`` -> ``flyte_core.extend``), resolved lazily."""

from __future__ import annotations

from flyte_core._lazy import lazy_attributes

_LAZY: dict[str, str] = {
    "TypeEngine": "flyte_core.types.type_engine",
    "TypeTransformer": "flyte_core.types.type_engine",
    "AsyncTypeTransformer": "flyte_core.types.type_engine",
    "SimpleTransformer": "flyte_core.types.type_engine",
    "TypeTransformerFailedError": "flyte_core.types.type_engine",
    "PythonTask": "flyte_core.sdk.base_task",
    "IgnoreOutputs": "flyte_core.sdk.base_task",
    "TaskPlugins": "flyte_core.sdk.task",
    "ExecutionState": "flyte_core.context",
    "SecretsManager": "flyte_core.context",
    "Interface": "flyte_core.sdk.interface",
    "Promise": "flyte_core.sdk.promise",
    "TaskResolverMixin": "flyte_core.sdk.python_function_task",
    "FileAccessProvider": "flyte_core.data.file_access",
}

__all__ = list(_LAZY)


__getattr__ = lazy_attributes(globals(), _LAZY)


def __dir__() -> list[str]:
    return sorted(__all__)

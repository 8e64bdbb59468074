"""flytekit's ``flytekit.core.*`` module paths, mapped onto flyte-core's own modules.

Code written for flytekit imports from modules such as ``flytekit.core.context_manager``; after the
rename to ``flyte_core.core.context_manager`` it finds the same names here. Each of these modules is
made on first import: a name is looked up in the flyte-core modules listed for it, in order.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

_SOURCES: dict[str, tuple[str, ...]] = {
    "annotation": ("flyte_core.sdk.annotation",),
    "array_node": ("flyte_core.sdk.array_node",),
    "array_node_map_task": ("flyte_core.sdk.map_task",),
    "base_task": ("flyte_core.sdk.base_task", "flyte_core.sdk.python_function_task"),
    "cache": ("flyte_core.sdk.cache",),
    "checkpointer": ("flyte_core.sdk.checkpointer",),
    "condition": ("flyte_core.sdk.condition",),
    "container_task": ("flyte_core.sdk.container_task",),
    "context_manager": ("flyte_core.context",),
    "data_persistence": ("flyte_core.data.file_access",),
    "docstring": ("flyte_core.sdk.interface",),
    "dynamic_workflow_task": ("flyte_core.sdk.dynamic",),
    "gate": ("flyte_core.sdk.gate",),
    "hash": ("flyte_core.sdk.hash",),
    "interface": ("flyte_core.sdk.interface",),
    "launch_plan": ("flyte_core.sdk.launch_plan", "flyte_core.sdk.reference"),
    "local_cache": ("flyte_core.sdk.local_cache",),
    "map_task": ("flyte_core.sdk.map_task",),
    "node": ("flyte_core.sdk.node",),
    "node_creation": ("flyte_core.sdk.node_creation",),
    "notification": ("flyte_core.sdk.notification",),
    "options": ("flyte_core.sdk.options",),
    "pod_template": ("flyte_core.sdk.pod_template",),
    "promise": ("flyte_core.sdk.promise",),
    "python_auto_container": ("flyte_core.sdk.python_auto_container", "flyte_core.sdk.python_function_task"),
    "python_function_task": ("flyte_core.sdk.python_function_task", "flyte_core.sdk.eager"),
    "reference": ("flyte_core.sdk.reference",),
    "reference_entity": ("flyte_core.sdk.reference",),
    "resources": ("flyte_core.sdk.resources",),
    "schedule": ("flyte_core.sdk.schedule",),
    "task": (
        "flyte_core.sdk.task",
        "flyte_core.sdk.security",
        "flyte_core.sdk.reference",
        "flyte_core.sdk.eager",
        "flyte_core.sdk.python_function_task",
    ),
    "type_engine": (
        "flyte_core.types.type_engine",
        "flyte_core.types.collections",
        "flyte_core.types.union",
        "flyte_core.types.enums",
        "flyte_core.types.primitives",
        "flyte_core.types.dataclass",
    ),
    "workflow": ("flyte_core.sdk.workflow", "flyte_core.sdk.imperative", "flyte_core.sdk.reference"),
}


class _AliasModule(types.ModuleType):
    """A module whose attributes are found in other modules on first access."""

    def __init__(self, name: str, sources: tuple[str, ...]) -> None:
        super().__init__(name, f"flytekit-compatible alias of {', '.join(sources)}")
        self.__sources = sources

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        for source in self.__sources:
            try:
                module = importlib.import_module(source)
            except ModuleNotFoundError as exc:
                if exc.name == source:
                    continue
                raise
            if hasattr(module, attr):
                value = getattr(module, attr)
                setattr(self, attr, value)
                return value
        raise AttributeError(
            f"module '{self.__name__}' has no attribute '{attr}' (looked in {', '.join(self.__sources)})"
        )


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        prefix, _, leaf = fullname.rpartition(".")
        if prefix != __name__ or leaf not in _SOURCES:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return _AliasModule(spec.name, _SOURCES[spec.name.rpartition(".")[2]])

    def exec_module(self, module: types.ModuleType) -> None:
        return None


if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
    sys.meta_path.append(_AliasFinder())

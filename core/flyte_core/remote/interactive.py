"""Interactive mode: telling entities defined in a notebook, the REPL or ``python -`` (code with no source file,
shipped pickled) from those in modules (shipped as a code archive), and registering them pickled.

``tasks_to_pickle`` and ``register_pickled`` take the registering ``FlyteRemote``: its registration calls
``_register_entity`` hands them the entities that have no source file."""

from __future__ import annotations

import base64
import os
from typing import TYPE_CHECKING, Any

from flyte_core.config.serialization import FastSerializationSettings, SerializationSettings
from flyte_core.exceptions.user import FlyteAssertion
from flyte_core.remote.versions import version_from_hash, version_from_messages

if TYPE_CHECKING:
    from google.protobuf.message import Message

    from flyte_core.remote.registration import EntityRegistration, RegistrationResult
    from flyte_core.sdk.options import Options

__all__ = [
    "MAX_PICKLE_BYTES",
    "entities_referenced_by",
    "in_fileless_main",
    "in_notebook",
    "main_source_file",
    "register_pickled",
    "tasks_to_pickle",
]

MAX_PICKLE_BYTES = 150 * 2**20  # flytekit's limit for an interactive-mode pickle


def main_source_file() -> str | None:
    """The file ``__main__`` runs from; None in a notebook, the REPL, ``python -`` (``<stdin>``) or ``-c``."""
    import sys

    path = getattr(sys.modules.get("__main__"), "__file__", None)
    return path if isinstance(path, str) and os.path.isfile(path) else None


def in_fileless_main(entity: Any) -> bool:
    """Whether ``entity``'s code lives in a ``__main__`` with no source file (it can only be shipped pickled)."""
    if main_source_file() is not None:
        return False
    from flyte_core.sdk.python_auto_container import main_module_name

    entity = getattr(entity, "workflow", None) or entity  # a launch plan's code is its workflow's
    entity = getattr(entity, "python_function_task", None) or entity  # a map task's is its mapped task's
    function = getattr(entity, "_task_function", None) or getattr(entity, "_workflow_function", None)
    if function is not None:
        return getattr(function, "__module__", None) == "__main__"
    return getattr(entity, "instantiated_in", None) in ("__main__", main_module_name())


def entities_referenced_by(function: Any) -> list[Any]:
    """The tasks, workflows and launch plans a function's code names as globals (a dynamic task's children)."""
    import types

    from flyte_core.sdk.base_task import Task
    from flyte_core.sdk.launch_plan import LaunchPlan
    from flyte_core.sdk.workflow import WorkflowBase

    function = getattr(function, "__wrapped__", function)
    code = getattr(function, "__code__", None)
    namespace = getattr(function, "__globals__", {})
    names: list[str] = []
    pending = [code] if code is not None else []
    while pending:
        current = pending.pop()
        names.extend(current.co_names)
        pending.extend(c for c in current.co_consts if isinstance(c, types.CodeType))
    found = [namespace[n] for n in dict.fromkeys(names) if n in namespace]
    return [e for e in found if isinstance(e, Task | WorkflowBase | LaunchPlan)]


def in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (IPython is only asked when something imported it already)."""
    import sys

    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def tasks_to_pickle(
    remote: EntityRegistration, entity: Any, mapping: dict[Any, Any], settings: SerializationSettings
) -> list[Any]:
    """The container tasks to ship in ``pkl.gz``: none unless something ``entity`` uses has no source file.

    Besides what ``entity`` uses, a dynamic task's tasks are included: the ones its function refers to,
    which it creates in the container.

    Raises:
        FlyteAssertion: interactive mode is off, or an eager task is among them.
    """
    from flyte_core.sdk.map_task import ArrayNodeMapTask
    from flyte_core.sdk.python_auto_container import PythonAutoContainerTask
    from flyte_core.sdk.python_function_task import ExecutionBehavior

    interactive = [e for e in mapping if in_fileless_main(e)]
    if not interactive:
        return []
    if not remote.interactive_mode_enabled:
        named = entity if in_fileless_main(entity) else interactive[0]
        raise FlyteAssertion(
            f"'{named.name}' is defined in __main__ without a source file (a notebook, the REPL, "
            "'python -' or 'python -c'), so its code cannot be shipped as a module. Pass "
            "FlyteRemote(..., interactive_mode_enabled=True) to ship its tasks as a pickle, or move the code "
            "to a module file"
        )
    expanded: set[int] = set()
    while True:
        dynamic = [
            e
            for e in mapping
            if getattr(e, "execution_mode", None) is ExecutionBehavior.DYNAMIC and id(e) not in expanded
        ]
        if not dynamic:
            break
        expanded.update(id(e) for e in dynamic)
        for referenced in [r for d in dynamic for r in entities_referenced_by(d.task_function)]:
            remote._serialized(referenced, settings, False, None, mapping)
    tasks: dict[int, Any] = {}
    for candidate in mapping:
        if getattr(candidate, "execution_mode", None) is ExecutionBehavior.EAGER:
            raise FlyteAssertion(
                f"eager task '{candidate.name}' cannot be registered in interactive mode: it launches its tasks "
                "through FlyteRemote from the container, which cannot import them. Move it to a module file"
            )
        if isinstance(candidate, ArrayNodeMapTask):
            candidate = candidate.python_function_task
        if isinstance(candidate, PythonAutoContainerTask):
            tasks[id(candidate)] = candidate
    return list(tasks.values())


def register_pickled(
    remote: EntityRegistration,
    entity: Any,
    tasks: list[Any],
    probe: list[Message],
    settings: SerializationSettings,
    default_launch_plan: bool,
    options: Options | None,
) -> RegistrationResult:
    """Pickle ``tasks`` into ``pkl.gz``, upload it and register with it as the fast-execute distribution.

    The tasks carry the notebook resolver while pickled and serialized, and get their own back after.
    The version hashes the pickle, the settings and the specs, so a re-run registers nothing new.
    """
    import tempfile

    from flyte_core.remote.data import file_md5
    from flyte_core.sdk.notebook_resolver import default_notebook_task_resolver, write_pickle

    resolvers = [(task, task.task_resolver) for task in tasks]
    try:
        for task in tasks:
            task.set_resolver(default_notebook_task_resolver)
        with tempfile.TemporaryDirectory(prefix="flyte-interactive-") as scratch:
            path = write_pickle(tasks, scratch)
            size = path.stat().st_size
            if size > MAX_PICKLE_BYTES:
                raise FlyteAssertion(
                    f"the pickled tasks of '{entity.name}' take {size / 2**20:.0f} MiB (limit "
                    f"{MAX_PICKLE_BYTES // 2**20} MiB): a task captures large data from the notebook's "
                    "globals; load that data inside the task or pass it as an input"
                )
            root = base64.b32encode(file_md5(path)).decode().rstrip("=").lower()
            md5, native_url = remote.upload_file(path, settings.project, settings.domain, filename_root=root)
        settings.fast_serialization_settings = FastSerializationSettings(
            enabled=True, destination_dir=".", distribution_location=native_url
        )
        if not settings.version:
            settings.version = version_from_hash(md5, settings, version_from_messages(probe, settings))
        messages = remote.serialize(entity, settings, default_launch_plan, options)
    finally:
        for task, resolver in resolvers:
            task.set_resolver(resolver)
    return remote.register_serialized(messages, settings.version)

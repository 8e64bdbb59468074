"""Interactive mode: telling entities defined in a notebook, the REPL or ``python -`` (code with no source file,
shipped pickled) from those in modules (shipped as a code archive)."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["MAX_PICKLE_BYTES", "entities_referenced_by", "in_fileless_main", "in_notebook", "main_source_file"]

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

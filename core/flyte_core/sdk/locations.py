"""Objects named by location (``package.module.attr``), as serialized task commands name their resolvers.

The serializer writes flytekit's locations for the built-in resolvers, so that a flytekit container runs
what flyte-core registers and the other way round; here they are mapped to flyte-core's objects. Any
other location (a workflow acting as resolver, a custom resolver) is imported as it is written.
"""

from __future__ import annotations

import importlib
from typing import Any

# flytekit's locations, as serialized, and the (module, attribute) they name in flyte-core.
FLYTEKIT_LOCATIONS: dict[str, tuple[str, str]] = {
    "flytekit.core.python_auto_container.default_task_resolver": (
        "flyte_core.sdk.python_function_task",
        "default_task_resolver",
    ),
    "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver": (
        "flyte_core.sdk.map_task",
        "ArrayNodeMapTaskResolver",
    ),
    "flytekit.core.python_function_task.eager_failure_task_resolver": (
        "flyte_core.sdk.eager",
        "eager_failure_task_resolver",
    ),
    "flytekit.core.python_auto_container.default_notebook_task_resolver": (
        "flyte_core.sdk.notebook_resolver",
        "default_notebook_task_resolver",
    ),
}


class LocationNotLoadable(ImportError):
    """A location names no importable object; the message says which part is missing."""


def load_location(location: str) -> Any:
    """The object at ``package.module.attr`` (flytekit's resolver locations give flyte-core's objects).

    Raises:
        LocationNotLoadable: the location is malformed, its module cannot be imported or lacks the attribute.
    """
    known = FLYTEKIT_LOCATIONS.get(location)
    if known is not None:
        module_name, attr = known
    else:
        module_name, _, attr = location.rpartition(".")
        if not module_name or not attr:
            raise LocationNotLoadable(f"'{location}' is not a location: expected 'package.module.attribute'")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and f"{module_name}.".startswith(f"{exc.name}."):
            raise LocationNotLoadable(
                f"cannot load '{location}': no module named '{exc.name}' (is the code on PYTHONPATH or in the "
                "working directory?)"
            ) from exc
        raise
    try:
        return getattr(module, attr)
    except AttributeError:
        raise LocationNotLoadable(
            f"cannot load '{location}': module '{module_name}' has no attribute '{attr}'"
        ) from None

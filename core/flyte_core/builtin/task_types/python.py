"""The ``python-task`` type: what ``@task`` builds when there is no ``task_config``."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteTaskType, hookimpl


@hookimpl
def flyte_task_types() -> Iterator[FlyteTaskType]:
    yield FlyteTaskType(config_type=type(None), task_class="flyte_core.sdk.python_function_task:PythonFunctionTask")

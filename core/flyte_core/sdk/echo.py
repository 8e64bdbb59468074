"""``Echo``: a task whose outputs are its inputs, run by the backend without a container (flytekit's
``flytekit.core.task.Echo``, flytepropeller's ``echo`` plugin).

Useful as a placeholder or to join branches: ``Echo(name="pass", inputs={"x": int})`` has input ``x`` and
output ``o0`` of the same type. Locally it returns its inputs; on the sandbox, as on a cluster with the echo
plugin enabled, the backend copies the input to the output without starting a process.
"""

from __future__ import annotations

from typing import Any

from flyte_core.sdk.base_task import PythonTask
from flyte_core.sdk.interface import Interface, default_output_name

__all__ = ["Echo"]


class Echo(PythonTask[None]):
    """A task that echoes its inputs: output ``o<i>`` is input ``i``, with the same type."""

    _TASK_TYPE = "echo"

    def __init__(self, name: str, inputs: dict[str, type] | None = None, **kwargs: Any) -> None:
        outputs = {default_output_name(i): t for i, t in enumerate((inputs or {}).values())} or None
        super().__init__(
            task_type=self._TASK_TYPE, name=name, interface=Interface(inputs=inputs, outputs=outputs), **kwargs
        )

    def execute(self, **kwargs: Any) -> Any:
        values = [kwargs[name] for name in self.python_interface.inputs]  # the declared order, not the call's
        return values[0] if len(values) == 1 else tuple(values)

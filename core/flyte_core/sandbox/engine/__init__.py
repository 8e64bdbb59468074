"""The sandbox's executor: runs workflows with flytepropeller's semantics, task containers as local processes.

``LocalEngine`` (``engine.py``) implements the ``Engine`` protocol of ``host.py``; ``workflow.py`` is the DAG
state machine, ``nodes.py`` what each kind of node does, ``tasks.py`` and ``runner.py`` a task attempt as a
local process, ``state.py`` what is saved after every change.
"""

from flyte_core._lazy import lazy_attributes

__all__ = ["EngineSettings", "LocalEngine"]

__getattr__ = lazy_attributes(
    globals(),
    {"LocalEngine": "flyte_core.sandbox.engine.engine", "EngineSettings": "flyte_core.sandbox.engine.host"},
)

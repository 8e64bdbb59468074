"""The sandbox's executor: runs workflows with flytepropeller's semantics, task containers as local processes.

``engine.py``: ``LocalEngine``, the ``Engine`` of ``host.py`` (threads, the process limit, submit, resume,
terminate, stop). ``workflow.py``: one execution's run (``ExecutionRun``), with ``workflow_scope.py`` (a
workflow's nodes and their state), ``workflow_processes.py`` (its process slots and waiters) and
``workflow_graph.py`` (upstream nodes, topological order). ``nodes.py``, ``task_nodes.py``,
``launch_plans.py``, ``array_nodes.py``: what each kind of node does. ``attempts.py`` and ``runner.py``: a task
attempt as a local process. ``bindings.py``, ``conditions.py``: node inputs and branch decisions.
``reporting.py``: the events. ``state.py``: what is saved after every change. ``naming.py``, ``slots.py``.
"""

from flyte_core._lazy import lazy_attributes

__all__ = ["EngineSettings", "LocalEngine"]

__getattr__ = lazy_attributes(
    globals(),
    {"LocalEngine": "flyte_core.sandbox.engine.engine", "EngineSettings": "flyte_core.sandbox.engine.host"},
)

"""What the engine needs from the control plane, and what the control plane can ask of the engine.

The engine executes workflows the way flytepropeller does and reports what happens as flyteidl events;
it never writes admin records itself (see ``sandbox/README.md``). Everything it reads or writes beyond
its own processes goes through an ``EngineHost``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from flyteidl.admin import execution_pb2
    from flyteidl.core import compiler_pb2, identifier_pb2, interface_pb2, literals_pb2, tasks_pb2
    from flyteidl.event import event_pb2

    from flyte_core.sandbox.blobs import BlobStore


class EngineHost(Protocol):
    """The control plane, as the engine sees it. Every method is safe to call from the engine's threads."""

    @property
    def blobs(self) -> BlobStore:
        """Where inputs, outputs, error documents and raw data live (URIs the task processes can read)."""
        ...

    # -- reporting (flytepropeller -> flyteadmin) --------------------------------------------------------

    def record_workflow_event(self, event: event_pb2.WorkflowExecutionEvent) -> None:
        """An execution changed phase (RUNNING, SUCCEEDED with output_uri, FAILED with error, ABORTED...)."""
        ...

    def record_node_event(self, event: event_pb2.NodeExecutionEvent) -> None:
        """A node changed phase; ``parent_node_metadata`` names the parent node of nested nodes."""
        ...

    def record_task_event(self, event: event_pb2.TaskExecutionEvent) -> None:
        """A task attempt changed phase; ``logs`` point at the attempt's log (served over HTTP)."""
        ...

    # -- launch-plan nodes ---------------------------------------------------------------------------------

    def launch_child_execution(
        self,
        launch_plan: identifier_pb2.Identifier,
        inputs: literals_pb2.LiteralMap,
        parent: identifier_pb2.NodeExecutionIdentifier,
    ) -> identifier_pb2.WorkflowExecutionIdentifier:
        """Create (and start) the execution of a launch-plan node, as CreateExecution with a parent does.

        Idempotent per ``parent``: asking again after a restart returns the same execution.
        """
        ...

    def get_execution(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> execution_pb2.Execution:
        """An execution's current record (phase, error) — for child executions of launch-plan nodes."""
        ...

    def get_execution_outputs(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> literals_pb2.LiteralMap:
        """A succeeded execution's outputs."""
        ...

    def terminate_execution(self, execution: identifier_pb2.WorkflowExecutionIdentifier, cause: str) -> None:
        """Abort a child execution (its parent was aborted)."""
        ...

    # -- gate nodes ------------------------------------------------------------------------------------------

    def get_or_create_signal(
        self, execution: identifier_pb2.WorkflowExecutionIdentifier, signal_id: str, type: object
    ) -> literals_pb2.Literal | None:
        """Declare a signal the execution waits for (SignalService.GetOrCreateSignal); its value once set."""
        ...

    # -- dynamic tasks -----------------------------------------------------------------------------------------

    def launch_plan_interface(self, launch_plan: identifier_pb2.Identifier) -> interface_pb2.TypedInterface:
        """The interface of a registered launch plan (a dynamic workflow may call launch plans)."""
        ...

    def compile_dynamic(
        self, parent_node: str, interface: interface_pb2.TypedInterface, futures: object
    ) -> compiler_pb2.CompiledWorkflowClosure:
        """Compile a dynamic task's ``DynamicJobSpec`` into a closure to run (see ``sandbox.compiler``)."""
        ...

    # -- the task cache ----------------------------------------------------------------------------------------

    def cached_outputs(
        self, task: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap
    ) -> literals_pb2.LiteralMap | None:
        """Outputs cached for this task (name, cache version, interface) and these inputs, if any."""
        ...

    def cache_outputs(
        self, task: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap, outputs: literals_pb2.LiteralMap
    ) -> None: ...

    # -- durability ------------------------------------------------------------------------------------------------

    def load_engine_state(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> bytes | None:
        """What ``save_engine_state`` last stored for the execution, or None."""
        ...

    def save_engine_state(self, execution: identifier_pb2.WorkflowExecutionIdentifier, state: bytes) -> None:
        """Store the engine's progress of an execution (called after every transition; one transaction)."""
        ...


@dataclass(frozen=True)
class EngineSettings:
    """How the engine runs tasks."""

    max_parallel_tasks: int
    """Task processes running at once (default: the number of cores)."""
    log_dir: Path
    """Task logs: ``<log_dir>/<project>/<domain>/<execution>/<node id>/<attempt>.log``."""
    image_environments: dict[str, str] = field(default_factory=dict)
    """Container image (exact, or ``repo`` without tag) -> Python prefix (a venv) whose ``bin/`` runs the
    task's command. Images not listed run with the sandbox's own environment."""
    default_environment: str | None = None
    """The Python prefix for images not in ``image_environments`` (None: the sandbox's own ``sys.prefix``)."""
    extra_env: dict[str, str] = field(default_factory=dict)
    """Environment added to every task process (e.g. the config the sandbox wrote, for FlyteRemote in tasks)."""


class Engine(Protocol):
    """The executor, as the control plane sees it."""

    def start(self) -> None:
        """Start the engine's threads."""
        ...

    def submit(
        self,
        execution: identifier_pb2.WorkflowExecutionIdentifier,
        closure: compiler_pb2.CompiledWorkflowClosure,
        inputs: literals_pb2.LiteralMap,
        spec: execution_pb2.ExecutionSpec,
    ) -> None:
        """Start executing: the engine reports RUNNING and every later phase through the host."""
        ...

    def resume(
        self,
        execution: identifier_pb2.WorkflowExecutionIdentifier,
        closure: compiler_pb2.CompiledWorkflowClosure,
        inputs: literals_pb2.LiteralMap,
        spec: execution_pb2.ExecutionSpec,
    ) -> None:
        """Continue an execution after a restart, from ``load_engine_state`` (re-running interrupted tasks)."""
        ...

    def terminate(self, execution: identifier_pb2.WorkflowExecutionIdentifier, cause: str) -> None:
        """Abort: kill the execution's processes, abort child executions, report ABORTED."""
        ...

    def running(self) -> int:
        """Task processes running now."""
        ...

    def stop(self) -> None:
        """Stop the threads and the task processes (their executions resume at the next start)."""
        ...

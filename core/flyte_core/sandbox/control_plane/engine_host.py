"""The control plane as the engine's :class:`~flyte_core.sandbox.engine.host.EngineHost`: the engine's events
applied, child executions of launch-plan nodes, signals, dynamic workflows compiled, the task cache, the engine's
saved state, and the executions handed back to the engine after a restart.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable
from typing import Any

from flyteidl.admin import execution_pb2
from flyteidl.core import compiler_pb2, identifier_pb2, interface_pb2, literals_pb2, tasks_pb2, types_pb2
from flyteidl.event import event_pb2

from flyte_core.sandbox import events
from flyte_core.sandbox.control_plane.launch_plans import _launch_plan_interface
from flyte_core.sandbox.control_plane.records import (
    _EXECUTION_NAME_LENGTH,
    ControlPlaneParts,
    ExecutionMode,
    ResourceType,
    WorkflowPhase,
    _now,
    _typed,
)
from flyte_core.sandbox.errors import AlreadyExists, FailedPrecondition, NotFound

_log = logging.getLogger("flyte_core.sandbox")


class EngineHostMixin(ControlPlaneParts):
    """What the engine asks of its host, answered over the control plane's state."""

    def record_workflow_event(self, event: event_pb2.WorkflowExecutionEvent) -> None:
        """Apply an execution's phase change; repeats and changes after a terminal phase are ignored (as propeller)."""
        self._apply(events.apply_workflow_event, event)

    def record_node_event(self, event: event_pb2.NodeExecutionEvent) -> None:
        self._apply(events.apply_node_event, event)

    def record_task_event(self, event: event_pb2.TaskExecutionEvent) -> None:
        self._apply(events.apply_task_event, event)

    def _apply(self, apply: Callable[..., Any], event: Any) -> None:
        try:
            apply(self.state, self._blobs, event)
        except (AlreadyExists, FailedPrecondition) as ignored:
            _log.debug("event ignored: %s", ignored.message)

    def launch_child_execution(
        self,
        launch_plan: identifier_pb2.Identifier,
        inputs: literals_pb2.LiteralMap,
        parent: identifier_pb2.NodeExecutionIdentifier,
    ) -> identifier_pb2.WorkflowExecutionIdentifier:
        """The execution of a launch-plan node: created once per parent node, inheriting the parent's settings."""
        existing = self.state.one(
            "SELECT project, domain, name FROM executions WHERE parent_project = ? AND parent_domain = ? AND "
            "parent_name = ? AND parent_node_id = ?",
            (parent.execution_id.project, parent.execution_id.domain, parent.execution_id.name, parent.node_id),
        )
        if existing is not None:
            return identifier_pb2.WorkflowExecutionIdentifier(**dict(existing))
        row = self.state.find("executions", "resolved_spec", **events.execution_key(parent.execution_id))
        if row is None:
            raise NotFound(f"execution {events.describe_execution(parent.execution_id)} does not exist")
        parent_spec = execution_pb2.ExecutionSpec.FromString(row["resolved_spec"])
        spec = execution_pb2.ExecutionSpec(
            launch_plan=launch_plan,
            metadata=execution_pb2.ExecutionMetadata(mode=ExecutionMode.CHILD_WORKFLOW, parent_node_execution=parent),
        )
        for name in ("labels", "annotations", "security_context", "raw_output_data_config", "interruptible", "envs"):
            if parent_spec.HasField(name):
                getattr(spec, name).CopyFrom(getattr(parent_spec, name))
        spec.max_parallelism = parent_spec.max_parallelism
        spec.overwrite_cache = parent_spec.overwrite_cache
        seed = f"{events.describe_execution(parent.execution_id)}/{parent.node_id}"
        name = "f" + hashlib.sha256(seed.encode()).hexdigest()[: _EXECUTION_NAME_LENGTH - 1]
        request = execution_pb2.ExecutionCreateRequest(
            project=parent.execution_id.project,
            domain=parent.execution_id.domain,
            name=name,
            spec=spec,
            inputs=inputs,
        )
        try:
            return self.create_execution(request)
        except AlreadyExists:
            return identifier_pb2.WorkflowExecutionIdentifier(project=request.project, domain=request.domain, name=name)

    def get_execution(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> execution_pb2.Execution:
        return self.execution(execution)

    def get_execution_outputs(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> literals_pb2.LiteralMap:
        record = self.execution(execution)
        if record.closure.phase != WorkflowPhase.SUCCEEDED:
            raise FailedPrecondition(
                f"execution {events.describe_execution(execution)} has no outputs: it is "
                f"{WorkflowPhase.Phase.Name(record.closure.phase)}"
            )
        return self.outputs(record.closure) or literals_pb2.LiteralMap()

    def terminate_execution(self, execution: identifier_pb2.WorkflowExecutionIdentifier, cause: str) -> None:
        """Abort a child execution; one that already finished is left alone."""
        with contextlib.suppress(FailedPrecondition):
            self.terminate(execution, cause)

    def get_or_create_signal(
        self, execution: identifier_pb2.WorkflowExecutionIdentifier, signal_id: str, type: object
    ) -> literals_pb2.Literal | None:
        signal = self.signal(execution, signal_id, type)  # type: ignore[arg-type]
        return signal.value if signal.HasField("value") else None

    def signal(
        self, execution: identifier_pb2.WorkflowExecutionIdentifier, signal_id: str, type: types_pb2.LiteralType
    ) -> Any:
        """flyteadmin's GetOrCreateSignal: the stored signal (created with ``type`` the first time)."""
        from flyteidl.admin import signal_pb2
        from flyteidl.core import identifier_pb2 as ids

        key = {**events.execution_key(execution), "signal_id": signal_id}
        key["execution_name"] = key.pop("name")
        with self.state.transaction():
            if self.state.find("executions", "1", **events.execution_key(execution)) is None:
                raise NotFound(f"execution {events.describe_execution(execution)} does not exist")
            row = self.state.find("signals", "type, value", **key)
            if row is None:
                now = _now()
                self.state.insert(
                    "signals", **key, type=type.SerializeToString(), value=None, created_at=now, updated_at=now
                )
                row = self.state.find("signals", "type, value", **key)
        signal = signal_pb2.Signal(
            id=ids.SignalIdentifier(signal_id=signal_id, execution_id=execution),
            type=types_pb2.LiteralType.FromString(row["type"]),
        )
        if row["value"] is not None:
            signal.value.CopyFrom(literals_pb2.Literal.FromString(row["value"]))
        return signal

    def launch_plan_interface(self, launch_plan: identifier_pb2.Identifier) -> interface_pb2.TypedInterface:
        return _launch_plan_interface(self.launch_plan(_typed(launch_plan, ResourceType.LAUNCH_PLAN)))

    def compile_dynamic(
        self, parent_node: str, interface: interface_pb2.TypedInterface, futures: object
    ) -> compiler_pb2.CompiledWorkflowClosure:
        from flyte_core.sandbox import compiler

        return compiler.compile_dynamic(parent_node, interface, futures, self._registered_interface)  # type: ignore[arg-type]

    def cached_outputs(
        self, task: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap
    ) -> literals_pb2.LiteralMap | None:
        row = self.state.find("task_cache", "outputs", key=cache_key(task, inputs))
        return literals_pb2.LiteralMap.FromString(row["outputs"]) if row else None

    def cache_outputs(
        self, task: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap, outputs: literals_pb2.LiteralMap
    ) -> None:
        self.state.insert(
            "task_cache",
            replace=True,
            key=cache_key(task, inputs),
            task_name=task.id.name,
            cache_version=task.metadata.discovery_version,
            outputs=outputs.SerializeToString(),
            created_at=_now(),
        )

    def load_engine_state(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> bytes | None:
        key = events.execution_key(execution)
        row = self.state.find(
            "engine_state", "state", project=key["project"], domain=key["domain"], execution_name=key["name"]
        )
        return bytes(row["state"]) if row else None

    def save_engine_state(self, execution: identifier_pb2.WorkflowExecutionIdentifier, state: bytes) -> None:
        key = events.execution_key(execution)
        self.state.insert(
            "engine_state",
            replace=True,
            project=key["project"],
            domain=key["domain"],
            execution_name=key["name"],
            state=state,
            updated_at=_now(),
        )

    # -- restart ----------------------------------------------------------------------------------------------------

    def resume_unfinished(self) -> int:
        """Hand every execution that is not terminal back to the engine (after a restart); how many there were."""
        if self.engine is None:
            return 0
        terminal = [WorkflowPhase.Phase.Name(p) for p in events.TERMINAL_WORKFLOW_PHASES]
        marks = ", ".join("?" for _ in terminal)
        rows = self.state.all(
            f"SELECT project, domain, name, phase, closure, inputs_uri, resolved_spec, abort_cause FROM executions "
            f"WHERE phase NOT IN ({marks}) ORDER BY created_at",
            terminal,
        )
        for row in rows:
            execution_id = identifier_pb2.WorkflowExecutionIdentifier(
                project=row["project"], domain=row["domain"], name=row["name"]
            )
            closure = compiler_pb2.CompiledWorkflowClosure.FromString(row["closure"])
            inputs = literals_pb2.LiteralMap.FromString(self._blobs.read_bytes(row["inputs_uri"]))
            spec = execution_pb2.ExecutionSpec.FromString(row["resolved_spec"])
            self.engine.resume(execution_id, closure, inputs, spec)
            if row["phase"] == WorkflowPhase.Phase.Name(WorkflowPhase.ABORTING):
                self.engine.terminate(execution_id, row["abort_cause"] or "")
        return len(rows)


def cache_key(task: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap) -> str:
    """The task cache key: project, domain, task name, cache version, interface and inputs (minus the ignored ones,
    each literal standing for its ``hash`` when it has one), as datacatalog keys artifacts."""
    ignored = set(task.metadata.cache_ignore_input_vars)
    kept = literals_pb2.LiteralMap()
    for name, literal in inputs.literals.items():
        if name not in ignored:
            kept.literals[name].CopyFrom(_hashable(literal))
    digest = hashlib.sha256()
    for part in (task.id.project, task.id.domain, task.id.name, task.metadata.discovery_version):
        digest.update(part.encode() + b"\0")
    digest.update(hashlib.sha256(task.interface.SerializeToString(deterministic=True)).digest())
    digest.update(hashlib.sha256(kept.SerializeToString(deterministic=True)).digest())
    return digest.hexdigest()


def _hashable(literal: literals_pb2.Literal) -> literals_pb2.Literal:
    """propeller's ``hashify``: a literal with a ``hash`` stands for it; collections and maps recurse."""
    if literal.hash:
        return literals_pb2.Literal(hash=literal.hash)
    if literal.HasField("collection"):
        return literals_pb2.Literal(
            collection=literals_pb2.LiteralCollection(
                literals=[_hashable(item) for item in literal.collection.literals]
            )
        )
    if literal.HasField("map"):
        result = literals_pb2.Literal()
        for name, item in literal.map.literals.items():
            result.map.literals[name].CopyFrom(_hashable(item))
        return result
    return literal

"""The engine on real processes: workflow modules written into tmp_path, serialized and compiled as the sandbox
does, run by a LocalEngine whose tasks are real ``pyflyte-execute`` processes, against a real BlobStore and a
recording EngineHost (the only test double: it keeps events, engine state, cache, signals and child
executions in memory, and checks the event rules flyteadmin enforces)."""

from __future__ import annotations

import importlib
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import execution_pb2 as admin_execution_pb2
from flyteidl.admin import launch_plan_pb2
from flyteidl.admin import task_pb2 as admin_task_pb2
from flyteidl.admin import workflow_pb2 as admin_workflow_pb2
from flyteidl.core import compiler_pb2, execution_pb2, identifier_pb2, interface_pb2, literals_pb2, tasks_pb2
from flyteidl.event import event_pb2

from flyte_core.config.images import ImageConfig
from flyte_core.config.serialization import SerializationSettings
from flyte_core.context import FlyteContextManager
from flyte_core.sandbox import compiler
from flyte_core.sandbox.blobs import BlobStore
from flyte_core.sandbox.engine.engine import LocalEngine
from flyte_core.sandbox.engine.host import EngineSettings
from flyte_core.tools.translator import get_serializable
from flyte_core.types.type_engine import TypeEngine

SETTINGS = SerializationSettings(
    project="p", domain="d", version="v1", image_config=ImageConfig.auto(img_name="img:v1")
)
WorkflowPhase = execution_pb2.WorkflowExecution.Phase
NodePhase = execution_pb2.NodeExecution.Phase
TaskPhase = execution_pb2.TaskExecution.Phase
TERMINAL = {"SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"}
TERMINAL_NODE = {"SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT", "SKIPPED", "RECOVERED"}


def _key(identifier: Any) -> tuple[str, ...]:
    return (identifier.project, identifier.domain, identifier.name, identifier.version)


@dataclass
class LaunchPlanEntry:
    closure: compiler_pb2.CompiledWorkflowClosure
    defaults: literals_pb2.LiteralMap
    interface: interface_pb2.TypedInterface


class RecordingHost:
    """An in-memory EngineHost that records every event and checks flyteadmin's event rules."""

    def __init__(self, root: Path) -> None:
        self.blobs = BlobStore(root / "blobs", secret=b"s" * 32)
        self.workflow_events: list[event_pb2.WorkflowExecutionEvent] = []
        self.node_events: list[event_pb2.NodeExecutionEvent] = []
        self.task_events: list[event_pb2.TaskExecutionEvent] = []
        self.states: dict[str, bytes] = {}
        self.saves = 0
        self.cache: dict[tuple[Any, ...], literals_pb2.LiteralMap] = {}
        self.signals: dict[tuple[str, str], literals_pb2.Literal | None] = {}
        self.launch_plans: dict[tuple[str, ...], LaunchPlanEntry] = {}
        self.children: dict[tuple[str, str], identifier_pb2.WorkflowExecutionIdentifier] = {}
        self.violations: list[str] = []
        self.engine: LocalEngine | None = None
        self._node_phases: dict[tuple[str, str], str] = {}
        self._task_phases: dict[tuple[Any, ...], tuple[str, int]] = {}
        self._workflow_phase: dict[str, str] = {}
        self._outputs: dict[str, str] = {}
        self._errors: dict[str, execution_pb2.ExecutionError] = {}
        self._changed = threading.Condition()

    # -- reporting --

    def record_workflow_event(self, event: event_pb2.WorkflowExecutionEvent) -> None:
        with self._changed:
            name = event.execution_id.name
            phase = WorkflowPhase.Name(event.phase)
            current = self._workflow_phase.get(name)
            if current == phase:
                self.violations.append(f"workflow {name}: phase {phase} reported twice")
            if current in TERMINAL:
                self.violations.append(f"workflow {name}: {phase} after terminal {current}")
            self._workflow_phase[name] = phase
            if event.HasField("error"):
                self._errors[name] = event.error
            if event.output_uri:
                self._outputs[name] = event.output_uri
            self.workflow_events.append(event)
            self._changed.notify_all()

    def record_node_event(self, event: event_pb2.NodeExecutionEvent) -> None:
        with self._changed:
            key = (event.id.execution_id.name, event.id.node_id)
            phase = NodePhase.Name(event.phase)
            current = self._node_phases.get(key)
            if current == phase:
                self.violations.append(f"node {key}: phase {phase} reported twice")
            if current in TERMINAL_NODE:
                self.violations.append(f"node {key}: {phase} after terminal {current}")
            if event.HasField("parent_node_metadata"):
                parent = (key[0], event.parent_node_metadata.node_id)
                if parent not in self._node_phases:
                    self.violations.append(f"node {key}: reported before its parent {parent}")
            self._node_phases[key] = phase
            self.node_events.append(event)
            self._changed.notify_all()

    def record_task_event(self, event: event_pb2.TaskExecutionEvent) -> None:
        with self._changed:
            node = (event.parent_node_execution_id.execution_id.name, event.parent_node_execution_id.node_id)
            if node not in self._node_phases:
                self.violations.append(f"task of node {node}: reported before its node")
            key = (*node, event.retry_attempt)
            phase = TaskPhase.Name(event.phase)
            current = self._task_phases.get(key)
            if current is not None:
                if current[0] == phase and current[1] >= event.phase_version:
                    self.violations.append(f"task {key}: phase {phase} version {event.phase_version} reported twice")
                if current[0] in ("SUCCEEDED", "FAILED", "ABORTED"):
                    self.violations.append(f"task {key}: {phase} after terminal {current[0]}")
            self._task_phases[key] = (phase, event.phase_version)
            self.task_events.append(event)
            self._changed.notify_all()

    # -- launch-plan nodes --

    def launch_child_execution(
        self,
        launch_plan: identifier_pb2.Identifier,
        inputs: literals_pb2.LiteralMap,
        parent: identifier_pb2.NodeExecutionIdentifier,
    ) -> identifier_pb2.WorkflowExecutionIdentifier:
        key = (parent.execution_id.name, parent.node_id)
        if key in self.children:
            return self.children[key]
        entry = self.launch_plans[_key(launch_plan)]
        merged = literals_pb2.LiteralMap()
        merged.CopyFrom(entry.defaults)
        for name, value in inputs.literals.items():
            merged.literals[name].CopyFrom(value)
        child = identifier_pb2.WorkflowExecutionIdentifier(
            project=parent.execution_id.project, domain=parent.execution_id.domain, name=f"c{uuid.uuid4().hex[:10]}"
        )
        self.children[key] = child
        assert self.engine is not None
        self.engine.submit(child, entry.closure, merged, admin_execution_pb2.ExecutionSpec())
        return child

    def get_execution(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> admin_execution_pb2.Execution:
        with self._changed:
            phase = self._workflow_phase.get(execution.name, "QUEUED")
            record = admin_execution_pb2.Execution(id=execution)
            record.closure.phase = WorkflowPhase.Value(phase)
            if execution.name in self._errors:
                record.closure.error.CopyFrom(self._errors[execution.name])
            elif execution.name in self._outputs:
                record.closure.outputs.uri = self._outputs[execution.name]
            return record

    def get_execution_outputs(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> literals_pb2.LiteralMap:
        uri = self._outputs.get(execution.name)
        return literals_pb2.LiteralMap.FromString(self.blobs.read_bytes(uri)) if uri else literals_pb2.LiteralMap()

    def terminate_execution(self, execution: identifier_pb2.WorkflowExecutionIdentifier, cause: str) -> None:
        assert self.engine is not None
        self.engine.terminate(execution, cause)

    # -- gate nodes --

    def get_or_create_signal(
        self, execution: identifier_pb2.WorkflowExecutionIdentifier, signal_id: str, type: object
    ) -> literals_pb2.Literal | None:
        with self._changed:
            return self.signals.setdefault((execution.name, signal_id), None)

    def set_signal(self, execution: str, signal_id: str, value: literals_pb2.Literal) -> None:
        with self._changed:
            self.signals[(execution, signal_id)] = value

    # -- dynamic tasks --

    def launch_plan_interface(self, launch_plan: identifier_pb2.Identifier) -> interface_pb2.TypedInterface:
        try:
            return self.launch_plans[_key(launch_plan)].interface
        except KeyError:
            raise KeyError(launch_plan.name) from None

    def compile_dynamic(
        self, parent_node: str, interface: interface_pb2.TypedInterface, futures: object
    ) -> compiler_pb2.CompiledWorkflowClosure:
        return compiler.compile_dynamic(parent_node, interface, futures, self.launch_plan_interface)  # type: ignore[arg-type]

    # -- the task cache --

    def _cache_key(self, task: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap) -> tuple[Any, ...]:
        return (task.id.name, task.metadata.discovery_version, inputs.SerializeToString(deterministic=True))

    def cached_outputs(
        self, task: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap
    ) -> literals_pb2.LiteralMap | None:
        return self.cache.get(self._cache_key(task, inputs))

    def cache_outputs(
        self, task: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap, outputs: literals_pb2.LiteralMap
    ) -> None:
        self.cache[self._cache_key(task, inputs)] = outputs

    # -- durability --

    def load_engine_state(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> bytes | None:
        return self.states.get(execution.name)

    def save_engine_state(self, execution: identifier_pb2.WorkflowExecutionIdentifier, state: bytes) -> None:
        self.states[execution.name] = state
        self.saves += 1

    # -- what tests ask --

    def phase(self, execution: str) -> str | None:
        with self._changed:
            return self._workflow_phase.get(execution)

    def wait_for(self, predicate: Any, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out after {timeout}s waiting; workflow phases: {self._workflow_phase}")
                self._changed.wait(remaining)

    def wait(self, execution: str, timeout: float = 30) -> str:
        """The execution's terminal phase, once it has one."""
        self.wait_for(lambda: self._workflow_phase.get(execution) in TERMINAL, timeout)
        return self._workflow_phase[execution]

    def error(self, execution: str) -> execution_pb2.ExecutionError:
        return self._errors[execution]

    def outputs(self, execution: str) -> literals_pb2.LiteralMap:
        return literals_pb2.LiteralMap.FromString(self.blobs.read_bytes(self._outputs[execution]))

    def nodes(self, execution: str) -> dict[str, list[str]]:
        """Each node id's reported phases, in order."""
        result: dict[str, list[str]] = {}
        for event in self.node_events:
            if event.id.execution_id.name == execution:
                result.setdefault(event.id.node_id, []).append(NodePhase.Name(event.phase))
        return result

    def node_event(self, execution: str, node_id: str, phase: str) -> event_pb2.NodeExecutionEvent:
        for event in self.node_events:
            if (
                event.id.execution_id.name == execution
                and event.id.node_id == node_id
                and NodePhase.Name(event.phase) == phase
            ):
                return event
        raise AssertionError(f"no {phase} event for node {node_id}; nodes: {self.nodes(execution)}")

    def tasks(self, execution: str, node_id: str) -> list[tuple[int, str]]:
        """(retry attempt, phase) of a node's task events, in order."""
        return [
            (e.retry_attempt, TaskPhase.Name(e.phase))
            for e in self.task_events
            if e.parent_node_execution_id.execution_id.name == execution
            and e.parent_node_execution_id.node_id == node_id
        ]


def wait_for_files(directory: Path, count: int, prefix: str = "", timeout: float = 30) -> list[str]:
    """The names of the files under ``directory`` starting with ``prefix``, once there are ``count`` of them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        names = sorted(p.name for p in directory.iterdir() if p.name.startswith(prefix))
        if len(names) >= count:
            return names
        time.sleep(0.02)
    raise AssertionError(f"{count} files starting with {prefix!r} did not appear in {directory}")


def literal_map(**values: tuple[Any, Any]) -> literals_pb2.LiteralMap:
    """``literal_map(x=(3, int))``: a LiteralMap made by the type engine."""
    ctx = FlyteContextManager.current_context()
    return literals_pb2.LiteralMap(
        literals={
            name: TypeEngine.to_literal(ctx, value, python_type, TypeEngine.to_literal_type(python_type))
            for name, (value, python_type) in values.items()
        }
    )


def python_value(literal: literals_pb2.Literal, python_type: Any) -> Any:
    return TypeEngine.to_python_value(FlyteContextManager.current_context(), literal, python_type)


@dataclass
class Sandbox:
    """A recording host, a LocalEngine on it, and a directory of workflow code its tasks import."""

    root: Path
    host: RecordingHost
    code: Path
    max_parallel_tasks: int = 4
    image_environments: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] | None = None
    """None: PYTHONPATH pointing at the code directory."""
    engines: list[LocalEngine] = field(default_factory=list)
    _tasks: dict[tuple[str, ...], tasks_pb2.TaskTemplate] = field(default_factory=dict)
    _counter: int = 0

    @property
    def engine(self) -> LocalEngine:
        return self.engines[-1]

    def settings(self) -> EngineSettings:
        return EngineSettings(
            max_parallel_tasks=self.max_parallel_tasks,
            log_dir=self.root / "logs",
            image_environments=self.image_environments,
            extra_env={"PYTHONPATH": str(self.code)} if self.extra_env is None else self.extra_env,
        )

    def restart(self, **changes: Any) -> LocalEngine:
        """Stop the engine, change the sandbox's settings, start a new engine."""
        self.engine.stop()
        for name, value in changes.items():
            setattr(self, name, value)
        return self.new_engine()

    def new_engine(self, **options: Any) -> LocalEngine:
        """A (new) engine on the same host, started: a restart of the sandbox."""
        options.setdefault("poll_interval", 0.05)
        options.setdefault("kill_grace", 1.0)
        engine = LocalEngine(self.host, self.settings(), work_dir=self.root / "work", **options)
        self.host.engine = engine
        self.engines.append(engine)
        engine.start()
        return engine

    def load(self, source: str, code: Path | None = None) -> Any:
        """Write ``source`` as a fresh module of the code directory (or ``code``, on sys.path) and import it."""
        code = code or self.code
        package = f"wf{uuid.uuid4().hex[:10]}"
        (code / package).mkdir(parents=True)
        (code / package / "__init__.py").write_text("")
        (code / package / "flows.py").write_text(textwrap.dedent(source))
        return importlib.import_module(f"{package}.flows")

    def compile(self, entity: Any, settings: SerializationSettings = SETTINGS) -> compiler_pb2.CompiledWorkflowClosure:
        """Serialize a workflow (registering its tasks and launch plans) and compile it as the sandbox does."""
        mapping: dict[Any, Any] = {}
        spec = get_serializable(mapping, settings, entity)
        for value in mapping.values():
            if isinstance(value, admin_task_pb2.TaskSpec):
                self._tasks[_key(value.template.id)] = value.template
        for value in list(mapping.values()):
            if isinstance(value, launch_plan_pb2.LaunchPlan):
                self._register_launch_plan(mapping, value)
        assert isinstance(spec, admin_workflow_pb2.WorkflowSpec), type(spec)
        return compiler.compile_workflow(spec, self._get_task, self.host.launch_plan_interface)

    def _get_task(self, identifier: identifier_pb2.Identifier) -> tasks_pb2.TaskTemplate:
        return self._tasks[_key(identifier)]

    def _register_launch_plan(self, mapping: dict[Any, Any], plan: launch_plan_pb2.LaunchPlan) -> None:
        workflow = next(
            v
            for v in mapping.values()
            if isinstance(v, admin_workflow_pb2.WorkflowSpec) and _key(v.template.id) == _key(plan.spec.workflow_id)
        )
        closure = compiler.compile_workflow(workflow, self._get_task, self.host.launch_plan_interface)
        defaults = literals_pb2.LiteralMap()
        for name, parameter in plan.spec.default_inputs.parameters.items():
            if parameter.HasField("default"):
                defaults.literals[name].CopyFrom(parameter.default)
        for name, value in plan.spec.fixed_inputs.literals.items():
            defaults.literals[name].CopyFrom(value)
        interface = interface_pb2.TypedInterface(outputs=workflow.template.interface.outputs)
        for name, parameter in plan.spec.default_inputs.parameters.items():
            interface.inputs.variables[name].CopyFrom(parameter.var)
        self.host.launch_plans[_key(plan.id)] = LaunchPlanEntry(closure, defaults, interface)

    def submit(
        self,
        entity: Any,
        inputs: literals_pb2.LiteralMap | None = None,
        spec: admin_execution_pb2.ExecutionSpec | None = None,
        name: str | None = None,
        settings: SerializationSettings = SETTINGS,
    ) -> str:
        closure = self.compile(entity, settings)
        self._counter += 1
        name = name or f"e{self._counter}"
        execution = identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name=name)
        self.engine.submit(
            execution, closure, inputs or literals_pb2.LiteralMap(), spec or admin_execution_pb2.ExecutionSpec()
        )
        return name

    def run(self, entity: Any, inputs: literals_pb2.LiteralMap | None = None, **kwargs: Any) -> str:
        """Submit and wait for the end; the execution's name."""
        name = self.submit(entity, inputs, **kwargs)
        self.host.wait(name)
        return name

    def execution(self, name: str) -> identifier_pb2.WorkflowExecutionIdentifier:
        return identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name=name)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    code = tmp_path / "code"
    code.mkdir()
    sys.path.insert(0, str(code))
    box = Sandbox(root=tmp_path, host=RecordingHost(tmp_path), code=code)
    box.new_engine()
    try:
        yield box
    finally:
        for engine in box.engines:
            engine.stop()
        sys.path.remove(str(code))
        assert not box.host.violations, box.host.violations

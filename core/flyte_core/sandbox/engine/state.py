"""The engine's progress of one execution, as stored with ``EngineHost.save_engine_state`` (compact JSON).

Everything needed to continue after a restart is here: each node's phase, attempt, retry budgets, where its
outputs are, the process running its current attempt (pid and start time, so a restarted engine kills it
and runs the attempt again), a launch-plan node's child execution, a branch's decision, an array node's
items. What can be recomputed (unique ids, the DAG, the compiled dynamic workflow, stored next to its
``futures.pb``) is not stored.

Format (version 1; fields holding their default are left out)::

    {"v": 1, "phase": "RUNNING", "error": {...}, "scopes": {"": {...ScopeState}}, "nodes": {"<unique id>": {...}}}
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from flyteidl.core import execution_pb2

FORMAT_VERSION = 1

Phase = execution_pb2.NodeExecution.Phase

ACTIVE = "QUEUED", "RUNNING", "DYNAMIC_RUNNING"
"""Node phases of a node that has started and not finished."""
SUCCESSFUL = "SUCCEEDED", "SKIPPED", "RECOVERED"
"""Node phases downstream nodes may run after."""
TERMINAL = "SUCCEEDED", "SKIPPED", "RECOVERED", "FAILED", "TIMED_OUT", "ABORTED"


@dataclass
class ProcessRecord:
    """A task attempt's process: its process group leader and what identifies it beyond a reusable pid."""

    pid: int
    identity: str | None
    work_dir: str


@dataclass
class Attempts:
    """The attempts of one task: a task node, a dynamic task's own run, or one item of an array node."""

    attempt: int = 0
    system_failures: int = 0
    started_at: float | None = None
    """When the current attempt's process started (its execution deadline counts from here)."""
    process: ProcessRecord | None = None
    task_phase: str | None = None
    """The last task phase reported for the current attempt (None: none yet)."""
    phase_version: int = 0


@dataclass
class ItemState(Attempts):
    """One element of an array node."""

    phase: str = "NOT_STARTED"
    error: dict[str, Any] | None = None
    cache_status: int = 0
    outputs: str | None = None
    child: dict[str, str] | None = None
    """The launch-plan execution this item started (project, domain, name)."""


@dataclass
class NodeState(Attempts):
    """One node execution (under its unique id)."""

    spec: str = ""
    """The node's id in its workflow template."""
    parent: str | None = None
    """The parent node's unique id (nested nodes)."""
    retry_group: str | None = None
    """The parent node's attempt (nested nodes)."""
    dynamic_chain: bool = False
    phase: str = "NOT_STARTED"
    queued_at: float = 0.0
    error: dict[str, Any] | None = None
    outputs: str | None = None
    """URI of the node's ``outputs.pb`` once it succeeded (a branch's is its taken child's)."""
    cache_status: int = 0
    cache_waiting: bool = False
    """A cache-serializable task waiting for another execution holding the reservation."""
    dynamic: bool = False
    """The task wrote ``futures.pb``: the node now runs the compiled dynamic workflow."""
    taken: str | None = None
    """A branch node's chosen child (its id in the template)."""
    child: dict[str, str] | None = None
    """A launch-plan node's execution (project, domain, name)."""
    items: list[ItemState] | None = None
    """An array node's elements."""
    array_outputs: list[str] | None = None
    """An array node's output variable names (known once started)."""


@dataclass
class ScopeState:
    """A running DAG (the workflow, a sub-workflow, a dynamic workflow): failing, failed, succeeded."""

    phase: str = "RUNNING"
    error: dict[str, Any] | None = None
    failed_node: str | None = None


@dataclass
class ExecutionState:
    """The engine's whole record of one execution."""

    phase: str = "RUNNING"
    """The last workflow phase reported (RUNNING, SUCCEEDING, FAILING, SUCCEEDED, FAILED, ABORTED)."""
    error: dict[str, Any] | None = None
    nodes: dict[str, NodeState] = field(default_factory=dict)
    scopes: dict[str, ScopeState] = field(default_factory=dict)

    def dumps(self) -> bytes:
        document = {"v": FORMAT_VERSION, **_compact(self)}
        return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()

    @classmethod
    def loads(cls, data: bytes) -> ExecutionState:
        document = json.loads(data)
        if document.get("v") != FORMAT_VERSION:
            raise ValueError(f"engine state format {document.get('v')!r} is not supported (expected {FORMAT_VERSION})")
        return cls(
            phase=document.get("phase", "RUNNING"),
            error=document.get("error"),
            nodes={key: _node(value) for key, value in document.get("nodes", {}).items()},
            scopes={key: ScopeState(**value) for key, value in document.get("scopes", {}).items()},
        )


def _compact(value: Any) -> Any:
    """A dataclass as a dict without the fields that hold their default (what ``loads`` fills back in)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        compact = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            if item != default:
                compact[f.name] = _compact(item)
        return compact
    if isinstance(value, dict):
        return {key: _compact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_compact(item) for item in value]
    return value


def _process(value: dict[str, Any] | None) -> ProcessRecord | None:
    return None if value is None else ProcessRecord(**value)


def _item(value: dict[str, Any]) -> ItemState:
    return ItemState(**{**value, "process": _process(value.get("process"))})


def _node(value: dict[str, Any]) -> NodeState:
    items = value.get("items")
    return NodeState(
        **{
            **value,
            "process": _process(value.get("process")),
            "items": None if items is None else [_item(item) for item in items],
        }
    )


# -- errors -------------------------------------------------------------------------------------------------------


def error_record(error: execution_pb2.ExecutionError) -> dict[str, Any]:
    """An ExecutionError as stored in the state."""
    return {"code": error.code, "message": error.message, "kind": error.kind, "uri": error.error_uri}


def execution_error(record: dict[str, Any]) -> execution_pb2.ExecutionError:
    return execution_pb2.ExecutionError(
        code=record["code"], message=record["message"], kind=record["kind"], error_uri=record.get("uri", "")
    )


def new_error(code: str, message: str, kind: int = execution_pb2.ExecutionError.USER) -> dict[str, Any]:
    return {"code": code, "message": message, "kind": kind, "uri": ""}

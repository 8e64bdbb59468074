"""The workflow graph a compile builds: the start and end node ids, the nodes being compiled, the catalog of
what they may refer to, the execution edges between nodes, reachability (cycles, nodes that can never run), and
how problems are reported (each naming the workflow and node, raised together as ``CompileError``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flyteidl.core import compiler_pb2, interface_pb2, tasks_pb2, workflow_pb2

START_NODE_ID = "start-node"
"""The node whose outputs are the workflow's inputs."""
END_NODE_ID = "end-node"
"""The node whose inputs are the workflow's outputs."""


class CompileError(ValueError):
    """A workflow that cannot be compiled; the message names the workflow, node and variable (INVALID_ARGUMENT)."""


@dataclass
class _Catalog:
    """What the workflows being compiled may refer to, and the problems found so far."""

    tasks: dict[tuple[object, ...], tasks_pb2.TaskTemplate]
    launch_plans: dict[tuple[object, ...], interface_pb2.TypedInterface]
    sub_workflows: dict[tuple[object, ...], compiler_pb2.CompiledWorkflow]
    compiled: set[tuple[object, ...]] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


@dataclass
class _Node:
    """A node being compiled: its message (edited in place) and, once known, its effective interface."""

    proto: workflow_pb2.Node
    interface: interface_pb2.TypedInterface | None = None
    children: list[_Node] | None = None

    @property
    def id(self) -> str:
        return self.proto.id


_UPSTREAM, _DOWNSTREAM, _BOTH = "upstream", "downstream", "both"


class _WorkflowGraph:
    """One workflow's nodes and edges as compiled so far, and where its problems go (``_WorkflowCompiler``'s base)."""

    def __init__(self, catalog: _Catalog, compiled: compiler_pb2.CompiledWorkflow) -> None:
        self._catalog = catalog
        self._compiled = compiled
        self._template = compiled.template
        self._name = self._template.id.name
        self._nodes: dict[str, _Node] = {}
        self._upstream: dict[str, set[str]] = {}
        self._downstream: dict[str, set[str]] = {}

    def _add_execution_edge(self, provider: str, dependent: str) -> None:
        provider = provider or START_NODE_ID
        self._downstream.setdefault(provider, set()).add(dependent)
        self._upstream.setdefault(dependent, set()).add(provider)

    def _validate_reachable(self) -> None:
        """A cycle, or nodes the start node does not lead to, as propeller's ``validateReachable`` reports them."""
        visited: set[str] = set()
        visiting: list[str] = []

        def visit(node_id: str) -> list[str] | None:
            if node_id in visiting:
                return [*visiting, node_id]
            if node_id in visited:
                return None
            visited.add(node_id)
            visiting.append(node_id)
            for next_id in sorted(self._downstream.get(node_id, ())):
                cycle = visit(next_id)
                if cycle is not None:
                    return cycle
            visiting.pop()
            return None

        cycle = visit(START_NODE_ID)
        if cycle is not None:
            self._error(None, f"has a cycle: {' -> '.join(cycle)}; a node cannot depend on its own outputs")
            return
        unreachable = sorted(set(self._nodes) - visited - {END_NODE_ID})
        if unreachable:
            self._error(
                None,
                f"has nodes that can never run: {', '.join(unreachable)} (they depend on each other in a cycle "
                "or on nodes that do not exist)",
            )

    # -- errors ------------------------------------------------------------------------------------------------

    def _message(self, node_id: str | None, text: str) -> str:
        where = f"workflow '{self._name}'" + (f", node '{node_id}'" if node_id is not None else "")
        return f"{where}: {text}" if node_id is not None else f"{where} {text}"

    def _error(self, node_id: str | None, text: str) -> None:
        self._catalog.errors.append(self._message(node_id, text))

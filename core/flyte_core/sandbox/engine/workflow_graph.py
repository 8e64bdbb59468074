"""The shape of a compiled workflow's DAG: each node's upstream nodes and an order that respects them.

A node's upstream nodes are the compiler's connections, its explicit upstream ids and the nodes whose outputs
its bindings promise (branches included); ``Scope`` advances the nodes in the topological order.
"""

from __future__ import annotations

from flyteidl.core import compiler_pb2, literals_pb2, workflow_pb2

from flyte_core.sandbox.engine import nodes

__all__ = ["END_NODE", "START_NODE", "topological", "upstream_nodes"]

START_NODE = "start-node"
END_NODE = "end-node"


def _promised_nodes(node: workflow_pb2.Node) -> set[str]:
    found: set[str] = set()

    def visit(data: literals_pb2.BindingData) -> None:
        kind = data.WhichOneof("value")
        if kind == "promise":
            found.add(data.promise.node_id or START_NODE)
        elif kind == "collection":
            for item in data.collection.bindings:
                visit(item)
        elif kind == "map":
            for item in data.map.bindings.values():
                visit(item)

    for binding in node.inputs:
        visit(binding.binding)
    if node.WhichOneof("target") == "branch_node":
        for child in nodes.branch_children(node):
            found |= _promised_nodes(child)
    return found


def upstream_nodes(
    workflow: compiler_pb2.CompiledWorkflow, all_nodes: dict[str, workflow_pb2.Node]
) -> dict[str, set[str]]:
    """Each node's upstream nodes: the compiled connections, explicit upstream ids and promised outputs."""
    connections = workflow.connections.upstream
    upstream: dict[str, set[str]] = {}
    for node_id, node in all_nodes.items():
        ids = set(connections[node_id].ids) if node_id in connections else set()
        ids |= set(node.upstream_node_ids)
        ids |= _promised_nodes(node)
        if node_id == END_NODE:
            for binding in workflow.template.outputs:
                ids |= _promised_nodes(workflow_pb2.Node(inputs=[binding]))
        ids.discard(node_id)
        ids = {i for i in ids if i in all_nodes}
        if not ids and node_id != START_NODE and START_NODE in all_nodes:
            ids = {START_NODE}
        upstream[node_id] = ids
    return upstream


def topological(all_nodes: dict[str, workflow_pb2.Node], upstream: dict[str, set[str]]) -> list[str]:
    """Node ids, each after its upstream nodes (template order among equals)."""
    order: list[str] = []
    placed: set[str] = set()
    remaining = list(all_nodes)
    while remaining:
        progress = [n for n in remaining if upstream[n] <= placed]
        if not progress:
            raise ValueError(f"the workflow's nodes form a cycle: {', '.join(remaining)}")
        for node_id in progress:
            order.append(node_id)
            placed.add(node_id)
        remaining = [n for n in remaining if n not in placed]
    return order

"""One workflow compiled in place (``CompileWorkflow`` / ``ValidateWorkflow``): the nodes rebuilt as ``[start-node,
end-node, <user nodes>]``, each node validated (branches with their conditions, sub-workflows compiled once
each), the edges and ``connections`` the engine schedules by.
"""

from __future__ import annotations

from flyteidl.core import condition_pb2, interface_pb2, types_pb2, workflow_pb2

from flyte_core.sandbox.compiler.casting import _differ_simply, _primitive_type, _scalar_type, _type_name
from flyte_core.sandbox.compiler.graph import _BOTH, _UPSTREAM, END_NODE_ID, START_NODE_ID, _Node
from flyte_core.sandbox.compiler.interfaces import _InterfaceResolver
from flyte_core.sandbox.compiler.references import _copied, _key


class _WorkflowCompiler(_InterfaceResolver):
    """Compiles one workflow template in place (``ValidateWorkflow``), sub-workflows through new instances."""

    # -- the workflow ----------------------------------------------------------------------------------------

    def compile(self) -> None:
        template = self._template
        if not template.nodes:
            self._error(None, "has no nodes; a workflow must call at least one task, sub-workflow or launch plan")
            return
        self._validate_interface(None, template.interface)
        start = _Node(workflow_pb2.Node(id=START_NODE_ID))
        start.interface = interface_pb2.TypedInterface(outputs=template.interface.inputs)
        end = _Node(workflow_pb2.Node(id=END_NODE_ID, inputs=template.outputs))
        end.interface = interface_pb2.TypedInterface(inputs=template.interface.outputs)
        self._nodes = {START_NODE_ID: start, END_NODE_ID: end}
        user_nodes: list[_Node] = []
        for proto in template.nodes:
            node = _Node(_copied(proto))
            if not node.id:
                self._error(None, "has a node without an id; give every node an id")
                continue
            if node.id in self._nodes:
                reserved = node.id in (START_NODE_ID, END_NODE_ID)
                self._error(
                    node.id,
                    "uses a reserved node id; rename the node"
                    if reserved
                    else "is defined more than once; node ids must be unique in a workflow",
                )
                continue
            self._nodes[node.id] = node
            user_nodes.append(node)
            self._validate_node(node)
        for node in list(self._nodes.values()):
            if node.id != START_NODE_ID:
                self._add_edges(node, _BOTH)
        if template.HasField("failure_node"):
            failure = _Node(template.failure_node)
            self._validate_node(failure)
            self._add_edges(failure, _UPSTREAM)
        for node in user_nodes:
            if node.id not in self._upstream:
                self._add_execution_edge(START_NODE_ID, node.id)
            if node.id not in self._downstream:
                self._add_execution_edge(node.id, END_NODE_ID)
        self._validate_reachable()

        del template.nodes[:]
        template.nodes.extend([start.proto, end.proto, *(node.proto for node in user_nodes)])
        del template.outputs[:]
        template.outputs.extend(end.proto.inputs)
        connections = self._compiled.connections
        connections.SetInParent()
        for adjacency, target in ((self._upstream, connections.upstream), (self._downstream, connections.downstream)):
            for node_id, ids in adjacency.items():
                target[node_id].ids.extend(sorted(ids))

    # -- nodes (ValidateNode) --------------------------------------------------------------------------------

    def _validate_node(self, node: _Node) -> bool:
        errors_before = len(self._catalog.errors)
        if not node.id:
            self._error(None, "has a node without an id; give every node an id")
        if node.id in (START_NODE_ID, END_NODE_ID):
            return True
        if self._interface(node) is not None:
            self._effective_outputs(node)
        upstream = sorted(node.proto.upstream_node_ids)
        del node.proto.upstream_node_ids[:]
        node.proto.upstream_node_ids.extend(upstream)
        target = node.proto.WhichOneof("target")
        if target == "branch_node":
            for child in self._validate_branch(node):
                self._add_edges(child, _UPSTREAM)
        elif target == "workflow_node" and node.proto.workflow_node.HasField("sub_workflow_ref"):
            key = _key(node.proto.workflow_node.sub_workflow_ref)
            sub = self._catalog.sub_workflows.get(key)
            if sub is not None and key not in self._catalog.compiled:
                self._catalog.compiled.add(key)
                _WorkflowCompiler(self._catalog, sub).compile()
        return len(self._catalog.errors) == errors_before

    # -- branches ------------------------------------------------------------------------------------------------

    def _validate_branch(self, node: _Node) -> list[_Node]:
        """Conditions, cases and a default; the children that validate."""
        if_else = node.proto.branch_node.if_else
        blocks = [if_else.case] if if_else.HasField("case") else []
        if not blocks:
            self._error(node.id, "is a branch without an if case")
        blocks += list(if_else.other)
        for block in blocks:
            self._validate_condition(node, block.condition if block.HasField("condition") else None)
            if not block.HasField("then_node"):
                self._error(node.id, "has a case without a then node")
        if not if_else.HasField("else_node") and not if_else.HasField("error"):
            self._error(node.id, "is a branch with neither an else node nor an error for when no case matches")
        return [child for child in self._children(node) if self._validate_node(child)]

    def _validate_condition(self, node: _Node, expression: condition_pb2.BooleanExpression | None) -> None:
        if expression is None:
            self._error(node.id, "has a case without a condition")
            return
        kind = expression.WhichOneof("expr")
        if kind == "comparison":
            right = self._operand_type(node, expression.comparison.right_value)
            left = self._operand_type(node, expression.comparison.left_value)
            # propeller wants identical operand types; only plain simple types are compared here.
            if left is not None and right is not None and _differ_simply(left, right):
                self._error(
                    node.id,
                    f"compares {_type_name(left)} with {_type_name(right)}; "
                    "a condition's operands must have the same type",
                )
        elif kind == "conjunction":
            self._validate_condition(node, expression.conjunction.left_expression)
            self._validate_condition(node, expression.conjunction.right_expression)
        else:
            self._error(node.id, "has a condition that is neither a comparison nor a conjunction")

    def _operand_type(self, node: _Node, operand: condition_pb2.Operand) -> types_pb2.LiteralType | None:
        kind = operand.WhichOneof("val")
        if kind == "primitive":
            return _primitive_type(operand.primitive)
        if kind == "scalar":
            return _scalar_type(operand.scalar)
        if kind == "var":
            if node.interface is not None and operand.var in node.interface.inputs.variables:
                return node.interface.inputs.variables[operand.var].type
            if operand.var not in {binding.var for binding in node.proto.inputs}:
                self._error(node.id, f"has a condition on '{operand.var}', which the branch node does not bind")
            return None
        self._error(node.id, "has a condition operand with no value")
        return None

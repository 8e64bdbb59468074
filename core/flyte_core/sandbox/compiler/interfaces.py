"""Node interfaces (``ValidateUnderlyingInterface``): the effective interface of each kind of node (a task's, a
launch plan's as the node binds it, a sub-workflow's, a gate's, an array's, a branch's outputs common to every
child) and the check that every variable in it is named and typed.
"""

from __future__ import annotations

from flyteidl.core import interface_pb2

from flyte_core.sandbox.compiler.bindings import _BindingValidator
from flyte_core.sandbox.compiler.casting import _type_name
from flyte_core.sandbox.compiler.graph import _UPSTREAM, _Node
from flyte_core.sandbox.compiler.references import _branch_children, _describe, _key


class _InterfaceResolver(_BindingValidator):
    """Works out, once per node, the interface it is called with."""

    def _interface(self, node: _Node) -> interface_pb2.TypedInterface | None:
        """The node's effective interface (task's, launch plan's, sub-workflow's, branch's...), computed once."""
        if node.interface is not None:
            return node.interface
        proto = node.proto
        target = proto.WhichOneof("target")
        iface: interface_pb2.TypedInterface | None = None
        if target == "task_node":
            iface = self._task_interface(node)
        elif target == "workflow_node":
            iface = self._workflow_node_interface(node)
        elif target == "branch_node":
            iface = self._branch_interface(node)
        elif target == "gate_node":
            iface = self._gate_interface(node)
        elif target == "array_node":
            iface = self._array_interface(node)
        else:
            self._error(node.id, "has no target; a node must run a task, a workflow, a branch, a gate or an array")
        if iface is not None:
            self._validate_interface(node.id, iface)
            node.interface = iface
        return iface

    def _task_interface(self, node: _Node) -> interface_pb2.TypedInterface | None:
        task_node = node.proto.task_node
        if not task_node.HasField("reference_id"):
            self._error(node.id, "is a task node without a task reference_id")
            return None
        task = self._catalog.tasks.get(_key(task_node.reference_id))
        if task is None:
            self._error(
                node.id, f"runs {_describe(task_node.reference_id)}, which is not registered; register it first"
            )
            return None
        if not task.HasField("interface"):
            return _empty_interface()
        return task.interface

    def _workflow_node_interface(self, node: _Node) -> interface_pb2.TypedInterface | None:
        workflow_node = node.proto.workflow_node
        if workflow_node.HasField("launchplan_ref"):
            ref = workflow_node.launchplan_ref
            if _key(ref) == _key(self._template.id):
                return self._template.interface
            launch_plan = self._catalog.launch_plans.get(_key(ref))
            if launch_plan is None:
                self._error(node.id, f"calls {_describe(ref)}, which is not registered; register it first")
                return None
            # flyteadmin exposes the launch plan's required inputs plus those the node binds; a TypedInterface
            # does not say which are required, so only what the node binds is checked.
            bound = {binding.var for binding in node.proto.inputs}
            iface = interface_pb2.TypedInterface(outputs=launch_plan.outputs)
            iface.inputs.SetInParent()
            for name, variable in launch_plan.inputs.variables.items():
                if name in bound:
                    iface.inputs.variables[name].CopyFrom(variable)
            return iface
        if workflow_node.HasField("sub_workflow_ref"):
            sub = self._catalog.sub_workflows.get(_key(workflow_node.sub_workflow_ref))
            if sub is None:
                self._error(
                    node.id,
                    f"calls sub-workflow {_describe(workflow_node.sub_workflow_ref)}, which is not among the "
                    "spec's sub_workflows; include its template",
                )
                return None
            return sub.template.interface
        self._error(node.id, "is a workflow node with neither a launchplan_ref nor a sub_workflow_ref")
        return None

    def _gate_interface(self, node: _Node) -> interface_pb2.TypedInterface | None:
        gate = node.proto.gate_node
        kind = gate.WhichOneof("condition")
        if kind == "approve":
            # Approving copies the node's inputs to its outputs.
            resolved = self._validate_bindings(node, node.proto.inputs, None, False, _UPSTREAM)
            return interface_pb2.TypedInterface(inputs=resolved, outputs=resolved)
        if kind == "signal":
            if not gate.signal.HasField("type"):
                self._error(node.id, "is a signal gate without a signal type")
                return None
            if not gate.signal.output_variable_name:
                self._error(node.id, "is a signal gate without an output_variable_name")
                return None
            iface = _empty_interface()
            iface.outputs.variables[gate.signal.output_variable_name].type.CopyFrom(gate.signal.type)
            return iface
        if kind == "sleep":
            return _empty_interface()
        self._error(node.id, "is a gate node without a condition (approve, signal or sleep)")
        return None

    def _array_interface(self, node: _Node) -> interface_pb2.TypedInterface | None:
        array_node = node.proto.array_node
        underlying = self._interface(_Node(array_node.node))
        if underlying is None:
            return None
        if not (
            array_node.HasField("is_original_sub_node_interface") and array_node.is_original_sub_node_interface.value
        ):
            # A map task's template already has the list interface flytekit made for it.
            return underlying
        # The sub-node calls the target with its own interface: every input not bound to one value is a list.
        bound = set(array_node.bound_inputs)
        iface = _empty_interface()
        for name, variable in underlying.inputs.variables.items():
            if name in bound:
                iface.inputs.variables[name].CopyFrom(variable)
            else:
                iface.inputs.variables[name].type.collection_type.CopyFrom(variable.type)
        for name, variable in underlying.outputs.variables.items():
            iface.outputs.variables[name].type.collection_type.CopyFrom(variable.type)
        return iface

    def _validate_interface(self, node_id: str | None, iface: interface_pb2.TypedInterface) -> None:
        """Inputs and outputs are present (empty when absent, as propeller fills them) and every variable typed."""
        iface.inputs.SetInParent()
        iface.outputs.SetInParent()
        for direction, variables in (("input", iface.inputs.variables), ("output", iface.outputs.variables)):
            for name, variable in variables.items():
                if not name:
                    self._error(node_id, f"has an {direction} without a name")
                elif not variable.HasField("type"):
                    self._error(node_id, f"{direction} '{name}' has no type")

    # -- branches ------------------------------------------------------------------------------------------------

    def _children(self, node: _Node) -> list[_Node]:
        """The branch's children, renamed ``<branch id>-<child id>`` the first time they are seen."""
        if node.children is None:
            node.children = [_Node(child) for child in _branch_children(node.proto)]
            for child in node.children:
                child.proto.id = f"{node.id}-{child.proto.id}"
        return node.children

    def _branch_interface(self, node: _Node) -> interface_pb2.TypedInterface | None:
        """Outputs every child has (same types), inputs the variables the branch node binds (for its conditions)."""
        if_else = node.proto.branch_node.if_else
        if not node.proto.branch_node.HasField("if_else") or not if_else.HasField("case"):
            self._error(node.id, "is a branch without an if case")
            return None
        if not if_else.case.HasField("then_node"):
            self._error(node.id, "is a branch whose if case has no then node")
            return None
        errors_before = len(self._catalog.errors)
        outputs: dict[str, interface_pb2.Variable] | None = None
        common: set[str] = set()
        for child in self._children(node):
            child_iface = self._interface(child)
            if child_iface is None:
                continue
            if outputs is None:
                outputs = dict(child_iface.outputs.variables)
                common = set(outputs)
                continue
            common &= set(child_iface.outputs.variables)
            for name in sorted(common):
                theirs = child_iface.outputs.variables[name].type
                if theirs != outputs[name].type:
                    self._error(
                        child.id,
                        f"output '{name}' is {_type_name(theirs)} but other branches of '{node.id}' give "
                        f"{_type_name(outputs[name].type)}; every branch must return the same types",
                    )
        resolved = self._validate_bindings(node, node.proto.inputs, None, False, _UPSTREAM)
        if outputs is None or len(self._catalog.errors) != errors_before:
            return None
        iface = interface_pb2.TypedInterface(inputs=resolved)
        iface.outputs.SetInParent()
        for name in common:
            iface.outputs.variables[name].CopyFrom(outputs[name])
        return iface


def _empty_interface() -> interface_pb2.TypedInterface:
    iface = interface_pb2.TypedInterface()
    iface.inputs.SetInParent()
    iface.outputs.SetInParent()
    return iface

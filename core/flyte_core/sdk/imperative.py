"""``Workflow(name)``: a workflow built by calls instead of a decorated function (flytekit's ImperativeWorkflow).

::

    wb = Workflow(name="my_workflow")
    wb.add_workflow_input("in1", str)
    node = wb.add_entity(t1, a=wb.inputs["in1"])
    wb.add_workflow_output("out", node.outputs["o0"])
    wb(in1="hello")

Nodes get the ids flytekit gives them (``n0``, ``n1``...; the failure node is ``efn``). Run locally, the
nodes execute in the order they were added, each reading its inputs from the outputs before it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from flyteidl.core import condition_pb2, literals_pb2

from flyte_core.context import CompilationState, FlyteContext, FlyteContextManager
from flyte_core.exceptions.user import FlyteValidationException, FlyteValueException
from flyte_core.sdk.condition import BranchNode, ConditionalSection
from flyte_core.sdk.interface import Interface
from flyte_core.sdk.node import Node
from flyte_core.sdk.promise import GLOBAL_INPUT_NODE_ID, NodeOutput, Promise, VoidPromise, binding_from_python_std
from flyte_core.sdk.workflow import (
    GLOBAL_START_NODE,
    WorkflowBase,
    WorkflowFailurePolicy,
    WorkflowMetadata,
    WorkflowMetadataDefaults,
    check_failure_handler_inputs,
)

DEFAULT_FAILURE_NODE_ID = "efn"
Literal = literals_pb2.Literal


class ImperativeWorkflow(WorkflowBase):
    """A workflow assembled with ``add_workflow_input``, ``add_entity`` and ``add_workflow_output``."""

    def __init__(
        self,
        name: str,
        failure_policy: WorkflowFailurePolicy | None = None,
        interruptible: bool = False,
    ) -> None:
        metadata = WorkflowMetadata(on_failure=failure_policy or WorkflowFailurePolicy.FAIL_IMMEDIATELY)
        self._compilation_state = CompilationState(prefix="")
        self._inputs: dict[str, Promise] = {}
        super().__init__(
            name=name,
            workflow_metadata=metadata,
            workflow_metadata_defaults=WorkflowMetadataDefaults(interruptible),
            python_interface=Interface(),
        )
        self._compiled = True

    @property
    def compilation_state(self) -> CompilationState:
        """The nodes added so far (the workflow is compiled one call at a time)."""
        return self._compilation_state

    @property
    def nodes(self) -> list[Node]:
        return self._compilation_state.nodes

    @property
    def inputs(self) -> dict[str, Promise]:
        """The workflow's inputs, as promises to pass to ``add_entity``."""
        return self._inputs

    def __repr__(self) -> str:
        return super().__repr__() + f" && Nodes ({len(self.nodes)}): {self.nodes}"

    def _compile_context(self, action: str) -> FlyteContext:
        ctx = FlyteContextManager.current_context()
        if ctx.compilation_state is not None:
            raise RuntimeError(
                f"Can't already be compiling: {action} on workflow '{self.name}' was called while another workflow "
                "is compiled; build imperative workflows outside @workflow functions"
            )
        return ctx._replace(compilation_state=self._compilation_state)

    def add_workflow_input(self, input_name: str, python_type: Any) -> Promise:
        """Declare an input; returns its promise (also in ``inputs[input_name]``)."""
        if input_name in self._inputs:
            raise FlyteValidationException(f"Input {input_name} has already been specified for wf {self.name}.")
        self._python_interface = self._python_interface.with_inputs(extra_inputs={input_name: python_type})
        self._interface = None
        self._inputs[input_name] = Promise(var=input_name, val=NodeOutput(node=GLOBAL_START_NODE, var=input_name))
        return self._inputs[input_name]

    def add_entity(self, entity: Any, **kwargs: Any) -> Node:
        """Add a node calling a task, workflow, launch plan (or reference entity); every input must be bound."""
        with FlyteContextManager.with_context(self._compile_context("add_entity")):
            return _create_node(entity, kwargs)

    def add_task(self, task: Any, **kwargs: Any) -> Node:
        return self.add_entity(task, **kwargs)

    def add_launch_plan(self, launch_plan: Any, **kwargs: Any) -> Node:
        return self.add_entity(launch_plan, **kwargs)

    def add_subwf(self, sub_wf: Any, **kwargs: Any) -> Node:
        return self.add_entity(sub_wf, **kwargs)

    def add_workflow_output(self, output_name: str, p: Any, python_type: Any = None) -> None:
        """Make ``p`` (a node output, or a list/dict of them with ``python_type``) the output ``output_name``."""
        if output_name in self._python_interface.outputs:
            raise FlyteValidationException(f"Output {output_name} already exists in workflow {self.name}")
        if python_type is None:
            if type(p) in (list, dict):
                raise FlyteValidationException(
                    f"If specifying a list or dict of Promises, you must specify the python_type type for "
                    f"{output_name} starting with the container type (e.g. List[int]"
                )
            python_type = self._promise_type(output_name, p)
        from flyte_core.types.type_engine import TypeEngine

        literal_type = TypeEngine.to_literal_type(python_type)
        with FlyteContextManager.with_context(self._compile_context("add_workflow_output")) as ctx:
            binding, _ = binding_from_python_std(ctx, output_name, literal_type, p, python_type)
        self._output_bindings.append(binding)
        self._python_interface = self._python_interface.with_outputs(extra_outputs={output_name: python_type})
        self._interface = None

    def _promise_type(self, output_name: str, p: Any) -> Any:
        if not isinstance(p, Promise) or p.is_ready:
            raise FlyteValidationException(
                f"workflow '{self.name}' output '{output_name}': expected a node output (node.outputs['o0']) or a "
                f"workflow input, got {type(p).__name__} {p!r}; pass python_type= for other values"
            )
        if p.ref.node_id == GLOBAL_INPUT_NODE_ID:
            return self._python_interface.inputs[p.var]
        return p.ref.node.flyte_entity.python_interface.outputs[p.var]

    def add_on_failure_handler(self, entity: Any) -> Node:
        """Run ``entity`` (a task or workflow taking the workflow's inputs) when the workflow fails."""
        with FlyteContextManager.with_context(self._compile_context("add_on_failure_handler")):
            check_failure_handler_inputs(entity, self)
            node = _create_node(entity, dict(self._inputs))
            self._compilation_state.nodes.pop(-1)
        node._id = DEFAULT_FAILURE_NODE_ID
        self._failure_node = node
        self._on_failure = entity
        return node

    def create_conditional(self, name: str) -> ConditionalSection:
        """Start a conditional whose branch node is added to this workflow.

        Call entities directly inside it, e.g.
        ``wb.create_conditional("c").if_(wb.inputs["x"] > 1).then(t1(a=wb.inputs["x"])).else_().then(...)``.
        """
        self._compile_context("create_conditional")
        return ConditionalSection(name, _parent_state=self._compilation_state)

    def _unbound_inputs(self) -> list[str]:
        used: set[str] = set()
        for node in self.nodes:
            _collect_input_refs(node, used)
        return [name for name in self._inputs if name not in used]

    def ready(self) -> bool:
        """Whether the workflow can run: it has a node, and every input is used by a node."""
        return len(self.nodes) > 0 and not self._unbound_inputs()

    def execute(self, **kwargs: Any) -> Any:
        """Run the nodes in the order they were added; ``kwargs`` are the inputs as ready promises."""
        if not self.ready():
            reason = (
                "it has no nodes" if not self.nodes else f"inputs {self._unbound_inputs()} are not used by any node"
            )
            raise FlyteValidationException(f"Workflow not ready, wf is currently {self} ({reason})")
        outputs: dict[str, dict[str, Promise]] = {GLOBAL_INPUT_NODE_ID: dict(kwargs)}
        for node in self.nodes:
            results = _run_node(node, outputs)
            if results is not None:
                outputs[node.id] = results
        if not self._python_interface.outputs:
            return VoidPromise(self.name)
        values = [_binding_value(b.binding, outputs) for b in self._output_bindings]
        if len(values) == 1:
            return (values[0],) if self._python_interface.output_tuple_name else values[0]
        return tuple(values)


Workflow = ImperativeWorkflow


def _create_node(entity: Any, kwargs: dict[str, Any]) -> Node:
    """The node of calling ``entity`` in this workflow's compilation state (outputs also as ``node.o0``)."""
    from flyte_core.sdk.base_task import PythonTask
    from flyte_core.sdk.launch_plan import LaunchPlan
    from flyte_core.sdk.node_creation import create_node
    from flyte_core.sdk.reference import ReferenceEntity

    if not isinstance(entity, PythonTask | WorkflowBase | LaunchPlan | ReferenceEntity):
        raise AssertionError(
            f"Should be a callable Flyte entity (either local or fetched) but is {type(entity)}: add a task, "
            "workflow, launch plan or reference entity"
        )
    node: Node = create_node(entity, **kwargs)
    return node


def _collect_input_refs(node: Node, used: set[str]) -> None:
    for binding in node.bindings:
        _collect_binding_refs(binding.binding, used)
    entity = node.flyte_entity
    if isinstance(entity, BranchNode):
        for leaf in entity.ifelse_block.leaf_nodes:
            _collect_input_refs(leaf, used)


def _collect_binding_refs(data: literals_pb2.BindingData, used: set[str]) -> None:
    kind = data.WhichOneof("value")
    if kind == "promise" and data.promise.node_id == GLOBAL_INPUT_NODE_ID:
        used.add(data.promise.var)
    elif kind == "collection":
        for item in data.collection.bindings:
            _collect_binding_refs(item, used)
    elif kind == "map":
        for item in data.map.bindings.values():
            _collect_binding_refs(item, used)


def _binding_value(data: literals_pb2.BindingData, outputs: dict[str, dict[str, Promise]]) -> Promise:
    """The ready promise a binding resolves to, given the outputs of the nodes run so far."""
    kind = data.WhichOneof("value")
    if kind == "promise":
        ref = data.promise
        try:
            promise = outputs[ref.node_id][ref.var]
        except KeyError:
            raise FlyteValidationException(
                f"binding refers to output '{ref.var}' of node '{ref.node_id}', which has not produced it"
            ) from None
        for key in ref.attr_path:
            promise = promise[key.string_value if key.WhichOneof("value") == "string_value" else key.int_value]
        return promise
    if kind == "scalar":
        return Promise("placeholder", Literal(scalar=data.scalar))
    if kind == "collection":
        items = [_binding_value(b, outputs).val for b in data.collection.bindings]
        return Promise("placeholder", Literal(collection=literals_pb2.LiteralCollection(literals=items)))
    if kind == "map":
        entries = {k: _binding_value(b, outputs).val for k, b in data.map.bindings.items()}
        return Promise("placeholder", Literal(map=literals_pb2.LiteralMap(literals=entries)))
    if kind == "offloaded_metadata":
        return Promise("placeholder", Literal(offloaded_metadata=data.offloaded_metadata))
    raise FlyteValidationException(f"Binding type unrecognized: {data}")


def _run_node(node: Node, outputs: dict[str, dict[str, Promise]]) -> dict[str, Promise] | None:
    """Run one node locally; its outputs by name (None when it has none)."""
    from flyte_core.sdk.launch_plan import LaunchPlan

    entity = node.flyte_entity
    if isinstance(entity, BranchNode):
        return _run_branch(node, outputs)
    skip = set(entity.fixed_inputs.literals) if isinstance(entity, LaunchPlan) else set()
    kwargs = {b.var: _binding_value(b.binding, outputs) for b in node.bindings if b.var not in skip}
    results = entity(**kwargs)
    if results is None or isinstance(results, VoidPromise):
        return None
    names = list(entity.python_interface.outputs)
    if not names:
        raise FlyteValueException(results, "Interface output should've been VoidPromise or None.")
    if len(names) == 1:
        if entity.python_interface.output_tuple_name and isinstance(results, tuple):
            return {names[0]: results[0]}
        return {names[0]: results}
    if len(results) != len(names):
        raise FlyteValueException(results, f"Different lengths {results} {names}")
    return dict(zip(names, results, strict=True))


def _run_branch(node: Node, outputs: dict[str, dict[str, Promise]]) -> dict[str, Promise] | None:
    """Evaluate a branch node's conditions on the values it binds and run the node of the case taken."""
    branch: BranchNode = node.flyte_entity
    values = {b.var: _binding_value(b.binding, outputs).val for b in node.bindings}
    block = branch.ifelse_block
    chosen = next((c.then_node for c in [block.case, *block.other] if _evaluate(c.condition, values)), None)
    if chosen is None:
        if block.else_node is None:
            raise ValueError(block.error[1] if block.error else "Condition failed")
        chosen = block.else_node
    results = _run_node(chosen, outputs)
    names = list(branch.python_interface.outputs)
    if not names or results is None:
        return None
    return {name: results[name] for name in names}


_COMPARE: dict[int, Callable[[Any, Any], bool]] = {
    condition_pb2.ComparisonExpression.EQ: operator.eq,
    condition_pb2.ComparisonExpression.NEQ: operator.ne,
    condition_pb2.ComparisonExpression.GT: operator.gt,
    condition_pb2.ComparisonExpression.GTE: operator.ge,
    condition_pb2.ComparisonExpression.LT: operator.lt,
    condition_pb2.ComparisonExpression.LTE: operator.le,
}


def _evaluate(expr: condition_pb2.BooleanExpression, values: dict[str, Literal]) -> bool:
    """The truth of a flyteidl condition on the branch node's input values."""
    if expr.HasField("conjunction"):
        conjunction = expr.conjunction
        left = _evaluate(conjunction.left_expression, values)
        if conjunction.operator == condition_pb2.ConjunctionExpression.AND:
            return left and _evaluate(conjunction.right_expression, values)
        return left or _evaluate(conjunction.right_expression, values)
    comparison = expr.comparison
    lhs = _operand_value(comparison.left_value, values)
    rhs = _operand_value(comparison.right_value, values)
    return bool(_COMPARE[comparison.operator](lhs, rhs))


def _operand_value(operand: condition_pb2.Operand, values: dict[str, Literal]) -> Any:
    kind = operand.WhichOneof("val")
    if kind == "var":
        literal = values[operand.var]
    elif kind == "primitive":
        literal = Literal(scalar=literals_pb2.Scalar(primitive=operand.primitive))
    else:
        literal = Literal(scalar=operand.scalar)
    return Promise("", literal).eval()

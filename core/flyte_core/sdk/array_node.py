"""``array_node``: map a launch plan (or a reference task) over lists of inputs.

Unlike ``ArrayNodeMapTask``, no new task is registered: the ``ArrayNode``'s sub-node calls the target
itself, with the target's own interface (``is_original_sub_node_interface``). Inputs fixed by a launch
plan are not mapped; every other input is a list with one value per item.
"""

from __future__ import annotations

import math
import sys
import typing
from typing import Any

from flyteidl.core import literals_pb2

from flyte_core.context import ExecutionState, FlyteContext, FlyteContextManager
from flyte_core.sdk.interface import Interface, transform_interface_to_list_interface
from flyte_core.sdk.promise import (
    Promise,
    VoidPromise,
    create_and_link_node,
    flyte_entity_call_handler,
    translate_inputs_to_literals,
)

if typing.TYPE_CHECKING:
    from flyteidl.core import workflow_pb2

ARRAY_NODE_SUBNODE_NAME = "array_node_subnode"

# flyteidl.core.ArrayNode enums
_MINIMAL_STATE, _FULL_STATE = 0, 1
_SINGLE_INPUT_FILE, _INDIVIDUAL_INPUT_FILES = 0, 1


def _loaded_class(module_name: str, class_name: str) -> tuple[type, ...]:
    """The class if its module was imported (an instance cannot exist otherwise), without importing it."""
    module = sys.modules.get(module_name)
    cls = getattr(module, class_name, None) if module is not None else None
    return (cls,) if isinstance(cls, type) else ()


def _launch_plan_classes() -> tuple[type, ...]:
    return _loaded_class("flyte_core.sdk.launch_plan", "LaunchPlan")


def _reference_task_classes() -> tuple[type, ...]:
    return _loaded_class("flyte_core.sdk.reference", "ReferenceTask")


def is_array_node_target(target: Any) -> bool:
    """Whether ``map_task(target)`` builds an ``ArrayNode`` (launch plans, reference tasks) rather than a map task."""
    classes = _launch_plan_classes() + _reference_task_classes()
    return bool(classes) and isinstance(target, classes)


class ArrayNode:
    """A node running ``target`` once per item of its list inputs; called like the entity it maps."""

    def __init__(
        self,
        target: Any,
        bindings: list[literals_pb2.Binding] | None = None,
        concurrency: int | None = None,
        min_successes: int | None = None,
        min_success_ratio: float | None = None,
        metadata: workflow_pb2.NodeMetadata | None = None,
        run_all_sub_nodes: bool = False,
    ) -> None:
        self.target = target
        self._concurrency = concurrency
        self._run_all_sub_nodes = run_all_sub_nodes
        self.id = target.name
        self._bindings = list(bindings) if bindings else []
        self.metadata = metadata
        if min_successes is not None:
            self._min_successes: int | None = min_successes
            self._min_success_ratio: float | None = None
        else:
            self._min_success_ratio = min_success_ratio if min_success_ratio is not None else 1.0
            self._min_successes = 0
        target_interface = getattr(target, "python_interface", None)
        if target_interface is None:
            raise ValueError(
                f"array_node({type(target).__name__} '{target.name}'): mapping over a remote entity needs its Python "
                "interface; fetch it with FlyteRemote or use a reference entity with a declared interface"
            )
        n_outputs = len(target_interface.outputs)
        if n_outputs > 1:
            raise ValueError(
                f"Only tasks with a single output are supported in map tasks: '{target.name}' has {n_outputs} outputs"
            )
        self._bound_inputs: set[str] = set()
        self._excluded_inputs: set[str] = set()
        launch_plans = _launch_plan_classes()
        if launch_plans and isinstance(target, launch_plans):
            fixed = getattr(target, "fixed_inputs", None)
            if fixed is not None:
                self._excluded_inputs = set(fixed.literals)
            self._data_mode = _SINGLE_INPUT_FILE
            self._execution_mode = _FULL_STATE
        elif isinstance(target, _reference_task_classes()):
            self._data_mode = _INDIVIDUAL_INPUT_FILES
            self._execution_mode = _MINIMAL_STATE
        else:
            raise ValueError(
                f"Only LaunchPlans are supported for now, but got {type(target)}: map plain tasks with map_task(task)"
            )
        optional_outputs = min_success_ratio is not None and min_success_ratio != 1 and n_outputs == 1
        self._python_interface = transform_interface_to_list_interface(
            target_interface, self._bound_inputs, self._excluded_inputs, optional_outputs
        )

    @property
    def name(self) -> str:
        return str(self.target.name)

    @property
    def python_interface(self) -> Interface:
        return self._python_interface

    @property
    def bindings(self) -> list[literals_pb2.Binding]:
        """The sub-node's input bindings (recorded when called in a workflow)."""
        return self._bindings

    @property
    def upstream_nodes(self) -> list[Any]:
        return []

    @property
    def flyte_entity(self) -> Any:
        return self.target

    @property
    def data_mode(self) -> int:
        """``flyteidl.core.ArrayNode.DataMode``."""
        return self._data_mode

    @property
    def execution_mode(self) -> int:
        """``flyteidl.core.ArrayNode.ExecutionMode``."""
        return self._execution_mode

    @property
    def min_success_ratio(self) -> float | None:
        return self._min_success_ratio

    @property
    def min_successes(self) -> int | None:
        return self._min_successes

    @property
    def concurrency(self) -> int | None:
        return self._concurrency

    @property
    def run_all_sub_nodes(self) -> bool:
        return self._run_all_sub_nodes

    @property
    def is_original_sub_node_interface(self) -> bool:
        return True

    @property
    def bound_inputs(self) -> set[str]:
        return set()

    def construct_node_metadata(self) -> workflow_pb2.NodeMetadata:
        from flyteidl.core import workflow_pb2

        if self.metadata is not None:
            return self.metadata
        metadata = workflow_pb2.NodeMetadata(name=self.target.name)
        metadata.retries.SetInParent()
        return metadata

    def to_array_node_idl(self, sub_node: workflow_pb2.Node) -> workflow_pb2.ArrayNode:
        """The ``ArrayNode`` around ``sub_node`` (the serialized call of the target, with ``self.bindings``)."""
        from flyteidl.core import workflow_pb2
        from google.protobuf import wrappers_pb2

        array_node = workflow_pb2.ArrayNode(
            node=sub_node,
            execution_mode=self._execution_mode,
            is_original_sub_node_interface=wrappers_pb2.BoolValue(value=True),
            data_mode=self._data_mode,
            run_all_sub_nodes=self._run_all_sub_nodes,
        )
        if self._concurrency is not None:
            array_node.parallelism = self._concurrency
        if self._min_success_ratio is not None:
            array_node.min_success_ratio = self._min_success_ratio
        elif self._min_successes is not None:
            array_node.min_successes = self._min_successes
        return array_node

    def local_execution_mode(self) -> ExecutionState.Mode:
        return ExecutionState.Mode.LOCAL_TASK_EXECUTION

    def local_execute(self, ctx: FlyteContext, **kwargs: Any) -> Promise | VoidPromise:
        """Call the target once per item (in order) with literal inputs; failed items give None."""
        typed = self._python_interface.typed()
        literals = translate_inputs_to_literals(
            ctx,
            incoming_values=kwargs,
            flyte_interface_types=typed.inputs.variables,
            native_types=self._python_interface.inputs,
            entity_kind="array node",
            entity_name=self.name,
        )
        columns: dict[str, Any] = {}
        for name, literal in typing.cast("dict[str, literals_pb2.Literal]", literals).items():
            if not literal.HasField("collection"):
                raise ValueError(
                    f"array node '{self.name}' input '{name}': expected a list of "
                    f"{self.target.python_interface.inputs[name]}, got a {literal.WhichOneof('value')} literal"
                )
            columns[name] = literal.collection.literals
        count = len(next(iter(columns.values()))) if columns else 0
        for name, column in columns.items():
            if len(column) < count:
                raise IndexError(
                    f"array node '{self.name}': input '{name}' has {len(column)} items, another input has {count}"
                )
        min_successes = count
        if self._min_successes:
            min_successes = self._min_successes
        elif self._min_success_ratio:
            min_successes = math.ceil(count * self._min_success_ratio)
        output_names = list(self._python_interface.outputs)
        none = literals_pb2.Literal(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void()))
        results = []
        failed = 0
        for index in range(count):
            item = {name: Promise(name, column[index]) for name, column in columns.items()}
            try:
                output = self.target(**item)
            except Exception as exc:
                if not output_names:
                    continue
                results.append(none)
                failed += 1
                if count - failed < min_successes:
                    exc.args = (
                        f"{exc}\n  (array node '{self.name}' item {index} of {count}; {failed} failed, at least "
                        f"{min_successes} must succeed)",
                        *exc.args[1:],
                    )
                    raise
                continue
            if output_names:
                results.append(output.val)
        if output_names:
            return Promise(
                output_names[0], literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=results))
            )
        return VoidPromise(self.name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        ctx = FlyteContextManager.current_context()
        if ctx.compilation_state is not None and ctx.compilation_state.mode == 1:
            # The sub-node's bindings: the same values bound to the target's inputs, without adding a node.
            sub_node = create_and_link_node(
                ctx,
                entity=self.target,
                overridden_interface=self._python_interface,
                add_node_to_compilation_state=False,
                node_id=ARRAY_NODE_SUBNODE_NAME,
                **dict(kwargs),
            )
            self._bindings = sub_node.ref.node.bindings
        return flyte_entity_call_handler(self, *args, **kwargs)

    def __repr__(self) -> str:
        return f"ArrayNode(target={self.name!r})"


def array_node(
    target: Any,
    concurrency: int | None = None,
    min_success_ratio: float | None = None,
    min_successes: int | None = None,
    run_all_sub_nodes: bool = False,
) -> ArrayNode:
    """An ``ArrayNode`` mapping a launch plan or a reference task over lists of inputs."""
    if not is_array_node_target(target):
        raise ValueError(
            f"Only LaunchPlans and ReferenceTasks are supported for now, got {type(target).__name__}: "
            "map plain tasks with map_task(task)"
        )
    return ArrayNode(
        target=target,
        concurrency=concurrency,
        min_successes=min_successes,
        min_success_ratio=min_success_ratio,
        run_all_sub_nodes=run_all_sub_nodes,
    )


__all__ = ["ARRAY_NODE_SUBNODE_NAME", "ArrayNode", "array_node", "is_array_node_target"]

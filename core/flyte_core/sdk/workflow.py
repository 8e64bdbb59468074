"""Workflows: ``@workflow`` functions compiled to nodes and bindings, and run locally by calling them.

Compilation is lazy (first call, ``compile()`` or serialization): the function runs once with one
promise per input; every entity it calls becomes a node. A local run re-runs the function with
promises that hold literals, so entities execute in call order.
"""

from __future__ import annotations

import enum
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flyteidl.core import interface_pb2, literals_pb2

from flyte_core.context import CompilationState, ExecutionState, FlyteContext, FlyteContextManager, FlyteEntities
from flyte_core.exceptions.user import FlyteValidationException, FlyteValueException
from flyte_core.sdk.interface import Docstring, Interface, transform_function_to_interface
from flyte_core.sdk.node import Node
from flyte_core.sdk.promise import (
    NodeOutput,
    Promise,
    VoidPromise,
    binding_from_python_std,
    create_and_link_node,
    create_task_output,
    flyte_entity_call_handler,
    translate_inputs_to_literals,
)
from flyte_core.sdk.python_function_task import TaskResolverMixin, main_module_name

GLOBAL_START_NODE = Node(id="", metadata=None, bindings=[], upstream_nodes=[], flyte_entity=None)


class WorkflowFailurePolicy(enum.Enum):
    """What a workflow does when a node fails."""

    FAIL_IMMEDIATELY = 0
    FAIL_AFTER_EXECUTABLE_NODES_COMPLETE = 1


@dataclass
class WorkflowMetadata:
    on_failure: WorkflowFailurePolicy

    def __post_init__(self) -> None:
        if not isinstance(self.on_failure, WorkflowFailurePolicy):
            raise FlyteValidationException(f"Failure policy {self.on_failure} not acceptable")


@dataclass
class WorkflowMetadataDefaults:
    interruptible: bool

    def __post_init__(self) -> None:
        if self.interruptible not in (True, False):
            raise FlyteValidationException(f"Interruptible must be boolean, {self.interruptible} invalid")


def construct_input_promises(inputs: list[str]) -> dict[str, Promise]:
    return {name: Promise(var=name, val=NodeOutput(node=GLOBAL_START_NODE, var=name)) for name in inputs}


class WorkflowBase:
    """What every workflow has: a name, interfaces, nodes, output bindings, failure handling."""

    def __init__(
        self,
        name: str,
        workflow_metadata: WorkflowMetadata,
        workflow_metadata_defaults: WorkflowMetadataDefaults,
        python_interface: Interface,
        on_failure: Any = None,
        docs: Any = None,
        default_options: Any = None,
        **kwargs: Any,
    ) -> None:
        self._name = name
        self._workflow_metadata = workflow_metadata
        self._workflow_metadata_defaults = workflow_metadata_defaults
        self._python_interface = python_interface
        self._interface: interface_pb2.TypedInterface | None = None
        self._nodes: list[Node] = []
        self._output_bindings: list[literals_pb2.Binding] = []
        self._on_failure = on_failure
        self._failure_node: Node | None = None
        self._docs = docs
        self._default_options = default_options
        self._compiled = False
        if self._python_interface.docstring and self._docs is None:
            from flyte_core.sdk.docs import Documentation

            self._docs = Documentation.from_docstring(self._python_interface.docstring)
        FlyteEntities.entities.append(self)

    @property
    def name(self) -> str:
        return self._name

    @property
    def docs(self) -> Any:
        return self._docs

    @property
    def short_name(self) -> str:
        return self._name.rsplit(".", 1)[-1]

    @property
    def workflow_metadata(self) -> WorkflowMetadata:
        return self._workflow_metadata

    @property
    def workflow_metadata_defaults(self) -> WorkflowMetadataDefaults:
        return self._workflow_metadata_defaults

    @property
    def python_interface(self) -> Interface:
        return self._python_interface

    @property
    def interface(self) -> interface_pb2.TypedInterface:
        if self._interface is None:
            self._interface = self._python_interface.typed()
        return self._interface

    @property
    def output_bindings(self) -> list[literals_pb2.Binding]:
        self.compile()
        return self._output_bindings

    @property
    def nodes(self) -> list[Node]:
        self.compile()
        return self._nodes

    @property
    def on_failure(self) -> Any:
        return self._on_failure

    @property
    def failure_node(self) -> Node | None:
        return self._failure_node

    @property
    def default_options(self) -> Any:
        return self._default_options

    def __repr__(self) -> str:
        return (
            f"WorkflowBase - {self._name} && Inputs ({len(self._python_interface.inputs)}): "
            f"{self._python_interface.inputs} && Outputs ({len(self._python_interface.outputs)}): "
            f"{self._python_interface.outputs} && Output bindings: {self._output_bindings}"
        )

    def construct_node_metadata(self) -> Any:
        from flyteidl.core import workflow_pb2

        metadata = workflow_pb2.NodeMetadata(name=self.short_name)
        metadata.interruptible = self._workflow_metadata_defaults.interruptible
        metadata.retries.SetInParent()
        return metadata

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the workflow locally (or add it as a sub-workflow node when called inside a workflow)."""
        interface = self._python_interface
        input_kwargs = interface.default_inputs_as_kwargs
        if len(args) > len(interface.inputs):
            raise AssertionError(
                f"Received more arguments than expected in function '{self.name}'. Expected "
                f"{len(interface.inputs)} but got {len(args)}"
            )
        for _, input_name in zip(args, interface.inputs, strict=False):
            input_kwargs.pop(input_name, None)
        input_kwargs.update(kwargs)
        ctx = FlyteContextManager.current_context()
        if not (ctx.execution_state and ctx.execution_state.mode == ExecutionState.Mode.EAGER_EXECUTION):
            self.compile()
        try:
            return flyte_entity_call_handler(self, *args, **input_kwargs)
        except Exception as exc:
            if self._on_failure is not None and not (ctx.compilation_state and ctx.compilation_state.mode == 1):
                self._run_failure_handler(input_kwargs, exc)
            raise

    def _run_failure_handler(self, input_kwargs: dict[str, Any], exc: Exception) -> None:
        handler_inputs = dict(input_kwargs)
        if "err" in self._on_failure.python_interface.inputs:
            from flyte_core.types.error import FlyteError

            node_id = self._failure_node.id if self._failure_node else ""
            handler_inputs["err"] = FlyteError(failed_node_id=node_id, message=str(exc))
        accepted = self._on_failure.python_interface.inputs
        self._on_failure(**{k: v for k, v in handler_inputs.items() if k in accepted})

    def execute(self, **kwargs: Any) -> Any:
        raise NotImplementedError

    def compile(self, **kwargs: Any) -> Any:
        pass

    def local_execution_mode(self) -> ExecutionState.Mode:
        return ExecutionState.Mode.LOCAL_WORKFLOW_EXECUTION

    def local_execute(self, ctx: FlyteContext, **kwargs: Any) -> Any:
        """Run the workflow on literal inputs; returns promises holding the output literals."""
        literal_map = translate_inputs_to_literals(
            ctx,
            incoming_values=kwargs,
            flyte_interface_types=self.interface.inputs.variables,
            native_types=self._python_interface.inputs,
            entity_kind="workflow",
            entity_name=self.name,
        )
        kwargs_literals = {k: Promise(var=k, val=v) for k, v in literal_map.items()}
        self.compile()
        function_outputs = self.execute(**kwargs_literals)
        if inspect.iscoroutine(function_outputs):
            import asyncio

            function_outputs = asyncio.run(function_outputs)
        if isinstance(function_outputs, VoidPromise) or function_outputs is None:
            if len(self._python_interface.outputs) != 0:
                raise FlyteValueException(
                    function_outputs, f"Interface has {len(self._python_interface.outputs)} outputs."
                )
            return VoidPromise(self.name)
        if len(self._python_interface.outputs) == 0:
            raise FlyteValueException(function_outputs, "Interface output should've been VoidPromise or None.")
        names = list(self._python_interface.outputs)
        if len(names) == 1:
            if self._python_interface.output_tuple_name and isinstance(function_outputs, tuple):
                as_map = {names[0]: function_outputs[0]}
            else:
                as_map = {names[0]: function_outputs}
        else:
            as_map = {names[i]: value for i, value in enumerate(function_outputs)}
        literals = _outputs_to_literals(ctx, self, as_map)
        return create_task_output([Promise(name, literals[name]) for name in names], self._python_interface)


def _outputs_to_literals(ctx: FlyteContext, wf: WorkflowBase, outputs: dict[str, Any]) -> dict[str, Any]:
    variables = wf.interface.outputs.variables
    literals = {}
    for name, value in outputs.items():
        if type(value) is Promise and value._promise_ready:
            literals[name] = value._val
            continue
        python_type = wf.python_interface.outputs[name]
        try:
            literals.update(
                translate_inputs_to_literals(
                    ctx, {name: value}, variables, {name: python_type}, entity_kind="workflow", entity_name=wf.name
                )
            )
        except Exception as exc:
            from flyte_core.types.type_engine import TypeTransformerFailedError

            raise TypeTransformerFailedError(str(exc).replace(f"input '{name}'", f"output '{name}'")) from exc
    return literals


class PythonFunctionWorkflow(WorkflowBase, TaskResolverMixin):
    """A workflow defined by a Python function (what ``@workflow`` builds)."""

    def __init__(
        self,
        workflow_function: Callable[..., Any],
        metadata: WorkflowMetadata,
        default_metadata: WorkflowMetadataDefaults,
        docstring: Docstring | None = None,
        on_failure: Any = None,
        docs: Any = None,
        pickle_untyped: bool = False,
        default_options: Any = None,
    ) -> None:
        name = _workflow_name(workflow_function)
        self._workflow_function = workflow_function
        native_interface = transform_function_to_interface(workflow_function, docstring, pickle_untyped=pickle_untyped)
        self._input_parameters: Any = None
        super().__init__(
            name=name,
            workflow_metadata=metadata,
            workflow_metadata_defaults=default_metadata,
            python_interface=native_interface,
            on_failure=on_failure,
            docs=docs,
            default_options=default_options,
        )

    @property
    def function(self) -> Callable[..., Any]:
        return self._workflow_function

    @property
    def instantiated_in(self) -> str:
        module = str(self._workflow_function.__module__)
        return main_module_name() if module == "__main__" else module

    @property
    def lhs(self) -> str:
        return str(self._workflow_function.__name__)

    # TaskResolverMixin: tasks defined inside the workflow body are found through the workflow.
    @property
    def location(self) -> str:
        return f"{self.instantiated_in}.{self._workflow_function.__name__}"

    def task_name(self, t: Any) -> str:
        return f"{self.name}.{t.__module__}.{t.name}"

    def load_task(self, loader_args: list[str]) -> Any:
        idx = int(loader_args[0])
        return self.get_all_tasks()[idx]

    def loader_args(self, settings: Any, task: Any) -> list[str]:
        return [str(self.get_all_tasks().index(task))]

    def get_all_tasks(self) -> list[Any]:
        return [n.flyte_entity for n in self.nodes if hasattr(n.flyte_entity, "task_type")]

    def compile(self, **kwargs: Any) -> Any:
        """Run the function with input promises once and record its nodes and output bindings."""
        if self._compiled:
            return None
        ctx = FlyteContextManager.current_context()
        prefix = ctx.compilation_state.prefix if ctx.compilation_state is not None else ""
        state = CompilationState(prefix=prefix, task_resolver=self)
        compile_ctx = ctx._replace(compilation_state=state)
        with FlyteContextManager.with_context(compile_ctx):
            input_kwargs = construct_input_promises(list(self._python_interface.inputs))
            workflow_outputs = self._workflow_function(**input_kwargs)
            nodes = list(state.nodes)
            bindings = _output_bindings(compile_ctx, self, workflow_outputs)
        self._nodes = nodes
        self._output_bindings = bindings
        if self._on_failure is not None:
            self._failure_node = _failure_node(compile_ctx, self)
        self._compiled = True
        return None

    def execute(self, **kwargs: Any) -> Any:
        return self._workflow_function(**kwargs)


def _output_bindings(ctx: FlyteContext, wf: WorkflowBase, workflow_outputs: Any) -> list[literals_pb2.Binding]:
    from flyte_core.sdk.condition import Condition, ConditionalSection

    names = list(wf.python_interface.outputs)
    typed_outputs = wf.interface.outputs.variables
    bindings = []
    if len(names) == 1:
        if isinstance(workflow_outputs, tuple) and not isinstance(workflow_outputs, Promise):
            if len(workflow_outputs) != 1:
                raise AssertionError(
                    f"The Workflow specification indicates only one return value, received {len(workflow_outputs)}"
                )
            if wf.python_interface.output_tuple_name is None:
                raise AssertionError(
                    "Outputs specification for Workflow does not define a tuple, but return value is a tuple"
                )
            workflow_outputs = workflow_outputs[0]
        values = [workflow_outputs]
    elif len(names) > 1:
        if not isinstance(workflow_outputs, tuple):
            raise AssertionError("The Workflow specification indicates multiple return values, received only one")
        if len(names) != len(workflow_outputs):
            raise Exception(f"Length mismatch {len(names)} vs {len(workflow_outputs)}")
        values = list(workflow_outputs)
    else:
        values = []
    for name, value in zip(names, values, strict=True):
        if isinstance(value, ConditionalSection | Condition):
            raise FlyteValidationException(
                f"workflow '{wf.name}' output '{name}': a conditional (if_/elif_) must end with an else_() clause"
            )
        python_type = wf.python_interface.outputs[name]
        try:
            binding, _ = binding_from_python_std(ctx, name, typed_outputs[name].type, value, python_type)
        except Exception as exc:
            raise FlyteValidationException(
                f"workflow '{wf.name}' output '{name}': cannot bind {value!r} to {python_type}: {exc}"
            ) from exc
        bindings.append(binding)
    return bindings


def _failure_node(ctx: FlyteContext, wf: WorkflowBase) -> Node:
    """The node that runs ``wf.on_failure`` with the workflow's inputs (its other inputs keep their defaults)."""
    handler = wf.on_failure
    check_failure_handler_inputs(handler, wf)
    state = CompilationState(prefix=(ctx.compilation_state.prefix if ctx.compilation_state else "") + "f")
    with FlyteContextManager.with_context(ctx._replace(compilation_state=state)):
        promises = construct_input_promises(list(wf.python_interface.inputs))
        create_and_link_node(FlyteContextManager.current_context(), entity=handler, **promises)
    return state.nodes[0]


def check_failure_handler_inputs(handler: Any, wf: WorkflowBase) -> None:
    """A failure handler takes every input of its workflow; its other inputs must be Optional (``err``...)."""
    from flyte_core.exceptions.user import FlyteFailureNodeInputMismatchException
    from flyte_core.types.union import UnionTransformer

    workflow_inputs = wf.python_interface.inputs
    handler_inputs = handler.python_interface.inputs
    missing = [k for k in workflow_inputs if k not in handler_inputs]
    required_extra = [
        k
        for k in handler_inputs
        if k not in workflow_inputs and not UnionTransformer.is_optional_type(handler_inputs[k])
    ]
    if missing or required_extra:
        raise FlyteFailureNodeInputMismatchException(
            f"Mismatched Inputs Detected: the failure node `{handler.name}` has inputs that do not align with "
            f"those of the workflow `{wf.name}`. Failure node's inputs: {handler_inputs}; workflow's "
            f"inputs: {workflow_inputs}. It must take every workflow input"
            + (f" (missing: {', '.join(missing)})" if missing else "")
            + (f"; its other inputs must be Optional (not: {', '.join(required_extra)})" if required_extra else "")
        )


def _workflow_name(fn: Callable[..., Any]) -> str:
    module = fn.__module__
    if module == "__main__":
        module = main_module_name()
    return f"{module}.{fn.__name__}"


def workflow(
    _workflow_function: Callable[..., Any] | None = None,
    failure_policy: WorkflowFailurePolicy | None = None,
    interruptible: bool = False,
    on_failure: Any = None,
    docs: Any = None,
    pickle_untyped: bool = False,
    default_options: Any = None,
) -> Any:
    """Make a function a workflow: it wires tasks, sub-workflows and launch plans together.

    Usable bare (``@workflow``) or with arguments (``@workflow(failure_policy=...)``). Calling it runs
    it locally; calling it inside another workflow adds it as a sub-workflow node.
    """

    def wrapper(fn: Callable[..., Any]) -> PythonFunctionWorkflow:
        metadata = WorkflowMetadata(on_failure=failure_policy or WorkflowFailurePolicy.FAIL_IMMEDIATELY)
        defaults = WorkflowMetadataDefaults(interruptible)
        wf = PythonFunctionWorkflow(
            fn,
            metadata=metadata,
            default_metadata=defaults,
            docstring=Docstring(callable_=fn),
            on_failure=on_failure,
            docs=docs,
            pickle_untyped=pickle_untyped,
            default_options=default_options,
        )
        import functools

        functools.update_wrapper(wf, fn)  # type: ignore[arg-type]
        return wf

    if _workflow_function is not None:
        return wrapper(_workflow_function)
    return wrapper


def _typing_hint() -> Any:
    return typing.Any

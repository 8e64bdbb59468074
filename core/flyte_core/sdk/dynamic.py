"""``@dynamic``: a task whose body builds a workflow when it runs.

Locally the body runs with native inputs in ``LOCAL_DYNAMIC_TASK_EXECUTION`` mode: every entity it
calls runs at once and returns promises holding literals; the outputs are converted to a literal map.
In a container (``TASK_EXECUTION``) the body runs in compile mode instead: every call becomes a node,
and the result is a flyteidl ``DynamicJobSpec`` (nodes, the task templates they reference, output
bindings, sub-workflows) that the entrypoint writes to ``futures.pb`` for the backend to run.
The nodes are serialized by ``flyte_core.idl``, as any workflow's are.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

from flyteidl.core import dynamic_job_pb2, literals_pb2

from flyte_core.context import CompilationState, ExecutionState, FlyteContext, FlyteContextManager
from flyte_core.exceptions.user import FlyteAssertion, FlyteValueException
from flyte_core.sdk.promise import VoidPromise, binding_from_python_std, translate_inputs_to_literals
from flyte_core.sdk.python_function_task import ExecutionBehavior
from flyte_core.types.type_engine import TypeTransformerFailedError

if typing.TYPE_CHECKING:
    from flyte_core.sdk.node import Node
    from flyte_core.sdk.python_function_task import PythonFunctionTask


def dynamic(_task_function: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """A task whose body is a workflow built at run time (``@task`` with ``execution_mode=DYNAMIC``).

    Inside the body the inputs are Python values, so loops and ``if`` on them work; the tasks it calls
    become the nodes of the workflow that runs. Accepts every ``@task`` argument.

    ```python
    @dynamic
    def squares(n: int) -> list[int]:
        return [square(x=i) for i in range(n)]
    ```
    """
    from flyte_core.sdk.task import task

    kwargs["execution_mode"] = ExecutionBehavior.DYNAMIC
    return task(_task_function, **kwargs)


def execute_dynamic(task: PythonFunctionTask[Any], **kwargs: Any) -> Any:
    """Run a dynamic task's body: locally to a ``LiteralMap``, in a container to a ``DynamicJobSpec``."""
    ctx = FlyteContextManager.current_context()
    state = ctx.execution_state
    if state is not None and state.is_local_execution():
        return _run_locally(task, ctx, kwargs)
    if state is not None and state.mode is ExecutionState.Mode.TASK_EXECUTION:
        return compile_dynamic(task, ctx, kwargs)
    raise ValueError(
        f"Invalid execution provided, execution state: {state}: dynamic task '{task.name}' runs locally (call it) "
        "or in a container (pyflyte-execute)"
    )


def _run_locally(task: PythonFunctionTask[Any], ctx: FlyteContext, kwargs: dict[str, Any]) -> literals_pb2.LiteralMap:
    state = ctx.new_execution_state().with_params(mode=ExecutionState.Mode.LOCAL_DYNAMIC_TASK_EXECUTION)
    with FlyteContextManager.with_context(ctx._replace(execution_state=state)):
        function_outputs = task.task_function(**kwargs)
    output_names = list(task.python_interface.outputs)
    if isinstance(function_outputs, VoidPromise) or function_outputs is None:
        if output_names:
            raise FlyteValueException(
                function_outputs,
                f"dynamic task '{task.name}' returned nothing but declares {len(output_names)} output(s) "
                f"({', '.join(output_names)})",
            )
        return literals_pb2.LiteralMap()
    if not output_names:
        raise FlyteValueException(
            function_outputs,
            f"dynamic task '{task.name}' declares no outputs but returned a value: Interface output should've been "
            "VoidPromise or None.",
        )
    outputs = _outputs_as_map(task, function_outputs)
    try:
        literals = translate_inputs_to_literals(
            ctx,
            outputs,
            flyte_interface_types=task.interface.outputs.variables,
            native_types=task.python_interface.outputs,
            entity_kind="dynamic task",
            entity_name=task.name,
        )
    except TypeTransformerFailedError as exc:
        message = str(exc).replace("Failed to convert inputs of", "Failed to convert outputs of", 1)
        raise TypeTransformerFailedError(message) from exc
    return literals_pb2.LiteralMap(literals=literals)


def _outputs_as_map(task: PythonFunctionTask[Any], function_outputs: Any) -> dict[str, Any]:
    names = list(task.python_interface.outputs)
    if len(names) == 1:
        if task.python_interface.output_tuple_name and isinstance(function_outputs, tuple):
            return {names[0]: function_outputs[0]}
        return {names[0]: function_outputs}
    if not isinstance(function_outputs, tuple) or len(function_outputs) != len(names):
        raise FlyteValueException(
            function_outputs,
            f"dynamic task '{task.name}' declares {len(names)} outputs ({', '.join(names)}): return a tuple of "
            f"{len(names)} values",
        )
    return dict(zip(names, function_outputs, strict=True))


# ----------------------------------------------------------------------------------------------
# Compiling the body into a DynamicJobSpec (in a container)
# ----------------------------------------------------------------------------------------------


def compile_dynamic(
    task: PythonFunctionTask[Any], ctx: FlyteContext, kwargs: dict[str, Any]
) -> dynamic_job_pb2.DynamicJobSpec | literals_pb2.LiteralMap:
    """The workflow the body builds for these inputs (a literal map when it calls nothing)."""
    settings = ctx.serialization_settings
    if settings is None:
        raise FlyteAssertion(
            f"dynamic task '{task.name}' cannot compile its workflow: no serialization settings in the context. "
            "In a container they come from the _F_SS_C environment variable the task was registered with"
        )
    base = ctx.compilation_state
    compilation = base.with_params(prefix="d") if base is not None else CompilationState(prefix="d", task_resolver=None)
    state = ctx.new_execution_state().with_params(mode=ExecutionState.Mode.DYNAMIC_TASK_EXECUTION)
    compile_ctx = ctx._replace(compilation_state=compilation, execution_state=state)
    with FlyteContextManager.with_context(compile_ctx):
        function_outputs = task.task_function(**kwargs)
        outputs: dict[str, Any] = {}
        if not (isinstance(function_outputs, VoidPromise) or function_outputs is None):
            outputs = _outputs_as_map(task, function_outputs)
        output_bindings = []
        for name, variable in task.interface.outputs.variables.items():
            if name not in outputs:
                raise FlyteValueException(function_outputs, f"dynamic task '{task.name}' did not return '{name}'")
            binding, _ = binding_from_python_std(
                compile_ctx, name, variable.type, outputs[name], task.python_interface.outputs[name]
            )
            output_bindings.append(binding)
    nodes = list(compilation.nodes)
    if not nodes:
        return literals_pb2.LiteralMap(literals={b.var: _binding_to_literal(task, b.binding) for b in output_bindings})
    return _dynamic_job_spec(task, settings, nodes, output_bindings)


def _dynamic_job_spec(
    task: PythonFunctionTask[Any], settings: Any, nodes: list[Node], output_bindings: list[literals_pb2.Binding]
) -> dynamic_job_pb2.DynamicJobSpec:
    """The nodes the body built, with the templates of the tasks they run and of the sub-workflows they call."""
    from flyte_core.idl.translator import EntityMapping, serialize_nodes
    from flyte_core.sdk.base_task import Task
    from flyte_core.sdk.reference import ReferenceEntity

    mapping = EntityMapping()
    node_protos, sub_workflows = serialize_nodes(mapping, settings, nodes, f"dynamic task '{task.name}'")
    tasks = []
    for entity, translated in mapping.items():
        if isinstance(entity, ReferenceEntity) and isinstance(entity, Task):
            raise FlyteAssertion(
                f"dynamic task '{task.name}' calls the reference task '{entity.name}': reference tasks are not "
                "supported inside dynamic tasks (their templates are on the server); call it from a workflow"
            )
        if isinstance(entity, Task):
            tasks.append(translated.template)
    return dynamic_job_pb2.DynamicJobSpec(
        min_successes=len(node_protos),
        tasks=tasks,
        nodes=node_protos,
        outputs=output_bindings,
        subworkflows=sub_workflows,
    )


def _binding_to_literal(task: Any, data: literals_pb2.BindingData) -> literals_pb2.Literal:
    kind = data.WhichOneof("value")
    if kind == "scalar":
        return literals_pb2.Literal(scalar=data.scalar)
    if kind == "collection":
        return literals_pb2.Literal(
            collection=literals_pb2.LiteralCollection(
                literals=[_binding_to_literal(task, b) for b in data.collection.bindings]
            )
        )
    if kind == "map":
        return literals_pb2.Literal(
            map=literals_pb2.LiteralMap(
                literals={k: _binding_to_literal(task, b) for k, b in data.map.bindings.items()}
            )
        )
    if kind == "offloaded_metadata":
        return literals_pb2.Literal(offloaded_metadata=data.offloaded_metadata)
    raise FlyteAssertion(f"dynamic task '{task.name}': an output refers to a value no node produces ({kind})")


__all__ = ["compile_dynamic", "dynamic", "execute_dynamic"]

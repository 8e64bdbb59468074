"""``create_node``: call an entity explicitly to get its node (for ordering with ``>>`` and overrides)."""

from __future__ import annotations

from typing import Any

from flyte_core.context import BranchEvalMode, ExecutionState, FlyteContextManager
from flyte_core.exceptions.user import FlyteAssertion
from flyte_core.sdk.promise import VoidPromise


def create_node(entity: Any, *args: Any, **kwargs: Any) -> Any:
    """The node of calling ``entity`` with ``kwargs``: ``create_node(t2) >> create_node(t1)``.

    While compiling, the returned node carries each output as an attribute (``node.o0``); in a
    local run, the outputs' named tuple is returned instead (also dereferenced by name).
    """
    if args:
        raise FlyteAssertion(
            "Only keyword args are supported to pass inputs to workflows and tasks."
            f"Aborting execution as detected {len(args)} positional args {args}"
        )
    if not hasattr(entity, "python_interface") or not callable(entity):
        raise AssertionError(f"Should be a callable Flyte entity (either local or fetched) but is {type(entity)}")
    ctx = FlyteContextManager.current_context()
    if ctx.compilation_state is not None and ctx.compilation_state.mode == 1:
        outputs = entity(**kwargs)
        node = ctx.compilation_state.nodes[-1]
        node._outputs = {}
        if isinstance(outputs, VoidPromise):
            return node
        names = list(entity.python_interface.outputs)
        if isinstance(outputs, tuple):
            for name in names:
                value = getattr(outputs, name)
                if hasattr(node, name):
                    raise FlyteAssertion(f"Node {node} already has attribute {name}, change the name of output.")
                setattr(node, name, value)
                node._outputs[name] = value
        elif names:
            if len(names) != 1:
                raise FlyteAssertion(f"Output of length 1 expected but {len(names)} found")
            if hasattr(node, names[0]):
                raise FlyteAssertion(f"Node {node} already has attribute {names[0]}, change the name of output.")
            setattr(node, names[0], outputs)
            node._outputs[names[0]] = outputs
        return node
    state = ctx.execution_state
    if state is not None and (
        state.is_local_execution() or state.mode == ExecutionState.Mode.LOCAL_DYNAMIC_TASK_EXECUTION
    ):
        if state.branch_eval_mode == BranchEvalMode.BRANCH_SKIPPED:
            raise RuntimeError("Being more restrictive for now and disallowing manual node creation in branch logic")
        results = entity(**kwargs)
        if isinstance(results, VoidPromise | tuple):
            return results
        names = entity.python_interface.output_names
        if not names:
            raise ValueError(f"Non-VoidPromise received {results} but interface for {entity.name} doesn't have outputs")
        if len(names) == 1:
            return entity.python_interface.output_tuple(results)
        return entity.python_interface.output_tuple(*results)
    raise RuntimeError(f"Cannot use explicit run to call Flyte entities {entity.name}")

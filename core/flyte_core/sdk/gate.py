"""Gates: nodes that wait instead of running code: ``sleep``, ``wait_for_input`` and ``approve``.

In a workflow each call becomes a gate node (``flyteidl.core.GateNode``: sleep, signal or approve).
Run locally they act out what the backend would wait for: ``sleep`` only says so, ``wait_for_input``
prompts for the value on the terminal, ``approve`` asks for a yes/no (``click.confirm``; without a
terminal the prompt aborts with ``click.exceptions.Abort``, as in flytekit).
"""

from __future__ import annotations

import datetime
import json
import typing
from typing import Any

import click

from flyte_core.context import ExecutionState, FlyteContext, FlyteContextManager
from flyte_core.exceptions.user import FlyteDisapprovalException
from flyte_core.sdk.interface import Interface
from flyte_core.sdk.promise import GLOBAL_INPUT_NODE_ID, Promise, VoidPromise, flyte_entity_call_handler

if typing.TYPE_CHECKING:
    from flyteidl.core import types_pb2, workflow_pb2

DEFAULT_TIMEOUT = datetime.timedelta(hours=1)


class Gate:
    """A node that waits: for a duration (sleep), for a typed value (signal) or for an approval.

    It is called like a task (through the call handler), so it becomes a node when compiling and runs
    ``local_execute`` in a local run.
    """

    def __init__(
        self,
        name: str,
        input_type: Any = None,
        upstream_item: Any = None,
        sleep_duration: datetime.timedelta | None = None,
        timeout: datetime.timedelta | None = None,
    ) -> None:
        self._name = name
        self._input_type = input_type
        self._sleep_duration = sleep_duration
        self._timeout = timeout or DEFAULT_TIMEOUT
        self._upstream_item = upstream_item
        self._literal_type: types_pb2.LiteralType | None = None
        self._python_interface: Interface | None
        if sleep_duration:
            self._python_interface = Interface()
        elif input_type is not None:
            self._python_interface = Interface(outputs={"o0": input_type})
        else:
            self._python_interface = None  # an approval: approve() sets it from the upstream value

    @property
    def name(self) -> str:
        return self._name

    @property
    def input_type(self) -> Any:
        return self._input_type

    @property
    def literal_type(self) -> types_pb2.LiteralType | None:
        """The flyteidl type of the value a signal gate waits for."""
        if self._literal_type is None and self._input_type is not None:
            from flyte_core.types.type_engine import TypeEngine

            self._literal_type = TypeEngine.to_literal_type(self._input_type)
        return self._literal_type

    @property
    def sleep_duration(self) -> datetime.timedelta | None:
        return self._sleep_duration

    @property
    def timeout(self) -> datetime.timedelta:
        return self._timeout

    @property
    def python_interface(self) -> Interface:
        if self._python_interface is not None:
            return self._python_interface
        raise ValueError(
            f"approval gate '{self._name}' has no interface yet: it gets one from the value given to approve()"
        )

    def construct_node_metadata(self) -> workflow_pb2.NodeMetadata:
        """flytekit's gate-node metadata: the gate's name, its timeout and an empty retry strategy."""
        from flyteidl.core import workflow_pb2

        metadata = workflow_pb2.NodeMetadata(name=self._name)
        metadata.timeout.FromTimedelta(self._timeout)
        metadata.retries.SetInParent()
        return metadata

    def to_flyte_idl(self) -> workflow_pb2.GateNode:
        """The ``flyteidl.core.GateNode`` of this gate (sleep, signal or approve)."""
        from flyteidl.core import workflow_pb2

        if self._sleep_duration:
            sleep = workflow_pb2.SleepCondition()
            sleep.duration.FromTimedelta(self._sleep_duration)
            return workflow_pb2.GateNode(sleep=sleep)
        if self._input_type is not None:
            output_name = next(iter(self.python_interface.outputs))
            return workflow_pb2.GateNode(
                signal=workflow_pb2.SignalCondition(
                    signal_id=self._name, type=self.literal_type, output_variable_name=output_name
                )
            )
        return workflow_pb2.GateNode(approve=workflow_pb2.ApproveCondition(signal_id=self._name))

    def local_execution_mode(self) -> ExecutionState.Mode:
        return ExecutionState.Mode.LOCAL_TASK_EXECUTION

    def local_execute(self, ctx: FlyteContext, **kwargs: Any) -> Any:
        """Act the gate out on the terminal: announce the sleep, prompt for the value, ask for approval."""
        if self._sleep_duration:
            click.echo(
                f"{click.style('[Sleep Gate]', fg='yellow')} "
                f"{click.style(f'Simulating Sleep for {self._sleep_duration}', fg='cyan')}"
            )
            return VoidPromise(self._name)
        if self._input_type is not None:
            message = click.style("[Input Gate] ", fg="yellow") + click.style(
                f"Waiting for input @{self._name} of type {self._input_type}", fg="cyan"
            )
            return Promise(var="o0", val=_prompt_literal(ctx, self._input_type, self.literal_type, message))
        value = next(iter(kwargs.values()))
        shown = _display(value.val) if isinstance(value, Promise) else value
        message = click.style("[Approval Gate] ", fg="yellow") + click.style(
            f"@{self._name} Approve {click.style(str(shown), fg='green')}?", fg="cyan"
        )
        if click.confirm(message, default=True):
            return value
        raise FlyteDisapprovalException(f"User did not approve the transaction for gate node {self._name}")

    def __repr__(self) -> str:
        return f"Gate({self._name})"


def _prompt_literal(ctx: FlyteContext, python_type: Any, literal_type: Any, message: str) -> Any:
    """Prompt for a value of ``python_type`` until it parses, then convert it to a literal."""
    from flyte_core.types.type_engine import TypeEngine

    value = click.prompt(message, type=_click_type(python_type))
    try:
        return TypeEngine.to_literal(ctx, value, python_type, literal_type)
    except Exception as exc:
        raise click.ClickException(f"Failed to parse input: {exc}") from exc


def _click_type(python_type: Any) -> Any:
    """The click parameter type that reads a ``python_type`` from the terminal (JSON for composite types)."""
    simple = {int: click.INT, float: click.FLOAT, bool: click.BOOL, str: click.STRING}
    if python_type in simple:
        return simple[python_type]
    if python_type is datetime.datetime:
        return click.DateTime()
    return _JsonValue(python_type)


class _JsonValue(click.ParamType):
    """Reads composite values (lists, dicts, dataclasses...) as JSON; click prompts again when it fails."""

    def __init__(self, python_type: Any) -> None:
        self.name = f"JSON {getattr(python_type, '__name__', str(python_type))}"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            self.fail(f"{value!r} is not valid JSON: {exc}", param, ctx)


def _display(literal: Any) -> Any:
    """A short text of a literal for the approval prompt: primitives as values, others by kind."""
    if literal is None:
        return None
    try:
        return Promise("", literal).eval()
    except Exception:
        return literal.WhichOneof("value")


def wait_for_input(name: str, timeout: datetime.timedelta, expected_type: Any) -> Any:
    """A gate that waits for someone to send a value of ``expected_type`` (a signal named ``name``).

    In a workflow it returns a promise of that value; run locally it prompts for the value.
    """
    return flyte_entity_call_handler(Gate(name, input_type=expected_type, timeout=timeout))


def sleep(duration: datetime.timedelta) -> Any:
    """A gate that waits for ``duration`` before the nodes after it run (order them with ``>>``)."""
    return flyte_entity_call_handler(Gate("sleep-gate", sleep_duration=duration))


def approve(upstream_item: Any, name: str, timeout: datetime.timedelta) -> Any:
    """A gate that waits until someone approves ``upstream_item`` (one output of a previous task).

    Returns the same value, so the nodes that use it run only after the approval.
    """
    gate = Gate(name, upstream_item=upstream_item, timeout=timeout)
    if upstream_item is None or isinstance(upstream_item, VoidPromise):
        raise ValueError(
            f"You can't use approval on a task that doesn't return anything: approve(..., name='{name}') needs "
            "one output of a previous task."
        )
    if isinstance(upstream_item, tuple):
        fields = ", ".join(getattr(upstream_item, "_fields", ()))
        raise ValueError(
            f"approve(..., name='{name}') takes one output, got {len(upstream_item)} ({fields}): "
            "pass one of them, e.g. approve(result.o0, ...)"
        )
    ctx = FlyteContextManager.current_context()
    if ctx.compilation_state is not None and ctx.compilation_state.mode == 1:
        if not isinstance(upstream_item, Promise) or upstream_item.is_ready:
            raise ValueError(
                f"approve(..., name='{name}') needs the output of a previous task in this workflow, "
                f"got {type(upstream_item).__name__} {upstream_item!r}"
            )
        if upstream_item.ref.node_id == GLOBAL_INPUT_NODE_ID:
            raise ValueError(
                f"Workflow inputs cannot be passed to approval nodes: approve(..., name='{name}') got the workflow "
                f"input '{upstream_item.var}'; approve the output of a task instead."
            )
        entity = upstream_item.ref.node.flyte_entity
        io_type = entity.python_interface.outputs[upstream_item.var]
        io_var_name = upstream_item.var
    elif not isinstance(upstream_item, Promise):
        # Called outside a workflow with a plain value: ask, and hand the value back.
        gate._python_interface = Interface()
        gate.local_execute(ctx, o0=upstream_item)
        return upstream_item
    else:
        io_type, io_var_name = None, "o0"
    gate._python_interface = Interface(inputs={io_var_name: io_type}, outputs={io_var_name: io_type})
    return flyte_entity_call_handler(gate, **{io_var_name: upstream_item})

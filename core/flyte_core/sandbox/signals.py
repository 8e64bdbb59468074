"""The sandbox's ``SignalService``: the signals gate nodes wait for, and the values users set (approve, input).

A signal is created by the execution that waits for it (``GetOrCreateSignal``, through the engine's host)
with the type it expects; ``SetSignal`` stores a value after checking it against that type, as flyteadmin
does; ``ListSignals`` lists an execution's signals with flyteadmin's filters and pagination.
"""

from __future__ import annotations

import time
from typing import Any

from flyteidl.admin import signal_pb2
from flyteidl.core import literals_pb2, types_pb2
from flyteidl.service import signal_pb2_grpc

from flyte_core.sandbox import events, filters
from flyte_core.sandbox.control_plane import ControlPlane, check_named_id, literal_matches
from flyte_core.sandbox.errors import InvalidArgument, guard_servicer


def _check_signal_id(identifier: Any) -> None:
    if not identifier.ByteSize():
        raise InvalidArgument("missing id: name the signal (signal_id and execution_id)")
    if not identifier.signal_id:
        raise InvalidArgument("missing signal_id in the signal id")
    check_named_id(identifier.execution_id, f"the execution of signal '{identifier.signal_id}'")


def _signal_key(identifier: Any) -> dict[str, str]:
    execution = identifier.execution_id
    return {
        "project": execution.project,
        "domain": execution.domain,
        "execution_name": execution.name,
        "signal_id": identifier.signal_id,
    }


@guard_servicer
class SignalService(signal_pb2_grpc.SignalServiceServicer):
    """flyteadmin's SignalService over the sandbox's state."""

    def __init__(self, control_plane: ControlPlane) -> None:
        self.cp = control_plane
        self.state = control_plane.state

    def GetOrCreateSignal(self, request: signal_pb2.SignalGetOrCreateRequest, context: Any) -> signal_pb2.Signal:
        _check_signal_id(request.id)
        if not request.HasField("type"):
            raise InvalidArgument(f"missing type for signal '{request.id.signal_id}'")
        signal: signal_pb2.Signal = self.cp.signal(request.id.execution_id, request.id.signal_id, request.type)
        return signal

    def ListSignals(self, request: signal_pb2.SignalListRequest, context: Any) -> signal_pb2.SignalList:
        check_named_id(request.workflow_execution_id, "the execution whose signals to list")
        filters.check_limit(request.limit, "ListSignals")
        execution = request.workflow_execution_id
        page = self.state.page(
            "signal",
            select="project, domain, execution_name, signal_id, type, value",
            base="project = ? AND domain = ? AND execution_name = ?",
            base_params=[execution.project, execution.domain, execution.name],
            filters_text=request.filters,
            sort_by=request.sort_by if request.HasField("sort_by") else None,
            token=request.token,
            limit=request.limit,
            rpc="ListSignals",
        )
        signals = []
        for row in page.rows:
            signal = signal_pb2.Signal(type=types_pb2.LiteralType.FromString(row["type"]))
            signal.id.signal_id = row["signal_id"]
            signal.id.execution_id.CopyFrom(execution)
            if row["value"] is not None:
                signal.value.CopyFrom(literals_pb2.Literal.FromString(row["value"]))
            signals.append(signal)
        return signal_pb2.SignalList(signals=signals, token=page.token)

    def SetSignal(self, request: signal_pb2.SignalSetRequest, context: Any) -> signal_pb2.SignalSetResponse:
        _check_signal_id(request.id)
        if not request.HasField("value"):
            raise InvalidArgument(f"missing value for signal '{request.id.signal_id}'")
        key = _signal_key(request.id)
        with self.state.transaction():
            row = self.state.find("signals", "type", **key)
            if row is None:
                raise InvalidArgument(
                    f"failed to validate that signal [{request.id.signal_id}] exists in execution "
                    f"{events.describe_execution(request.id.execution_id)}: the execution has not reached the "
                    "gate node that waits for it"
                )
            expected = types_pb2.LiteralType.FromString(row["type"])
            if not literal_matches(request.value, expected):
                raise InvalidArgument(
                    f"requested signal value for [{request.id.signal_id}] is not castable to existing signal type "
                    f"[{_type_name(expected)}]"
                )
            self.state.update("signals", key, value=request.value.SerializeToString(), updated_at=time.time())
        return signal_pb2.SignalSetResponse()


def _type_name(literal_type: types_pb2.LiteralType) -> str:
    if literal_type.WhichOneof("type") == "simple":
        return types_pb2.SimpleType.Name(literal_type.simple)
    return literal_type.WhichOneof("type") or "unknown"

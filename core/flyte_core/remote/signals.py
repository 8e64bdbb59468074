"""Signals: the values the gates of an execution wait for (``approve(...)``, ``wait_for_input(...)``).

``ExecutionSignals`` lists an execution's signals and sets them, converting a Python value to the type the
gate declared.
"""

from __future__ import annotations

from typing import Any

from flyteidl.core import identifier_pb2, literals_pb2

from flyte_core.exceptions.user import FlyteValueException
from flyte_core.remote.connection import RemoteConnection

__all__ = ["ExecutionSignals"]


class ExecutionSignals(RemoteConnection):
    """``FlyteRemote``'s calls on gates: list the signals, set one, approve, reject, give an input."""

    def list_signals(
        self, execution_name: str, project: str | None = None, domain: str | None = None, limit: int = 100
    ) -> list[Any]:
        """The signals an execution's gates wait for or received (``flyteidl.admin.Signal``: id, type, value)."""
        from flyteidl.admin import signal_pb2

        project, domain = self._project_domain(project, domain)
        ident = identifier_pb2.WorkflowExecutionIdentifier(project=project, domain=domain, name=execution_name)
        request = signal_pb2.SignalListRequest(workflow_execution_id=ident, limit=limit)
        return list(self._call("ListSignals", request, "SignalService").signals)

    def set_signal(
        self,
        signal_id: str,
        execution_name: str,
        value: Any,
        project: str | None = None,
        domain: str | None = None,
        python_type: Any = None,
        literal_type: Any = None,
    ) -> None:
        """Give the gate ``signal_id`` of an execution its value (converted to the type the gate declared)."""
        from flyteidl.admin import signal_pb2
        from flyteidl.core import identifier_pb2 as ids

        from flyte_core.types.type_engine import TypeEngine

        project, domain = self._project_domain(project, domain)
        if isinstance(value, literals_pb2.Literal):
            literal = value
        else:
            if literal_type is None:
                declared = {s.id.signal_id: s.type for s in self.list_signals(execution_name, project, domain)}
                if signal_id not in declared:
                    raise FlyteValueException(
                        signal_id,
                        f"is not a signal of execution {execution_name}; its signals are: "
                        f"{', '.join(declared) or 'none (no gate has been reached yet)'}",
                    )
                literal_type = declared[signal_id]
            python_type = python_type or TypeEngine.guess_python_type(literal_type)
            literal = TypeEngine.to_literal(None, value, python_type, literal_type)
        ident = ids.SignalIdentifier(
            signal_id=signal_id,
            execution_id=ids.WorkflowExecutionIdentifier(project=project, domain=domain, name=execution_name),
        )
        self._call("SetSignal", signal_pb2.SignalSetRequest(id=ident, value=literal), "SignalService")

    def approve(
        self, signal_id: str, execution_name: str, project: str | None = None, domain: str | None = None
    ) -> None:
        """Approve the ``approve(...)`` gate ``signal_id``."""
        self.set_signal(signal_id, execution_name, True, project, domain, python_type=bool)

    def reject(
        self, signal_id: str, execution_name: str, project: str | None = None, domain: str | None = None
    ) -> None:
        """Reject the ``approve(...)`` gate ``signal_id`` (the execution fails there)."""
        self.set_signal(signal_id, execution_name, False, project, domain, python_type=bool)

    def set_input(
        self,
        signal_id: str,
        execution_name: str,
        value: Any,
        project: str | None = None,
        domain: str | None = None,
        python_type: Any = None,
        literal_type: Any = None,
    ) -> None:
        """Give the ``wait_for_input(...)`` gate ``signal_id`` its value."""
        self.set_signal(signal_id, execution_name, value, project, domain, python_type, literal_type)

"""What the AdminService's RPC groups share: the control plane and state they answer from (:class:`AdminRPCs`),
the checks of execution and node execution ids in requests, the sort order a list request asks for, and the
trimming of error messages in list responses.
"""

from __future__ import annotations

from typing import Any

from flyte_core.sandbox.control_plane import ControlPlane, check_named_id
from flyte_core.sandbox.errors import InvalidArgument
from flyte_core.sandbox.state import SandboxState

_TRIMMED_ERROR_BYTES = 100
"""flyteadmin trims error messages to this many bytes in list responses (``TrimErrorMessage``)."""


def _sort(request: Any) -> Any:
    return request.sort_by if request.HasField("sort_by") else None


def _trim_error(closure: Any) -> None:
    if closure.HasField("error") and len(closure.error.message.encode()) > _TRIMMED_ERROR_BYTES:
        closure.error.message = closure.error.message.encode()[:_TRIMMED_ERROR_BYTES].decode("utf-8", "ignore")


def _execution_id(identifier: Any, what: str = "execution") -> None:
    if identifier is None or not identifier.ByteSize():
        raise InvalidArgument(f"missing id: the request must name the {what} (project, domain, name)")
    check_named_id(identifier, what)


def _node_execution_id(identifier: Any) -> None:
    if not identifier.node_id:
        raise InvalidArgument("missing node_id in the node execution id")
    _execution_id(identifier.execution_id, f"execution of node '{identifier.node_id}'")


class AdminRPCs:
    """The base of each group of AdminService RPCs: what they answer from, set by ``AdminService.__init__``."""

    cp: ControlPlane
    state: SandboxState

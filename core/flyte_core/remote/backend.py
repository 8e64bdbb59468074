"""The transport behind ``FlyteRemote``: a ``RemoteBackend`` chosen by the endpoint's scheme.

A backend carries flyteidl request messages to a control plane and brings back the response messages;
everything above it (registration, executions, data) is ``FlyteRemote``'s. The built-in one is the gRPC
admin client (``flyte_core.builtin.remotes.grpc_admin``); a third party contributes another through the
``flyte_remote_backends`` hook, for endpoint schemes of its own.

Errors: a backend raises flyte_core's exceptions, each message starting with the RPC's name and carrying
the server's message (``FlyteEntityNotExistException("GetTask: task flytesnacks/development/t/v not
found")``), with ``rpc`` and ``code`` (the gRPC status name) as attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from google.protobuf.message import Message

    from flyte_core.config import Config

__all__ = ["RemoteBackend", "endpoint_scheme", "open_backend"]

SERVICES = ("AdminService", "DataProxyService", "SignalService", "AuthMetadataService", "IdentityService")
"""The flyteidl services a backend may be asked for (``flyteidl.service.*``)."""


@runtime_checkable
class RemoteBackend(Protocol):
    """A connection to one Flyte control plane.

    ``call("AdminService", "GetTask", ObjectGetRequest(...))`` returns the ``Task`` message; a failure
    raises the matching flyte_core exception (see the module docstring).
    """

    endpoint: str

    def call(self, service: str, method: str, request: Message, timeout: float | None = None) -> Any:
        """Send ``request`` to ``service``'s ``method``; return the response message."""
        ...

    def close(self) -> None:
        """Release the connection (channels, threads); the backend is not used afterwards."""
        ...


def endpoint_scheme(endpoint: str) -> str:
    """The scheme selecting a backend: ``dns:///h:p`` -> ``dns``, ``grpcs://h`` -> ``grpcs``, ``h:p`` -> ``""``."""
    head, sep, _ = endpoint.partition("://")
    if not sep:
        head, sep, _ = endpoint.partition(":///")
    return head.lower() if sep and head.replace("+", "").replace("-", "").isalnum() else ""


def open_backend(config: Config, **kwargs: Any) -> RemoteBackend:
    """The backend for ``config.platform.endpoint`` from the installed ``flyte_remote_backends``.

    Raises:
        ValueError: no installed backend serves the endpoint's scheme; the message lists those that do.
    """
    from flyte_core.plugins.manager import get_plugin_manager

    endpoint = config.platform.endpoint
    scheme = endpoint_scheme(endpoint)
    backends = get_plugin_manager().remote_backends()
    registration = backends.get(scheme)
    if registration is None:
        known = ", ".join(f"'{s}://'" if s else "'host:port'" for s in sorted(backends)) or "none"
        raise ValueError(
            f"no remote backend serves the endpoint '{endpoint}' (scheme '{scheme}'); installed backends "
            f"serve: {known}. Fix admin.endpoint in your config, or install the plugin for that scheme"
        )
    return registration.load_factory()(config, **kwargs)  # type: ignore[no-any-return]

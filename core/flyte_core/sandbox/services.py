"""``add_services``: every gRPC servicer of the sandbox registered on one ``grpc.Server``.

The server process (``sandbox/server.py``) builds the state, the blob store and the engine, then::

    server = grpc.server(ThreadPoolExecutor(16), options=SERVER_OPTIONS)
    control_plane = add_services(server, state, blobs, engine, http_base_url="http://127.0.0.1:30081")
    server.add_insecure_port("127.0.0.1:30080"); server.start()
    engine.start(); control_plane.resume_unfinished()

The returned :class:`ControlPlane` is the engine's ``EngineHost``; an engine built after the services are
(it needs the host) is attached with ``control_plane.engine = engine``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flyte_core.sandbox.blobs import BlobStore
from flyte_core.sandbox.control_plane import ControlPlane
from flyte_core.sandbox.state import SandboxState

if TYPE_CHECKING:
    import grpc

    from flyte_core.sandbox.engine.host import Engine

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
SERVER_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
]
"""gRPC server options: messages up to 64 MiB (gRPC's default receive limit is 4 MiB)."""


def add_services(
    grpc_server: grpc.Server,
    state: SandboxState,
    blobs: BlobStore,
    engine: Engine | None,
    http_base_url: str,
    *,
    version: str = "",
    on_launch_plan_state: Callable[[Any, int], None] | None = None,
) -> ControlPlane:
    """Register AdminService, DataProxyService, SignalService, AuthMetadataService and IdentityService.

    ``http_base_url`` is where the sandbox's HTTP side serves signed blob URLs; ``on_launch_plan_state`` is
    told when UpdateLaunchPlan activates or deactivates a launch plan (e.g. the scheduler).
    """
    from flyteidl.service import (
        admin_pb2_grpc,
        auth_pb2_grpc,
        dataproxy_pb2_grpc,
        identity_pb2_grpc,
        signal_pb2_grpc,
    )

    from flyte_core.sandbox.admin import AdminService
    from flyte_core.sandbox.dataproxy import DataProxyService
    from flyte_core.sandbox.identity import AuthMetadataService, IdentityService
    from flyte_core.sandbox.signals import SignalService

    control_plane = ControlPlane(state, blobs, engine, on_launch_plan_state=on_launch_plan_state)
    admin_pb2_grpc.add_AdminServiceServicer_to_server(AdminService(control_plane, version), grpc_server)
    dataproxy_pb2_grpc.add_DataProxyServiceServicer_to_server(
        DataProxyService(control_plane, http_base_url), grpc_server
    )
    signal_pb2_grpc.add_SignalServiceServicer_to_server(SignalService(control_plane), grpc_server)
    auth_pb2_grpc.add_AuthMetadataServiceServicer_to_server(AuthMetadataService(http_base_url), grpc_server)
    identity_pb2_grpc.add_IdentityServiceServicer_to_server(IdentityService(), grpc_server)
    return control_plane

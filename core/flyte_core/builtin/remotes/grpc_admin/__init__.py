"""The gRPC admin transport: FlyteRemote's backend for ``host:port``, ``dns:///``, ``grpc://`` and ``grpcs://``.

This module only registers the backend; the client (``client.GrpcAdminBackend``), and with it ``grpc``, is
imported when a remote is first opened.
"""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteRemoteBackend, hookimpl


@hookimpl
def flyte_remote_backends() -> Iterator[FlyteRemoteBackend]:
    yield FlyteRemoteBackend(
        name="grpc-admin",
        schemes=("", "dns", "grpc", "grpcs"),
        factory="flyte_core.builtin.remotes.grpc_admin.client:GrpcAdminBackend",
    )

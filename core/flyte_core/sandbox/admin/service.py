"""The sandbox's ``flyteidl.service.AdminService``: flyteadmin's answers, over :class:`ControlPlane`.

Every RPC a flytekit 1.16 client, flytectl or the console uses is implemented as flyteadmin answers it
(registration, executions, node and task executions, projects, named entities, launch-plan activation,
attributes, description entities, versions); the event RPCs propeller uses apply events like the engine's.
Errors map to flyteadmin's status codes through :func:`~flyte_core.sandbox.errors.guard_servicer`.

The RPCs are grouped by job, one mixin each (:mod:`.entities`, :mod:`.executions`, :mod:`.node_executions`,
:mod:`.projects`, :mod:`.attributes`); :class:`AdminService` combines them over the generated servicer base.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import version_pb2
from flyteidl.service import admin_pb2_grpc

from flyte_core.sandbox.admin.attributes import AttributeRPCs
from flyte_core.sandbox.admin.entities import EntityRPCs
from flyte_core.sandbox.admin.executions import ExecutionRPCs
from flyte_core.sandbox.admin.node_executions import NodeExecutionRPCs
from flyte_core.sandbox.admin.projects import ProjectRPCs
from flyte_core.sandbox.control_plane import ControlPlane
from flyte_core.sandbox.errors import guard_servicer


@guard_servicer
class AdminService(
    EntityRPCs,
    ExecutionRPCs,
    NodeExecutionRPCs,
    ProjectRPCs,
    AttributeRPCs,
    admin_pb2_grpc.AdminServiceServicer,
):
    """flyteadmin's AdminService on the sandbox's control plane."""

    def __init__(self, control_plane: ControlPlane, version: str = "") -> None:
        self.cp = control_plane
        self.state = control_plane.state
        self.version = version

    # -- version ---------------------------------------------------------------------------------------------------

    def GetVersion(self, request: version_pb2.GetVersionRequest, context: Any) -> version_pb2.GetVersionResponse:
        version = self.version
        if not version:
            from flyte_core._version import __version__ as version
        return version_pb2.GetVersionResponse(
            control_plane_version=version_pb2.Version(Build="flyte-core-sandbox", Version=version, BuildTime="")
        )

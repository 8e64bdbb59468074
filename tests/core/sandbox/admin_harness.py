"""A running control plane for tests: a real gRPC server on a free loopback port, a real SQLite file and blob
store, and a recording engine (the only double) whose events go through the real EngineHost."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.service import (
    admin_pb2_grpc,
    auth_pb2_grpc,
    dataproxy_pb2_grpc,
    identity_pb2_grpc,
    signal_pb2_grpc,
)

from flyte_core.config.images import ImageConfig
from flyte_core.config.serialization import SerializationSettings
from flyte_core.sandbox.blobs import BlobStore
from flyte_core.sandbox.control_plane import ControlPlane
from flyte_core.sandbox.services import SERVER_OPTIONS, add_services
from flyte_core.sandbox.state import SandboxState
from flyte_core.tools.translator import get_serializable

SETTINGS = SerializationSettings(
    project="flytesnacks", domain="development", version="v1", image_config=ImageConfig.auto(img_name="img:v1")
)
HTTP_BASE = "http://127.0.0.1:30081"


@dataclass
class Submission:
    execution: Any
    closure: Any
    inputs: Any
    spec: Any


@dataclass
class RecordingEngine:
    """Satisfies the ``Engine`` protocol: records what the control plane asks of it."""

    submitted: list[Submission] = field(default_factory=list)
    resumed: list[Submission] = field(default_factory=list)
    terminated: list[tuple[Any, str]] = field(default_factory=list)
    refuse: bool = False

    def start(self) -> None:
        pass

    def submit(self, execution: Any, closure: Any, inputs: Any, spec: Any) -> None:
        if self.refuse:
            raise RuntimeError("no worker available")
        self.submitted.append(Submission(execution, closure, inputs, spec))

    def resume(self, execution: Any, closure: Any, inputs: Any, spec: Any) -> None:
        self.resumed.append(Submission(execution, closure, inputs, spec))

    def terminate(self, execution: Any, cause: str) -> None:
        self.terminated.append((execution, cause))

    def running(self) -> int:
        return 0

    def stop(self) -> None:
        pass


@dataclass
class Sandbox:
    state: SandboxState
    blobs: BlobStore
    engine: RecordingEngine
    control_plane: ControlPlane
    admin: admin_pb2_grpc.AdminServiceStub
    dataproxy: dataproxy_pb2_grpc.DataProxyServiceStub
    signals: signal_pb2_grpc.SignalServiceStub
    auth: auth_pb2_grpc.AuthMetadataServiceStub
    identity: identity_pb2_grpc.IdentityServiceStub

    def register(self, *entities: Any, attempts: int = 1) -> None:
        """Create* each serialized entity ``attempts`` times, as flytekit's retrying client does."""
        for entity in entities:
            for attempt in range(attempts):
                try:
                    _create(self.admin, entity)
                except grpc.RpcError as error:
                    if attempt == 0 or error.code() != grpc.StatusCode.ALREADY_EXISTS:
                        raise

    def rows(self, table: str) -> int:
        return int(self.state.one(f"SELECT COUNT(*) FROM {table}")[0])


def _create(admin: admin_pb2_grpc.AdminServiceStub, entity: Any) -> None:
    if isinstance(entity, task_pb2.TaskSpec):
        admin.CreateTask(task_pb2.TaskCreateRequest(id=entity.template.id, spec=entity))
    elif isinstance(entity, workflow_pb2.WorkflowSpec):
        admin.CreateWorkflow(workflow_pb2.WorkflowCreateRequest(id=entity.template.id, spec=entity))
    elif isinstance(entity, launch_plan_pb2.LaunchPlan):
        admin.CreateLaunchPlan(launch_plan_pb2.LaunchPlanCreateRequest(id=entity.id, spec=entity.spec))
    else:
        raise TypeError(type(entity))


def serialized(*entities: Any, settings: SerializationSettings = SETTINGS) -> list[Any]:
    """Everything the entities need, dependencies first, as our serializer (flytekit's translator) makes them."""
    mapping: dict[Any, Any] = {}
    for entity in entities:
        get_serializable(mapping, settings, entity)
    admin_types = (task_pb2.TaskSpec, workflow_pb2.WorkflowSpec, launch_plan_pb2.LaunchPlan)
    return [value for value in mapping.values() if isinstance(value, admin_types)]


@contextlib.contextmanager
def running_sandbox(directory: Path) -> Iterator[Sandbox]:
    state = SandboxState(directory / "state.db")
    blobs = BlobStore(directory / "blobs", b"s" * 32)
    engine = RecordingEngine()
    server = grpc.server(ThreadPoolExecutor(max_workers=8), options=SERVER_OPTIONS)
    control_plane = add_services(server, state, blobs, engine, HTTP_BASE)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield Sandbox(
            state=state,
            blobs=blobs,
            engine=engine,
            control_plane=control_plane,
            admin=admin_pb2_grpc.AdminServiceStub(channel),
            dataproxy=dataproxy_pb2_grpc.DataProxyServiceStub(channel),
            signals=signal_pb2_grpc.SignalServiceStub(channel),
            auth=auth_pb2_grpc.AuthMetadataServiceStub(channel),
            identity=identity_pb2_grpc.IdentityServiceStub(channel),
        )
    finally:
        channel.close()
        server.stop(None).wait()
        state.close()

"""The flyte-core side of benchmarks/sandbox.sh: hello registered by flyte-core, run on the sandbox.

    .venv/bin/python sandbox_ours.py ENDPOINT PROJECT_ROOT N

Registers `hello.hello_wf` (written for flyte_core) the way `pyflyte run --remote` will (fast registration:
the code archive uploaded through the data proxy), then times one execution from create to succeeded
(polling GetExecution every 20 ms) and N executions created at once until all succeeded. The tasks run
with flyte-core's `pyflyte-execute`. Prints JSON like sandbox_client.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import grpc
from flyteidl.admin import execution_pb2, launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from flyteidl.service import admin_pb2_grpc, dataproxy_pb2, dataproxy_pb2_grpc

from flyte_core.config.images import ImageConfig
from flyte_core.config.serialization import FastSerializationSettings, SerializationSettings
from flyte_core.packaging.entities import serialize_packages
from flyte_core.packaging.fast import fast_package

PROJECT, DOMAIN = "flytesnacks", "development"
TERMINAL = {4, 6, 7, 8}


def main() -> None:
    endpoint, root, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    channel = grpc.insecure_channel(endpoint)
    admin = admin_pb2_grpc.AdminServiceStub(channel)
    proxy = dataproxy_pb2_grpc.DataProxyServiceStub(channel)

    started = time.perf_counter()
    archive = fast_package(root, Path(tempfile.mkdtemp()))
    data = archive.read_bytes()
    md5 = hashlib.md5(data).digest()
    location = proxy.CreateUploadLocation(
        dataproxy_pb2.CreateUploadLocationRequest(
            project=PROJECT, domain=DOMAIN, filename=archive.name, content_md5=md5
        )
    )
    headers = {"Content-MD5": base64.b64encode(md5).decode(), "Content-Length": str(len(data)), **location.headers}
    urllib.request.urlopen(urllib.request.Request(location.signed_url, data=data, method="PUT", headers=headers))
    version = archive.name.removeprefix("fast").removesuffix(".tar.gz")[:20]
    settings = SerializationSettings(
        image_config=ImageConfig.auto(img_name="ghcr.io/flyte-core/bench:v1"),
        project=PROJECT,
        domain=DOMAIN,
        version=version,
        fast_serialization_settings=FastSerializationSettings(
            enabled=True, destination_dir=".", distribution_location=location.native_url
        ),
    )
    sys.path.insert(0, str(root))
    launch_plan_id = None
    for entity in serialize_packages(["hello"], settings, root):
        try:
            if isinstance(entity, task_pb2.TaskSpec):
                admin.CreateTask(task_pb2.TaskCreateRequest(id=entity.template.id, spec=entity))
            elif isinstance(entity, workflow_pb2.WorkflowSpec):
                admin.CreateWorkflow(workflow_pb2.WorkflowCreateRequest(id=entity.template.id, spec=entity))
            else:
                admin.CreateLaunchPlan(launch_plan_pb2.LaunchPlanCreateRequest(id=entity.id, spec=entity.spec))
                launch_plan_id = entity.id
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.ALREADY_EXISTS:
                raise
    register_s = time.perf_counter() - started

    def create(name: str) -> identifier_pb2.WorkflowExecutionIdentifier:
        inputs = literals_pb2.LiteralMap()
        inputs.literals["name"].scalar.primitive.string_value = name
        response = admin.CreateExecution(
            execution_pb2.ExecutionCreateRequest(
                project=PROJECT,
                domain=DOMAIN,
                spec=execution_pb2.ExecutionSpec(launch_plan=launch_plan_id),
                inputs=inputs,
            )
        )
        return response.id

    def wait(ids: list[identifier_pb2.WorkflowExecutionIdentifier], poll: float) -> int:
        pending, failed = list(ids), 0
        while pending:
            still = []
            for identifier in pending:
                phase = admin.GetExecution(execution_pb2.WorkflowExecutionGetRequest(id=identifier)).closure.phase
                if phase in TERMINAL:
                    failed += phase != 4
                else:
                    still.append(identifier)
            pending = still
            if pending:
                time.sleep(poll)
        return failed

    started = time.perf_counter()
    assert wait([create("bench")], 0.02) == 0
    single_s = time.perf_counter() - started

    started = time.perf_counter()
    ids = [create(f"n{i}") for i in range(count)]
    submitted_s = time.perf_counter() - started
    failed = wait(ids, 0.2)
    burst_s = time.perf_counter() - started
    print(
        json.dumps(
            {
                "register_s": register_s,
                "single_s": single_s,
                "burst": count,
                "burst_submit_s": submitted_s,
                "burst_s": burst_s,
                "burst_failed": failed,
            }
        )
    )


if __name__ == "__main__":
    main()

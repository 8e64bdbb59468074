"""DataProxyService (signed upload/download URLs, flyte:// data), SignalService, and the auth/identity answers."""

from __future__ import annotations

import base64
import hashlib
import urllib.parse

import fsspec
import grpc
import pytest
from flyteidl.admin import execution_pb2, signal_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2, types_pb2
from flyteidl.event import event_pb2
from flyteidl.service import auth_pb2, dataproxy_pb2, identity_pb2
from google.protobuf import duration_pb2

from flyte_core import LaunchPlan, task, workflow
from flyte_core.sandbox import events
from tests.core.sandbox.admin_harness import HTTP_BASE, running_sandbox, serialized

NodePhase = core_execution_pb2.NodeExecution
TaskPhase = core_execution_pb2.TaskExecution


@task
def add(x: int, y: int) -> int:
    return x + y


@workflow
def pipeline(x: int, y: int = 2) -> int:
    return add(x=x, y=y)


@pytest.fixture
def sandbox(tmp_path):
    with running_sandbox(tmp_path) as running:
        yield running


@pytest.fixture
def execution(sandbox) -> identifier_pb2.WorkflowExecutionIdentifier:
    sandbox.register(*serialized(pipeline, LaunchPlan.get_or_create(pipeline)))
    request = execution_pb2.ExecutionCreateRequest(
        project="flytesnacks",
        domain="development",
        spec=execution_pb2.ExecutionSpec(
            launch_plan=identifier_pb2.Identifier(
                resource_type=identifier_pb2.LAUNCH_PLAN,
                project="flytesnacks",
                domain="development",
                name=f"{__name__}.pipeline",
                version="v1",
            )
        ),
    )
    request.inputs.literals["x"].scalar.primitive.integer = 1
    return sandbox.admin.CreateExecution(request).id


def _code(call, *args):
    with pytest.raises(grpc.RpcError) as raised:
        call(*args)
    return raised.value.code(), raised.value.details()


def test_an_upload_location_is_a_signed_put_under_uploads_with_the_md5_header(sandbox) -> None:
    digest = hashlib.md5(b"bundle").digest()
    response = sandbox.dataproxy.CreateUploadLocation(
        dataproxy_pb2.CreateUploadLocationRequest(
            project="flytesnacks", domain="development", filename="fast123.tar.gz", content_md5=digest
        )
    )
    relative = f"uploads/flytesnacks/development/{base64.b32encode(digest).decode()}/fast123.tar.gz"
    assert response.native_url == sandbox.blobs.uri(relative)
    parsed = urllib.parse.urlparse(response.signed_url)
    query = dict(urllib.parse.parse_qsl(parsed.query))
    assert response.signed_url.startswith(f"{HTTP_BASE}/blobs/") and query["method"] == "PUT"
    assert sandbox.blobs.verify(
        "PUT", urllib.parse.unquote(parsed.path.removeprefix("/blobs/")), int(query["expires"]), query["signature"]
    )
    assert response.headers["Content-MD5"] == base64.b64encode(digest).decode()
    assert response.expires_at.seconds == int(query["expires"])
    sandbox.blobs.write_bytes(relative, b"bundle")  # what the signed PUT stores; tasks then read native_url
    assert "======/" in response.native_url and fsspec.open(response.native_url).open().read() == b"bundle"


def test_upload_locations_refuse_bad_requests_and_protect_named_files(sandbox) -> None:
    code, _ = _code(
        sandbox.dataproxy.CreateUploadLocation, dataproxy_pb2.CreateUploadLocationRequest(project="flytesnacks")
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    code, details = _code(
        sandbox.dataproxy.CreateUploadLocation,
        dataproxy_pb2.CreateUploadLocationRequest(project="flytesnacks", domain="development", filename="f"),
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "content_md5 or filename_root" in details
    code, _ = _code(
        sandbox.dataproxy.CreateUploadLocation,
        dataproxy_pb2.CreateUploadLocationRequest(
            project="flytesnacks",
            domain="development",
            filename_root="r",
            expires_in=duration_pb2.Duration(seconds=10**6),
        ),
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    sandbox.blobs.write_bytes("uploads/flytesnacks/development/root/data.csv", b"a,b")
    named = dataproxy_pb2.CreateUploadLocationRequest(
        project="flytesnacks", domain="development", filename_root="root", filename="data.csv"
    )
    code, _ = _code(sandbox.dataproxy.CreateUploadLocation, named)
    assert code == grpc.StatusCode.ALREADY_EXISTS
    named.content_md5 = hashlib.md5(b"a,b").digest()
    assert sandbox.dataproxy.CreateUploadLocation(named).native_url.endswith("/root/data.csv")
    escaping = dataproxy_pb2.CreateUploadLocationRequest(
        project="flytesnacks", domain="development", filename_root="..", filename="x"
    )
    assert _code(sandbox.dataproxy.CreateUploadLocation, escaping)[0] == grpc.StatusCode.INVALID_ARGUMENT


def test_download_locations_and_deck_links_are_signed_gets(sandbox, execution) -> None:
    uri = sandbox.blobs.write_bytes("metadata/x/n0/data/0/deck.html", b"<html/>")
    located = sandbox.dataproxy.CreateDownloadLocation(dataproxy_pb2.CreateDownloadLocationRequest(native_url=uri))
    assert "method=GET" in located.signed_url
    code, _ = _code(
        sandbox.dataproxy.CreateDownloadLocation,
        dataproxy_pb2.CreateDownloadLocationRequest(native_url="file:///etc/passwd"),
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    node_id = identifier_pb2.NodeExecutionIdentifier(execution_id=execution, node_id="n0")
    sandbox.control_plane.record_node_event(
        event_pb2.NodeExecutionEvent(id=node_id, phase=NodePhase.RUNNING, deck_uri=uri, occurred_at=events.timestamp(1))
    )
    link = sandbox.dataproxy.CreateDownloadLink(
        dataproxy_pb2.CreateDownloadLinkRequest(
            artifact_type=dataproxy_pb2.ARTIFACT_TYPE_DECK, node_execution_id=node_id
        )
    )
    assert len(link.signed_url) == 1 and link.pre_signed_urls.signed_url == link.signed_url
    deck = sandbox.dataproxy.GetData(
        dataproxy_pb2.GetDataRequest(flyte_url=f"flyte://v1/flytesnacks/development/{execution.name}/n0/d")
    )
    assert deck.pre_signed_urls.signed_url[0].startswith(f"{HTTP_BASE}/blobs/")


def test_flyte_urls_resolve_to_node_and_attempt_data(sandbox, execution) -> None:
    inputs = literals_pb2.LiteralMap()
    inputs.literals["x"].scalar.primitive.integer = 1
    outputs = literals_pb2.LiteralMap()
    outputs.literals["o0"].scalar.primitive.integer = 3
    in_uri = sandbox.blobs.write_bytes("metadata/x/n0/data/inputs.pb", inputs.SerializeToString())
    out_uri = sandbox.blobs.write_bytes("metadata/x/n0/data/0/outputs.pb", outputs.SerializeToString())
    node_id = identifier_pb2.NodeExecutionIdentifier(execution_id=execution, node_id="n0")
    host = sandbox.control_plane
    host.record_node_event(event_pb2.NodeExecutionEvent(id=node_id, phase=NodePhase.RUNNING, input_uri=in_uri))
    task_id = identifier_pb2.Identifier(
        resource_type=identifier_pb2.TASK, project="flytesnacks", domain="development", name="t", version="v1"
    )
    host.record_task_event(
        event_pb2.TaskExecutionEvent(
            task_id=task_id,
            parent_node_execution_id=node_id,
            phase=TaskPhase.SUCCEEDED,
            input_uri=in_uri,
            output_uri=out_uri,
        )
    )
    host.record_node_event(event_pb2.NodeExecutionEvent(id=node_id, phase=NodePhase.SUCCEEDED, output_uri=out_uri))
    base = f"flyte://v1/flytesnacks/development/{execution.name}/n0"

    def get(url: str) -> dataproxy_pb2.GetDataResponse:
        return sandbox.dataproxy.GetData(dataproxy_pb2.GetDataRequest(flyte_url=url))

    assert get(f"{base}/o").literal_map == outputs and get(f"{base}/i").literal_map == inputs
    assert get(f"{base}/o/o0").literal.scalar.primitive.integer == 3
    assert get(f"{base}/0/o").literal_map == outputs
    for url, expected in [
        (f"{base}/o/nope", grpc.StatusCode.INVALID_ARGUMENT),
        ("s3://bucket/x", grpc.StatusCode.INVALID_ARGUMENT),
        (f"{base}/7/o", grpc.StatusCode.INVALID_ARGUMENT),
    ]:
        assert _code(get, url)[0] == expected


def test_signals_are_created_by_the_engine_listed_and_set_with_a_type_check(sandbox, execution) -> None:
    boolean = types_pb2.LiteralType(simple=types_pb2.BOOLEAN)
    host = sandbox.control_plane
    assert host.get_or_create_signal(execution, "approve", boolean) is None
    signal_id = identifier_pb2.SignalIdentifier(signal_id="approve", execution_id=execution)
    listed = sandbox.signals.ListSignals(signal_pb2.SignalListRequest(workflow_execution_id=execution, limit=10))
    assert [s.id.signal_id for s in listed.signals] == ["approve"] and listed.signals[0].type == boolean
    wrong = literals_pb2.Literal()
    wrong.scalar.primitive.string_value = "yes"
    code, details = _code(sandbox.signals.SetSignal, signal_pb2.SignalSetRequest(id=signal_id, value=wrong))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "approve" in details
    right = literals_pb2.Literal()
    right.scalar.primitive.boolean = True
    sandbox.signals.SetSignal(signal_pb2.SignalSetRequest(id=signal_id, value=right))
    assert host.get_or_create_signal(execution, "approve", boolean) == right
    unknown = identifier_pb2.SignalIdentifier(signal_id="later", execution_id=execution)
    code, _ = _code(sandbox.signals.SetSignal, signal_pb2.SignalSetRequest(id=unknown, value=right))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    created = sandbox.signals.GetOrCreateSignal(signal_pb2.SignalGetOrCreateRequest(id=unknown, type=boolean))
    assert created.id == unknown and not created.HasField("value")


def test_auth_metadata_and_user_info_answer_as_an_unauthenticated_server(sandbox) -> None:
    metadata = sandbox.auth.GetOAuth2Metadata(auth_pb2.OAuth2MetadataRequest())
    assert metadata.issuer == HTTP_BASE and metadata.token_endpoint
    config = sandbox.auth.GetPublicClientConfig(auth_pb2.PublicClientAuthConfigRequest())
    assert config.client_id and config.authorization_metadata_key
    assert sandbox.identity.UserInfo(identity_pb2.UserInfoRequest()).subject


def test_a_servicer_rpc_left_unimplemented_answers_unimplemented_naming_it() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from flyteidl.service import identity_pb2_grpc

    from flyte_core.sandbox.errors import guard_servicer

    @guard_servicer
    class Partial(identity_pb2_grpc.IdentityServiceServicer):
        """Implements nothing."""

    server = grpc.server(ThreadPoolExecutor(max_workers=2))
    identity_pb2_grpc.add_IdentityServiceServicer_to_server(Partial(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            code, details = _code(
                identity_pb2_grpc.IdentityServiceStub(channel).UserInfo, identity_pb2.UserInfoRequest()
            )
    finally:
        server.stop(None)
    assert code == grpc.StatusCode.UNIMPLEMENTED and "IdentityService.UserInfo" in details

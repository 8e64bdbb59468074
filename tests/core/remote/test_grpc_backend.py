"""The built-in gRPC admin backend against a real gRPC server: calls, error mapping, retries, TLS, options."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import grpc
import pytest
from flyteidl.admin import task_pb2, version_pb2
from flyteidl.admin.common_pb2 import ObjectGetRequest

from flyte_core.builtin.remotes.grpc_admin.channel import parse_endpoint
from flyte_core.builtin.remotes.grpc_admin.client import GrpcAdminBackend
from flyte_core.config import Config, PlatformConfig
from flyte_core.config.errors import ConfigError
from flyte_core.exceptions.system import FlyteSystemException, FlyteSystemUnavailableException
from flyte_core.exceptions.user import (
    FlyteAuthenticationException,
    FlyteEntityAlreadyExistsException,
    FlyteEntityNotExistException,
    FlyteInvalidInputException,
    FlyteTimeout,
)
from flyte_core.remote.backend import RemoteBackend, open_backend
from tests.core.remote.grpc_servers import TASK_ID, admin_server, free_port, self_signed_certificate

GET_TASK = ObjectGetRequest(id=TASK_ID)


def test_open_backend_returns_the_grpc_backend_for_every_scheme_it_serves() -> None:
    for endpoint in ("localhost:30080", "dns:///localhost:30080", "grpc://localhost:30080", "grpcs://h:443"):
        backend = open_backend(Config.for_endpoint(endpoint, insecure=True))
        assert isinstance(backend, GrpcAdminBackend)
        assert isinstance(backend, RemoteBackend)
        backend.close()


@pytest.mark.parametrize(
    ("endpoint", "insecure", "expected"),
    [
        ("localhost:30080", True, ("localhost:30080", "localhost:30080", False)),
        ("localhost:30080", False, ("localhost:30080", "localhost:30080", True)),
        ("dns:///flyte.example.com:443", False, ("flyte.example.com:443", "dns:///flyte.example.com:443", True)),
        ("dns:///localhost:30080", True, ("localhost:30080", "dns:///localhost:30080", False)),
        ("grpc://flyte.example.com:81", False, ("flyte.example.com:81", "flyte.example.com:81", False)),
        ("grpcs://flyte.example.com", True, ("flyte.example.com", "flyte.example.com", True)),
    ],
)
def test_endpoint_scheme_decides_tls_and_insecure_applies_only_without_one(
    endpoint: str, insecure: bool, expected: tuple[str, str, bool]
) -> None:
    target = parse_endpoint(endpoint, insecure)
    assert (target.endpoint, target.target, target.secure) == expected


def test_an_endpoint_without_host_is_a_config_error_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"admin.endpoint"):
        GrpcAdminBackend(Config(platform=PlatformConfig(endpoint="grpc://")))


def test_a_call_returns_the_response_message() -> None:
    with admin_server() as server, GrpcAdminBackend(server.config()) as backend:
        task = backend.call("AdminService", "GetTask", GET_TASK)
        assert isinstance(task, task_pb2.Task)
        assert task.id == TASK_ID
        assert server.admin.calls["GetTask"] == 1


def test_the_backend_also_speaks_to_the_other_services() -> None:
    from flyteidl.service import auth_pb2

    with admin_server() as server, GrpcAdminBackend(server.config()) as backend:
        answer = backend.call("AuthMetadataService", "GetPublicClientConfig", auth_pb2.PublicClientAuthConfigRequest())
        assert isinstance(answer, auth_pb2.PublicClientAuthConfigResponse)


def test_unknown_service_or_rpc_is_a_value_error_naming_it() -> None:
    backend = GrpcAdminBackend(Config.for_endpoint("localhost:1", insecure=True))
    with pytest.raises(ValueError, match="AdminSrv"):
        backend.call("AdminSrv", "GetTask", GET_TASK)
    with pytest.raises(ValueError, match="GetTsk"):
        backend.call("AdminService", "GetTsk", GET_TASK)


@pytest.mark.parametrize(
    ("code", "exception"),
    [
        (grpc.StatusCode.ALREADY_EXISTS, FlyteEntityAlreadyExistsException),
        (grpc.StatusCode.NOT_FOUND, FlyteEntityNotExistException),
        (grpc.StatusCode.INVALID_ARGUMENT, FlyteInvalidInputException),
        (grpc.StatusCode.PERMISSION_DENIED, FlyteAuthenticationException),
        (grpc.StatusCode.DEADLINE_EXCEEDED, FlyteTimeout),
        (grpc.StatusCode.FAILED_PRECONDITION, FlyteSystemException),
        (grpc.StatusCode.INTERNAL, FlyteSystemException),
        (grpc.StatusCode.UNKNOWN, FlyteSystemException),
    ],
)
def test_each_status_maps_to_its_exception_with_the_rpc_name_and_the_server_details(
    code: grpc.StatusCode, exception: type[Exception]
) -> None:
    with admin_server() as server, GrpcAdminBackend(server.config()) as backend:
        server.admin.fail("GetTask", code, "task flytesnacks/development/wf.t/v1 says no")
        with pytest.raises(exception) as caught:
            backend.call("AdminService", "GetTask", GET_TASK)
    message = str(caught.value)
    assert message.startswith("GetTask: ")
    assert "task flytesnacks/development/wf.t/v1 says no" in message
    assert caught.value.rpc == "GetTask"  # type: ignore[attr-defined]
    assert caught.value.code == code.name  # type: ignore[attr-defined]
    assert server.admin.calls["GetTask"] == 1, "only UNAVAILABLE is retried"


def test_invalid_argument_keeps_the_request() -> None:
    with admin_server() as server, GrpcAdminBackend(server.config()) as backend:
        server.admin.fail("GetTask", grpc.StatusCode.INVALID_ARGUMENT, "missing version")
        with pytest.raises(FlyteInvalidInputException) as caught:
            backend.call("AdminService", "GetTask", GET_TASK)
    assert caught.value.request == GET_TASK


def test_already_exists_is_sent_exactly_once() -> None:
    with admin_server() as server, GrpcAdminBackend(server.config(rpc_retries=3)) as backend:
        server.admin.fail("CreateTask", grpc.StatusCode.ALREADY_EXISTS, "task already exists with a different body")
        with pytest.raises(FlyteEntityAlreadyExistsException, match="^CreateTask: task already exists"):
            backend.call("AdminService", "CreateTask", task_pb2.TaskCreateRequest(id=TASK_ID))
        assert server.admin.calls["CreateTask"] == 1


def test_unavailable_is_retried_with_back_off_until_it_succeeds() -> None:
    with admin_server() as server, GrpcAdminBackend(server.config(rpc_retries=3)) as backend:
        server.admin.fail("GetTask", grpc.StatusCode.UNAVAILABLE, "overloaded", times=2)
        started = time.monotonic()
        task = backend.call("AdminService", "GetTask", GET_TASK)
        elapsed = time.monotonic() - started
    assert task.id == TASK_ID
    assert server.admin.calls["GetTask"] == 3
    assert elapsed >= 0.2 + 0.4, "back-off of 0.2 s then 0.4 s"


def test_unavailable_beyond_the_retries_is_raised_after_retries_plus_one_attempts() -> None:
    with admin_server() as server, GrpcAdminBackend(server.config(rpc_retries=1)) as backend:
        server.admin.fail("GetTask", grpc.StatusCode.UNAVAILABLE, "overloaded", times=5)
        with pytest.raises(FlyteSystemUnavailableException, match="after 2 attempts"):
            backend.call("AdminService", "GetTask", GET_TASK)
        assert server.admin.calls["GetTask"] == 2


def test_a_server_that_is_down_is_reported_with_the_endpoint_and_what_to_check() -> None:
    port = free_port()
    config = Config(platform=PlatformConfig(endpoint=f"127.0.0.1:{port}", insecure=True, rpc_retries=2))
    with GrpcAdminBackend(config) as backend, pytest.raises(FlyteSystemUnavailableException) as caught:
        backend.call("AdminService", "GetTask", GET_TASK, timeout=5)
    message = str(caught.value)
    assert message.startswith("GetTask: the Flyte admin at 127.0.0.1:")
    assert "after 3 attempts" in message
    assert "admin.endpoint" in message
    assert "pyflyte sandbox start" in message
    assert caught.value.code == "UNAVAILABLE"  # type: ignore[attr-defined]


def test_a_deadline_maps_to_flyte_timeout() -> None:
    with admin_server() as server, GrpcAdminBackend(server.config()) as backend:
        server.admin.delay = 0.5
        with pytest.raises(
            FlyteTimeout, match=r"^GetTask: no answer from the Flyte admin at 127.0.0.1:\d+ within 0.05 s"
        ):
            backend.call("AdminService", "GetTask", GET_TASK, timeout=0.05)


def test_messages_up_to_20_mib_are_received() -> None:
    with admin_server() as server, GrpcAdminBackend(server.config()) as backend:
        server.admin.version_build = "x" * (6 * 1024 * 1024)  # over gRPC's default 4 MiB receive limit
        answer = backend.call("AdminService", "GetVersion", version_pb2.GetVersionRequest())
        assert len(answer.control_plane_version.Build) == 6 * 1024 * 1024


def test_extra_grpc_options_are_applied_and_win_over_the_defaults() -> None:
    with admin_server() as server:
        options = {"grpc.primary_user_agent": "my-agent/1.0", "grpc.max_receive_message_length": 64}
        with closing(open_backend(server.config(), options=options, compression=grpc.Compression.Gzip)) as backend:
            server.admin.version_build = "x" * 1000
            with pytest.raises(FlyteSystemException) as caught:
                backend.call("AdminService", "GetVersion", version_pb2.GetVersionRequest())
            assert caught.value.code == "RESOURCE_EXHAUSTED"  # type: ignore[attr-defined]
            backend.call("AdminService", "GetTask", GET_TASK)
        assert server.admin.metadata[-1]["user-agent"].startswith("my-agent/1.0")


def test_a_call_after_close_is_refused() -> None:
    with admin_server() as server:
        backend = GrpcAdminBackend(server.config())
        backend.call("AdminService", "GetTask", GET_TASK)
        backend.close()
        with pytest.raises(RuntimeError, match="closed"):
            backend.call("AdminService", "GetTask", GET_TASK)


def test_no_auth_rpc_and_no_credentials_when_the_server_needs_none() -> None:
    with admin_server() as server, GrpcAdminBackend(server.config(auth_mode="Pkce")) as backend:
        for _ in range(3):
            backend.call("AdminService", "GetTask", GET_TASK)
        assert sum(server.auth.calls.values()) == 0
        assert all("authorization" not in metadata for metadata in server.admin.metadata)


# ----------------------------------------------------------------------------------------------
# TLS
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


def test_tls_with_the_custom_ca_file_works(certificate: tuple[bytes, bytes, Path]) -> None:
    key, cert, cert_path = certificate
    with admin_server(tls=(key, cert)) as server:
        config = server.config(insecure=False, ca_cert_file_path=str(cert_path))
        with GrpcAdminBackend(config) as backend:
            assert backend.secure
            assert backend.call("AdminService", "GetTask", GET_TASK).id == TASK_ID


def test_grpcs_scheme_uses_tls_even_when_insecure_is_set(certificate: tuple[bytes, bytes, Path]) -> None:
    key, cert, cert_path = certificate
    with admin_server(tls=(key, cert)) as server:
        platform = PlatformConfig(
            endpoint=f"grpcs://{server.endpoint}", insecure=True, ca_cert_file_path=str(cert_path)
        )
        with GrpcAdminBackend(Config(platform=platform)) as backend:
            assert backend.call("AdminService", "GetTask", GET_TASK).id == TASK_ID
            assert backend.base_url == f"https://{server.endpoint}"


def test_tls_without_the_ca_fails_at_once_with_what_to_configure(certificate: tuple[bytes, bytes, Path]) -> None:
    key, cert, _ = certificate
    with admin_server(tls=(key, cert)) as server, GrpcAdminBackend(server.config(insecure=False)) as backend:
        started = time.monotonic()
        with pytest.raises(FlyteSystemUnavailableException) as caught:
            backend.call("AdminService", "GetTask", GET_TASK, timeout=5)
        assert time.monotonic() - started < 1.5, "a failed handshake is not retried"
    message = str(caught.value)
    assert message.startswith(f"GetTask: the TLS handshake with the Flyte admin at {server.endpoint} failed")
    assert "admin.caCertFilePath" in message
    assert "admin.insecure" in message


def test_insecure_skip_verify_trusts_the_certificate_the_server_presents(
    certificate: tuple[bytes, bytes, Path],
) -> None:
    key, cert, _ = certificate
    with (
        admin_server(tls=(key, cert)) as server,
        GrpcAdminBackend(server.config(insecure=False, insecure_skip_verify=True)) as backend,
    ):
        assert backend.call("AdminService", "GetTask", GET_TASK).id == TASK_ID


def test_an_unreadable_ca_file_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    config = Config(platform=PlatformConfig(endpoint="127.0.0.1:1", ca_cert_file_path=str(missing)))
    with GrpcAdminBackend(config) as backend, pytest.raises(ConfigError) as caught:
        backend.call("AdminService", "GetTask", GET_TASK)
    assert str(missing) in str(caught.value)
    assert "admin.caCertFilePath" in str(caught.value)


# ----------------------------------------------------------------------------------------------
# Import cost
# ----------------------------------------------------------------------------------------------


def test_grpc_is_imported_only_when_the_first_call_is_made() -> None:
    code = (
        "import sys\n"
        "from flyte_core.config import Config\n"
        "from flyte_core.remote.backend import open_backend\n"
        "backend = open_backend(Config.for_endpoint('localhost:1', insecure=True))\n"
        "print('grpc' in sys.modules, any(m.endswith('_pb2_grpc') for m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE_")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.split() == ["False", "False"]

"""A real S3 API on loopback (moto's server), buckets in it, and an environment pointing flyte-core at it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("moto.server", reason="moto[server] is needed for the S3 tests (pip install -e '.[dev]')")
pytest.importorskip("flyte_plugin_s3", reason="pip install -e plugins/flyte_plugin_s3 to run these tests")

BIN = Path(sys.executable).parent
KEY_ID = "AKIAFLYTETEST"
SECRET = "flyte-test-secret-do-not-print"
REGION = "us-east-1"

# Variables that would point botocore or flyte-core elsewhere than the test server.
_FOREIGN = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "FLYTECTL_CONFIG",
    "_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE",
    "PYTHONPATH",
    "_F_P_WRITE_CHUNK_SIZE",
)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free loopback port, for the whole session: its URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{server._server.server_port}"
    finally:
        server.stop()


@pytest.fixture
def s3_env(s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """flyte-core pointed at the test server by ``FLYTE_AWS_*``, in this process and for subprocesses.

    HOME and the working directory are empty temporary directories, so no config file is found, and no
    AWS credentials of the machine running the tests are used. In this process, the context's file access
    is made afresh from these settings: the default one read the environment when the process first used
    it, as a task process does when it starts.
    """
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.chdir(tmp_path)
    values = {
        "FLYTE_AWS_ENDPOINT": s3_endpoint,
        "FLYTE_AWS_ACCESS_KEY_ID": KEY_ID,
        "FLYTE_AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": str(home / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "HOME": str(home),
    }
    for name in _FOREIGN:
        monkeypatch.delenv(name, raising=False)
    for name in [n for n in os.environ if n.startswith("FLYTE_AWS_")]:
        monkeypatch.delenv(name)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    from flyte_core.context import FlyteContextManager
    from flyte_core.data.file_access import FileAccessProvider

    ctx = FlyteContextManager.current_context()
    provider = FileAccessProvider(local_sandbox_dir=str(tmp_path / "sandbox"), raw_output_prefix=str(tmp_path / "raw"))
    with FlyteContextManager.with_context(ctx.with_file_access(provider)):
        yield dict(os.environ)


def s3_client(endpoint: str) -> Any:
    """A boto3 client of the test server (any credentials do while it does not check them)."""
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET, region_name=REGION
    )


@pytest.fixture
def bucket(s3_endpoint: str) -> str:
    """A new, empty bucket on the test server."""
    name = f"flyte-test-{uuid.uuid4().hex[:12]}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture
def checked_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the test server check credentials (moto accepts any by default): every key is then unknown."""
    from moto import settings

    monkeypatch.setattr(settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)


def pyflyte(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed ``pyflyte`` run with ``args``."""
    return subprocess.run([str(BIN / "pyflyte"), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)

"""The sandbox with its blobs on S3 (`pyflyte sandbox start --blob-store s3://bucket/prefix`, moto's server)."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from flyte_core.configuration import Config
from flyte_core.remote import FlyteRemote
from flyte_core.sandbox import lifecycle
from tests.plugins.s3.conftest import KEY_ID, SECRET, pyflyte, s3_client
from tests.plugins.s3.test_workflows import _keys, _write_app

pytestmark = pytest.mark.slow


@pytest.fixture
def s3_sandbox(
    s3_env: dict[str, str], bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[lifecycle.RunningSandbox]:
    """A sandbox on free ports whose blob store is ``s3://<bucket>/sandbox``, the S3 settings in the user's config
    file only: its tasks (whose FLYTECTL_CONFIG is the sandbox's) reach S3 through the sandbox's config."""
    user_config = tmp_path / "user-config.yaml"
    user_config.write_text(
        f"storage:\n  connection:\n    endpoint: {s3_env['FLYTE_AWS_ENDPOINT']}\n"
        f"    access-key: {KEY_ID}\n    secret-key: {SECRET}\n"
    )
    for name in [n for n in os.environ if n.startswith("FLYTE_AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("FLYTECTL_CONFIG", str(user_config))
    directory = tmp_path / "state"
    args = ["--port", "0", "--http-port", "0", "--max-parallel", "2", "--blob-store", f"s3://{bucket}/sandbox"]
    running = lifecycle.start_in_background(args, directory)
    yield running
    lifecycle.stop(directory)


def _client_env(s3_env: dict[str, str], running: lifecycle.RunningSandbox) -> dict[str, str]:
    """A client that knows the sandbox and S3 only from the sandbox's config file."""
    env = {k: v for k, v in s3_env.items() if not k.startswith("FLYTE_AWS_")}
    return {**env, "FLYTECTL_CONFIG": str(running.config_path)}


def test_executions_keep_inputs_outputs_uploads_and_raw_data_in_the_bucket(
    s3_env: dict[str, str], s3_sandbox: lifecycle.RunningSandbox, bucket: str, tmp_path: Path
) -> None:
    _write_app(tmp_path)
    env = _client_env(s3_env, s3_sandbox)
    result = pyflyte("run", "--remote", "--wait", "app/flows.py", "outputs", "--text", "hi", "--n", "4", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCEEDED" in result.stderr and "o1=6" in result.stdout
    keys = _keys(s3_env["FLYTE_AWS_ENDPOINT"], bucket, "sandbox/")
    (streamed,) = [k for k in keys if k.startswith("sandbox/raw/") and k.endswith("/streamed.txt")]
    assert any(k.startswith("sandbox/uploads/") and k.endswith(".tar.gz") for k in keys), keys
    assert any(k.startswith("sandbox/metadata/") and k.endswith("/inputs.pb") for k in keys), keys
    assert any(k.startswith("sandbox/metadata/") and k.endswith("/outputs.pb") for k in keys), keys
    assert not (Path(s3_sandbox.state_dir) / "blobs").exists()
    body = s3_client(s3_env["FLYTE_AWS_ENDPOINT"]).get_object(Bucket=bucket, Key=streamed)["Body"].read()
    assert body == b"hi"


def test_a_flyte_file_input_uploaded_by_the_client_is_read_by_the_task(
    s3_env: dict[str, str], s3_sandbox: lifecycle.RunningSandbox, bucket: str, tmp_path: Path
) -> None:
    _write_app(tmp_path)
    note = tmp_path / "note.txt"
    note.write_text("from the client")
    env = _client_env(s3_env, s3_sandbox)
    result = pyflyte("run", "--remote", "--wait", "app/flows.py", "shout", "--f", str(note), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FROM THE CLIENT" in result.stdout


def test_the_client_config_carries_the_s3_settings_for_tasks_and_clients_and_only_its_owner_reads_it(
    s3_env: dict[str, str], s3_sandbox: lifecycle.RunningSandbox
) -> None:
    config = s3_sandbox.config_path
    text = config.read_text()
    assert f'endpoint: "{s3_env["FLYTE_AWS_ENDPOINT"]}"' in text
    assert f'access-key: "{KEY_ID}"' in text and f'secret-key: "{SECRET}"' in text
    assert stat.S_IMODE(os.stat(config).st_mode) == 0o600


def test_status_names_the_blob_store(s3_env: dict[str, str], s3_sandbox: lifecycle.RunningSandbox, bucket: str) -> None:
    result = pyflyte("sandbox", "status", "--state-dir", s3_sandbox.state_dir, env=s3_env)
    assert result.returncode == 0, result.stderr
    assert f"blobs      s3://{bucket}/sandbox" in result.stdout


def test_a_missing_bucket_stops_the_start_with_the_url_and_the_reason(s3_env: dict[str, str], tmp_path: Path) -> None:
    state = tmp_path / "state"
    result = pyflyte(
        "sandbox",
        "start",
        "--state-dir",
        str(state),
        "--port",
        "0",
        "--http-port",
        "0",
        "--blob-store",
        "s3://no-such-bucket-here/x",
        env=s3_env,
    )
    assert result.returncode != 0
    assert "--blob-store s3://no-such-bucket-here/x" in result.stderr
    assert "no-such-bucket-here" in result.stderr and "Traceback" not in result.stderr
    assert lifecycle.find_running(state) is None


def test_without_the_s3_plugin_the_start_says_what_to_install(
    s3_env: dict[str, str], bucket: str, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    env = {**s3_env, "FLYTE_DISABLE_PLUGINS": "s3"}
    result = pyflyte(
        "sandbox", "start", "--state-dir", str(state), "--port", "0", "--http-port", "0",
        "--blob-store", f"s3://{bucket}/x", env=env,
    )  # fmt: skip
    assert result.returncode != 0
    assert "pip install flyte-plugin-s3" in result.stderr
    assert lifecycle.find_running(state) is None


FLYTEKIT_FLOWS = """
from flytekit import task, workflow
from flytekit.types.file import FlyteFile


@task
def write(text: str) -> FlyteFile:
    with open("note.txt", "w") as f:
        f.write(text)
    return FlyteFile("note.txt")


@task
def read(f: FlyteFile) -> str:
    with open(f) as fh:
        return fh.read().upper()


@workflow
def wf(text: str) -> str:
    return read(f=write(text=text))
"""


def test_an_unmodified_flytekit_client_and_its_tasks_use_the_bucket_too(
    s3_env: dict[str, str], bucket: str, tmp_path: Path
) -> None:
    from tests.e2e.conftest import FLYTEKIT_IMAGE, FLYTEKIT_VENV

    if not (FLYTEKIT_VENV / "bin" / "pyflyte").exists():
        pytest.skip(f"the reference flytekit venv is not installed at {FLYTEKIT_VENV} (make test installs it)")
    directory = tmp_path / "state"
    args = ["--port", "0", "--http-port", "0", "--blob-store", f"s3://{bucket}/fk"]
    running = lifecycle.start_in_background([*args, "--image-env", f"{FLYTEKIT_IMAGE}={FLYTEKIT_VENV}"], directory)
    try:
        (tmp_path / "flows.py").write_text(FLYTEKIT_FLOWS)
        env = _client_env(s3_env, running)
        command = ["run", "--remote", "--wait", "--image", FLYTEKIT_IMAGE, "flows.py", "wf", "--text", "flytekit"]
        result = subprocess.run(
            [str(FLYTEKIT_VENV / "bin" / "pyflyte"), *command],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        remote = FlyteRemote(Config.auto(str(running.config_path)), "flytesnacks", "development")
        (execution,) = remote.recent_executions(limit=1)
        assert remote.wait(execution, timeout=60).outputs["o0"] == "FLYTEKIT"
        keys = _keys(s3_env["FLYTE_AWS_ENDPOINT"], bucket, "fk/")
        assert any(k.startswith("fk/raw/") and k.endswith("/note.txt") for k in keys), keys
        assert any(k.startswith("fk/uploads/") for k in keys), keys
    finally:
        lifecycle.stop(directory)

"""``pyflyte s3 check`` / ``ls`` and ``pyflyte plugins``, through the installed CLI against moto's S3 server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.plugins.s3.conftest import KEY_ID, SECRET, pyflyte, s3_client


def test_plugins_json_lists_the_s3_plugin(s3_env: dict[str, str]) -> None:
    result = pyflyte("plugins", "--json", env=s3_env)
    assert result.returncode == 0, result.stderr
    (plugin,) = [p for p in json.loads(result.stdout) if p["distribution"] == "flyte-plugin-s3"]
    assert plugin["status"] == "active"
    assert {"file_access_providers", "subcommands"} <= set(plugin["hooks"])


def test_check_shows_each_settings_source_and_round_trips_the_prefix(s3_env: dict[str, str], bucket: str) -> None:
    result = pyflyte("s3", "check", f"s3://{bucket}/checks", env=s3_env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"endpoint           {s3_env['FLYTE_AWS_ENDPOINT']}  (env FLYTE_AWS_ENDPOINT)" in out
    assert f"access_key_id      {KEY_ID}  (env FLYTE_AWS_ACCESS_KEY_ID)" in out
    assert "(env FLYTE_AWS_SECRET_ACCESS_KEY)" in out
    assert "retries            3  (default)" in out
    assert SECRET not in out + result.stderr
    for step in ("list", "put", "get", "delete"):
        assert f"ok: {step} s3://{bucket}/checks" in out
    assert f"ok: s3://{bucket}/checks is readable and writable" in out


def test_check_reads_the_flytectl_yaml_given_with_c(s3_env: dict[str, str], bucket: str, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    endpoint = s3_env["FLYTE_AWS_ENDPOINT"]
    config.write_text(
        f"storage:\n  connection:\n    endpoint: {endpoint}\n    access-key: yaml-key\n"
        "    secret-key: yaml-secret-value\n"
        "    region: us-east-1\n    auth-type: accesskey\n"
    )
    env = {k: v for k, v in s3_env.items() if not k.startswith("FLYTE_AWS_")}
    result = pyflyte("-c", str(config), "s3", "check", f"s3://{bucket}", env=env)
    assert result.returncode == 0, result.stderr
    assert f"access_key_id      yaml-key  (config file {config}: storage.connection.access-key)" in result.stdout
    assert f"region             us-east-1  (config file {config}: storage.connection.region)" in result.stdout
    assert "yaml-secret-value" not in result.stdout


def test_check_without_prefix_lists_the_buckets(s3_env: dict[str, str], bucket: str) -> None:
    result = pyflyte("s3", "check", env=s3_env)
    assert result.returncode == 0, result.stderr
    assert f"ok: list buckets at S3 endpoint {s3_env['FLYTE_AWS_ENDPOINT']}" in result.stdout


def test_check_names_a_missing_bucket_in_one_line(s3_env: dict[str, str]) -> None:
    result = pyflyte("s3", "check", "s3://no-such-bucket-anywhere/x", env=s3_env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: list s3://no-such-bucket-anywhere/x: failed: bucket 'no-such-bucket-anywhere' does not exist "
        f"at S3 endpoint {s3_env['FLYTE_AWS_ENDPOINT']}"
    ]


def test_check_with_rejected_credentials_names_endpoint_and_key_id_not_the_secret(
    s3_env: dict[str, str], bucket: str, checked_credentials: None
) -> None:
    result = pyflyte("s3", "check", f"s3://{bucket}/x", env=s3_env)
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()  # one line, no traceback
    assert line.startswith(f"Error: list s3://{bucket}/x: failed: S3 endpoint {s3_env['FLYTE_AWS_ENDPOINT']} refused")
    assert f"access key id '{KEY_ID}'" in line
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize("verbose", [True, False])
def test_a_traceback_only_with_verbose(s3_env: dict[str, str], verbose: bool) -> None:
    args = ("-v",) if verbose else ()
    result = pyflyte(*args, "s3", "check", "s3://no-such-bucket-anywhere/x", env=s3_env)
    assert result.returncode == 1
    assert ("Traceback" in result.stderr) is verbose


def test_ls_lists_objects_and_directories(s3_env: dict[str, str], bucket: str) -> None:
    client = s3_client(s3_env["FLYTE_AWS_ENDPOINT"])
    client.put_object(Bucket=bucket, Key="data/a.txt", Body=b"abc")
    client.put_object(Bucket=bucket, Key="data/sub/b.txt", Body=b"hello")
    shallow = pyflyte("s3", "ls", f"s3://{bucket}/data", env=s3_env)
    assert shallow.returncode == 0, shallow.stderr
    assert shallow.stdout.splitlines() == [
        f"           3  s3://{bucket}/data/a.txt",
        f"         DIR  s3://{bucket}/data/sub/",
    ]
    deep = pyflyte("s3", "ls", "-r", f"s3://{bucket}/data", env=s3_env)
    assert deep.stdout.splitlines() == [
        f"           3  s3://{bucket}/data/a.txt",
        f"           5  s3://{bucket}/data/sub/b.txt",
    ]


def test_ls_of_nothing_says_so(s3_env: dict[str, str], bucket: str) -> None:
    result = pyflyte("s3", "ls", f"s3://{bucket}/nothing", env=s3_env)
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: list s3://{bucket}/nothing: failed: nothing at s3://{bucket}/nothing"


def test_without_flyte_keys_the_aws_credential_chain_is_used_and_shown(s3_env: dict[str, str], bucket: str) -> None:
    env = {k: v for k, v in s3_env.items() if k not in ("FLYTE_AWS_ACCESS_KEY_ID", "FLYTE_AWS_SECRET_ACCESS_KEY")}
    env.update(AWS_ACCESS_KEY_ID="AKIAFROMCHAIN", AWS_SECRET_ACCESS_KEY="chain-secret-value")
    result = pyflyte("s3", "check", f"s3://{bucket}/chain", env=env)
    assert result.returncode == 0, result.stderr
    assert "access_key_id      (not set)  (default)" in result.stdout
    assert "credentials        access key id AKIAFROMCHAIN  (AWS credential chain: env)" in result.stdout
    assert "chain-secret-value" not in result.stdout
    assert f"ok: s3://{bucket}/chain is readable and writable" in result.stdout


def test_rejected_chain_credentials_name_the_chain_key_id(
    s3_env: dict[str, str], bucket: str, checked_credentials: None
) -> None:
    env = {k: v for k, v in s3_env.items() if k not in ("FLYTE_AWS_ACCESS_KEY_ID", "FLYTE_AWS_SECRET_ACCESS_KEY")}
    env.update(AWS_ACCESS_KEY_ID="AKIAFROMCHAIN", AWS_SECRET_ACCESS_KEY="chain-secret-value")
    result = pyflyte("s3", "check", f"s3://{bucket}/chain", env=env)
    assert result.returncode == 1
    assert "access key id from the AWS credential chain ('AKIAFROMCHAIN')" in result.stderr
    assert "chain-secret-value" not in result.stderr

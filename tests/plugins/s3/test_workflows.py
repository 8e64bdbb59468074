"""Workflows and container entrypoints with their data on s3:// (moto's S3 server): `pyflyte run`, `pyflyte-execute`."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

from flyteidl.core import literals_pb2

from tests.core.bin.conftest import to_literal_map
from tests.plugins.s3.conftest import BIN, pyflyte, s3_client

WORKFLOW = """
    import os

    import pandas as pd

    from flyte_core import FlyteFile, StructuredDataset, current_context, task, workflow


    @task
    def write(text: str) -> FlyteFile:
        path = os.path.join(current_context().working_directory, "note.txt")
        with open(path, "w") as f:
            f.write(text)
        return FlyteFile(path)


    @task
    def stream(text: str) -> FlyteFile:
        out = FlyteFile.new_remote_file("streamed.txt")
        with out.open("w") as f:
            f.write(text)
        return out


    @task
    def table(n: int) -> StructuredDataset:
        return StructuredDataset(dataframe=pd.DataFrame({"x": list(range(n))}))


    @task
    def total(t: StructuredDataset) -> int:
        return int(t.open(pd.DataFrame).all()["x"].sum())


    @task
    def read(f: FlyteFile) -> str:
        with open(f) as fh:
            return fh.read().upper()


    @workflow
    def wf(text: str) -> FlyteFile:
        return write(text=text)


    @workflow
    def outputs(text: str, n: int) -> tuple[FlyteFile, int]:
        return stream(text=text), total(t=table(n=n))


    @workflow
    def shout(f: FlyteFile) -> str:
        return read(f=f)
"""


def _write_app(root: Path) -> None:
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "flows.py").write_text(textwrap.dedent(WORKFLOW))


def _keys(endpoint: str, bucket: str, prefix: str) -> list[str]:
    listed = s3_client(endpoint).list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [item["Key"] for item in listed.get("Contents", [])]


def test_pyflyte_run_writes_raw_outputs_under_an_s3_raw_output_prefix(
    s3_env: dict[str, str], bucket: str, tmp_path: Path
) -> None:
    _write_app(tmp_path)
    endpoint = s3_env["FLYTE_AWS_ENDPOINT"]
    raw = f"s3://{bucket}/runs"
    args = ("run", "--raw-output-data-prefix", raw, "app/flows.py", "outputs", "--text", "hi", "--n", "4")
    result = pyflyte(*args, env=s3_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("streamed.txt, o1=6)")  # 0+1+2+3, read back from the bucket's parquet
    keys = _keys(endpoint, bucket, "runs/")
    by_name = {key.rsplit("/", 1)[1]: key for key in keys}
    client = s3_client(endpoint)
    assert client.get_object(Bucket=bucket, Key=by_name["streamed.txt"])["Body"].read() == b"hi"
    assert len(keys) == 2, keys  # the streamed file and the dataframe's parquet file


def test_a_local_run_leaves_a_returned_local_flyte_file_where_it_is(
    s3_env: dict[str, str], bucket: str, tmp_path: Path
) -> None:
    """As in flytekit 1.16: a local run does not upload a FlyteFile of a local path, even with an s3 prefix."""
    _write_app(tmp_path)
    raw = f"s3://{bucket}/runs"
    result = pyflyte(
        "run", "--raw-output-data-prefix", raw, "app/flows.py", "wf", "--text", "hi", env=s3_env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("note.txt")
    assert _keys(s3_env["FLYTE_AWS_ENDPOINT"], bucket, "runs/") == []


def test_pyflyte_run_reads_an_s3_flyte_file_input(s3_env: dict[str, str], bucket: str, tmp_path: Path) -> None:
    _write_app(tmp_path)
    s3_client(s3_env["FLYTE_AWS_ENDPOINT"]).put_object(Bucket=bucket, Key="in/words.txt", Body=b"quiet words")
    result = pyflyte("run", "app/flows.py", "shout", "--f", f"s3://{bucket}/in/words.txt", env=s3_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "QUIET WORDS" in result.stdout


def test_pyflyte_execute_reads_inputs_and_writes_outputs_on_s3(
    s3_env: dict[str, str], bucket: str, tmp_path: Path
) -> None:
    _write_app(tmp_path)
    endpoint = s3_env["FLYTE_AWS_ENDPOINT"]
    client = s3_client(endpoint)
    client.put_object(
        Bucket=bucket, Key="exec/inputs.pb", Body=to_literal_map({"text": ("hello", str)}).SerializeToString()
    )
    result = subprocess.run(
        [
            str(BIN / "pyflyte-execute"),
            "--inputs",
            f"s3://{bucket}/exec/inputs.pb",
            "--output-prefix",
            f"s3://{bucket}/exec/out",
            "--raw-output-data-prefix",
            f"s3://{bucket}/exec/raw",
            "--checkpoint-path",
            "{{.checkpointOutputPrefix}}",
            "--prev-checkpoint",
            "{{.prevCheckpointPrefix}}",
            "--resolver",
            "flytekit.core.python_auto_container.default_task_resolver",
            "--",
            "task-module",
            "app.flows",
            "task-name",
            "write",
        ],
        cwd=tmp_path,
        env=s3_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    outputs = literals_pb2.LiteralMap.FromString(
        client.get_object(Bucket=bucket, Key="exec/out/outputs.pb")["Body"].read()
    )
    uri = outputs.literals["o0"].scalar.blob.uri
    assert uri.startswith(f"s3://{bucket}/exec/raw/")
    assert client.get_object(Bucket=bucket, Key=uri.removeprefix(f"s3://{bucket}/"))["Body"].read() == b"hello"

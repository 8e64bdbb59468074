"""FileAccessProvider, FlyteFile and FlyteDirectory on s3:// URIs, against a real S3 API (moto's server)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from flyte_plugin_s3.filesystem import FlyteS3FileSystem

from flyte_core import FlyteDirectory, FlyteFile, task, workflow
from flyte_core.config.data import DataConfig
from flyte_core.context import FlyteContextManager
from flyte_core.data.file_access import FileAccessProvider
from flyte_core.exceptions.system import FlyteDownloadDataException, FlyteUploadDataException
from tests.plugins.s3.conftest import KEY_ID, SECRET, s3_client


def _provider(tmp_path: Path, raw: str) -> FileAccessProvider:
    return FileAccessProvider(tmp_path / "sandbox", raw, data_config=DataConfig.auto())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(2**20):
            digest.update(chunk)
    return digest.hexdigest()


def test_s3_and_s3a_uris_are_served_by_the_plugin(s3_env: dict[str, str], tmp_path: Path, bucket: str) -> None:
    provider = _provider(tmp_path, f"s3://{bucket}/raw")
    assert isinstance(provider.raw_output_fs, FlyteS3FileSystem)
    assert isinstance(provider.get_filesystem_for_path(f"s3a://{bucket}/x"), FlyteS3FileSystem)
    assert provider.raw_output_prefix == f"s3://{bucket}/raw/"


def test_raw_data_lands_in_the_bucket(s3_env: dict[str, str], s3_endpoint: str, tmp_path: Path, bucket: str) -> None:
    written = _provider(tmp_path, f"s3://{bucket}/raw").put_raw_data(b"hello s3", upload_prefix="p", file_name="f")
    assert written == f"s3://{bucket}/raw/p/f"
    body = s3_client(s3_endpoint).get_object(Bucket=bucket, Key="raw/p/f")["Body"].read()
    assert body == b"hello s3"


def test_a_50_mb_file_round_trips_in_multipart_parts(
    s3_env: dict[str, str], s3_endpoint: str, tmp_path: Path, bucket: str
) -> None:
    source = tmp_path / "big.bin"
    with open(source, "wb") as f:
        for _ in range(50):
            f.write(os.urandom(2**20))
    provider = _provider(tmp_path, f"s3://{bucket}/raw")
    provider.put_data(str(source), f"s3://{bucket}/big/big.bin")
    head = s3_client(s3_endpoint).head_object(Bucket=bucket, Key="big/big.bin")
    assert head["ContentLength"] == 50 * 2**20
    assert head["ETag"].strip('"').endswith("-2")  # two 25 MiB parts: flytekit's part size
    target = tmp_path / "back" / "big.bin"
    provider.get_data(f"s3://{bucket}/big/big.bin", str(target))
    assert _sha256(target) == _sha256(source)


def test_a_directory_of_200_files_round_trips_as_a_flyte_directory(
    s3_env: dict[str, str], tmp_path: Path, bucket: str
) -> None:
    source = tmp_path / "many"
    (source / "sub").mkdir(parents=True)
    for i in range(200):
        (source / ("sub" if i % 2 else "") / f"f{i:03}.txt").write_text(f"file {i}\n")
    raw = f"s3://{bucket}/raw"

    @task
    def publish(d: FlyteDirectory) -> FlyteDirectory:
        return d

    @task
    def count(d: FlyteDirectory) -> int:
        local = Path(d.download())
        return sum(1 for p in local.rglob("*.txt") if p.read_text().startswith("file "))

    @workflow
    def wf(d: FlyteDirectory) -> int:
        return count(d=publish(d=d))

    with FlyteContextManager.with_context(
        FlyteContextManager.current_context().with_file_access(_provider(tmp_path, raw))
    ):
        remote = FlyteDirectory(str(source), remote_directory=f"{raw}/many")
        assert wf(d=remote) == 200
    listed = _provider(tmp_path, raw).get_filesystem("s3").find(f"{bucket}/raw/many")
    assert len(listed) == 200


def test_an_s3_flyte_file_input_is_read_by_a_local_task(
    s3_env: dict[str, str], s3_endpoint: str, tmp_path: Path, bucket: str
) -> None:
    s3_client(s3_endpoint).put_object(Bucket=bucket, Key="in/greeting.txt", Body=b"hi from s3")

    @task
    def read(f: FlyteFile) -> str:
        with open(f) as fh:
            return fh.read()

    assert read(f=FlyteFile(f"s3://{bucket}/in/greeting.txt")) == "hi from s3"


def test_a_missing_bucket_is_named_in_the_error(s3_env: dict[str, str], tmp_path: Path, bucket: str) -> None:
    source = tmp_path / "a.txt"
    source.write_text("a")
    with pytest.raises(FlyteUploadDataException, match="bucket 'no-such-bucket-here' does not exist at S3 endpoint"):
        _provider(tmp_path, f"s3://{bucket}/raw").put_data(str(source), "s3://no-such-bucket-here/a.txt")


def test_rejected_credentials_name_the_endpoint_and_key_id_not_the_secret(
    s3_env: dict[str, str], s3_endpoint: str, tmp_path: Path, bucket: str, checked_credentials: None
) -> None:
    with pytest.raises(FlyteDownloadDataException) as caught:
        _provider(tmp_path, f"s3://{bucket}/raw").get_data(f"s3://{bucket}/a.txt", str(tmp_path / "a.txt"))
    message = str(caught.value)
    assert f"S3 endpoint {s3_endpoint} refused" in message
    assert f"access key id '{KEY_ID}'" in message
    assert SECRET not in message

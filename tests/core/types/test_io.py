"""``typing.TextIO`` / ``typing.BinaryIO``: file objects as single-file blobs."""

from __future__ import annotations

import io
import typing

from flyte_core import task, workflow
from flyte_core.types.type_engine import TypeEngine


def test_text_and_binary_files_have_flytekits_blob_formats() -> None:
    assert TypeEngine.to_literal_type(typing.TextIO).blob.format == "text/plain"
    assert TypeEngine.to_literal_type(typing.BinaryIO).blob.format == "application/octet-stream"


def test_a_binary_stream_round_trips(round_trip) -> None:
    _, _, back = round_trip(io.BytesIO(b"\x00\x01data"), typing.BinaryIO)
    with back:
        assert back.read() == b"\x00\x01data"


@task
def write_text(s: str) -> typing.TextIO:
    return io.StringIO(s * 2)


@task
def read_text(f: typing.TextIO) -> str:
    with f:
        return f.read()


@workflow
def text_wf(s: str) -> str:
    return read_text(f=write_text(s=s))


def test_a_text_file_flows_between_tasks() -> None:
    assert text_wf(s="ab") == "abab"

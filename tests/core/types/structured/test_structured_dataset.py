"""StructuredDataset with real pandas and pyarrow: parquet/csv round trips, column subsetting, task runs."""

from __future__ import annotations

import os
import typing
from pathlib import Path
from typing import Annotated

import fsspec
import pandas as pd
import pyarrow as pa
import pytest
from flyteidl.core import literals_pb2

from flyte_core import kwtypes, task, workflow
from flyte_core.context import FlyteContextManager
from flyte_core.types.structured import CSV, PARQUET, StructuredDataset, StructuredDatasetTransformerEngine
from flyte_core.types.type_engine import TypeEngine, TypeTransformerFailedError
from tests.core.types.files.conftest import TaskExecution

DF = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
COLS = kwtypes(a=int, b=str)


def _to_literal(value: typing.Any, python_type: typing.Any) -> literals_pb2.Literal:
    return TypeEngine.to_literal(None, value, python_type, TypeEngine.to_literal_type(python_type))


def _same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True), check_dtype=False)


def test_a_pandas_dataframe_is_written_as_parquet_under_the_raw_output_prefix() -> None:
    literal = _to_literal(DF, pd.DataFrame)
    sd = literal.scalar.structured_dataset
    raw = FlyteContextManager.current_context().file_access.raw_output_prefix
    assert sd.uri.startswith(raw) and os.listdir(sd.uri) == ["00000"]
    assert sd.metadata.structured_dataset_type.format == PARQUET
    _same(pd.read_parquet(sd.uri), DF)


def test_a_pandas_dataframe_reads_back_equal() -> None:
    _same(TypeEngine.to_python_value(None, _to_literal(DF, pd.DataFrame), pd.DataFrame), DF)


def test_an_arrow_table_round_trips_as_parquet() -> None:
    table = pa.table({"a": [1, 2], "c": [0.5, 1.5]})
    literal = _to_literal(table, pa.Table)
    assert os.listdir(literal.scalar.structured_dataset.uri) == ["00000"]
    assert TypeEngine.to_python_value(None, literal, pa.Table).equals(table)


def test_an_arrow_table_is_readable_as_pandas_and_back() -> None:
    literal = _to_literal(pa.Table.from_pandas(DF, preserve_index=False), pa.Table)
    _same(TypeEngine.to_python_value(None, literal, pd.DataFrame), DF)


def test_a_csv_annotated_dataset_is_written_as_dot_csv() -> None:
    literal = _to_literal(StructuredDataset(dataframe=DF), Annotated[StructuredDataset, CSV])
    sd = literal.scalar.structured_dataset
    assert os.listdir(sd.uri) == [".csv"] and sd.metadata.structured_dataset_type.format == CSV
    _same(TypeEngine.to_python_value(None, literal, pd.DataFrame), DF)


def test_declared_columns_are_the_only_ones_read() -> None:
    literal = _to_literal(DF, Annotated[pd.DataFrame, COLS])
    only_b = kwtypes(b=str)
    assert list(TypeEngine.to_python_value(None, literal, Annotated[pd.DataFrame, only_b]).columns) == ["b"]
    assert TypeEngine.to_python_value(None, literal, Annotated[pa.Table, only_b]).column_names == ["b"]
    sd = TypeEngine.to_python_value(None, literal, Annotated[StructuredDataset, only_b])
    assert list(sd.open(pd.DataFrame).all().columns) == ["b"]


def test_columns_subset_a_csv_dataset_too() -> None:
    literal = _to_literal(StructuredDataset(dataframe=DF), Annotated[StructuredDataset, CSV])
    read = TypeEngine.to_python_value(None, literal, Annotated[pd.DataFrame, kwtypes(a=int)])
    assert list(read.columns) == ["a"]


def test_a_received_dataset_knows_its_uri_and_format() -> None:
    literal = _to_literal(DF, pd.DataFrame)
    sd = TypeEngine.to_python_value(None, literal, StructuredDataset)
    assert sd.uri == literal.scalar.structured_dataset.uri and sd.file_format == PARQUET and sd.dataframe is None


def test_iter_yields_the_whole_frame_when_the_decoder_reads_it_whole() -> None:
    sd = TypeEngine.to_python_value(None, _to_literal(DF, pd.DataFrame), StructuredDataset)
    chunks = list(sd.open(pd.DataFrame).iter())
    assert len(chunks) == 1
    _same(chunks[0], DF)


def test_all_without_open_says_to_call_open() -> None:
    with pytest.raises(ValueError, match=r"Use open\(\)"):
        StructuredDataset(uri="/x").all()


def test_a_dataset_named_by_a_local_uri_is_read_in_place(tmp_path: Path) -> None:
    DF.to_parquet(tmp_path / "00000")
    sd = StructuredDataset(uri=str(tmp_path), file_format="parquet")
    _same(sd.open(pd.DataFrame).all(), DF)
    assert sd.literal is None  # nothing was copied to read it


def test_a_wrapped_dataframe_opens_as_itself_and_as_another_type() -> None:
    sd = StructuredDataset(dataframe=DF)
    assert sd.open(pd.DataFrame).all() is DF
    assert sd.open(pa.Table).all().column_names == ["a", "b"]


def test_dataframes_flow_between_tasks_with_column_subsetting() -> None:
    @task
    def make() -> Annotated[pd.DataFrame, COLS]:
        return DF

    @task
    def total(df: Annotated[pd.DataFrame, kwtypes(a=int)]) -> int:
        assert list(df.columns) == ["a"]
        return int(df["a"].sum())

    @workflow
    def wf() -> int:
        return total(df=make())

    assert wf() == 6


def test_a_structured_dataset_passes_through_a_task_unchanged() -> None:
    @task
    def passthrough(sd: StructuredDataset) -> StructuredDataset:
        return sd

    out = passthrough(sd=StructuredDataset(dataframe=DF))
    assert out.file_format == PARQUET
    _same(out.open(pd.DataFrame).all(), DF)


def test_a_bare_dataframe_for_a_dataset_input_names_the_task_and_input() -> None:
    @task
    def takes(sd: StructuredDataset) -> int:
        return 0

    with pytest.raises(
        TypeTransformerFailedError,
        match=r"(?s)takes':\n  Failed argument 'sd'.*but got a DataFrame.*wrap your dataframe in a StructuredDataset",
    ):
        takes(sd=DF)


def test_task_execution_writes_dataframes_to_the_remote_raw_output_prefix(
    task_execution: TaskExecution, memory_prefix: str
) -> None:
    @task
    def make() -> pd.DataFrame:
        return DF

    @task
    def count(df: pd.DataFrame) -> int:
        return len(df)

    with task_execution() as ctx:
        literal = make.dispatch_execute(ctx, literals_pb2.LiteralMap()).literals["o0"]
        uri = literal.scalar.structured_dataset.uri
        assert uri.startswith(memory_prefix + "/")
        assert fsspec.filesystem("memory").ls(uri, detail=False) == [f"{uri.removeprefix('memory:/')}/00000"]
        counted = count.dispatch_execute(ctx, literals_pb2.LiteralMap(literals={"df": literal}))
    assert counted.literals["o0"].scalar.primitive.integer == 3


def test_task_execution_uploads_a_dataset_given_by_a_local_uri(
    task_execution: TaskExecution, tmp_path: Path, memory_prefix: str
) -> None:
    DF.to_parquet(tmp_path / "00000")

    @task
    def make() -> StructuredDataset:
        return StructuredDataset(uri=str(tmp_path), file_format="parquet")

    with task_execution() as ctx:
        literal = make.dispatch_execute(ctx, literals_pb2.LiteralMap()).literals["o0"]
        uri = literal.scalar.structured_dataset.uri
        assert uri.startswith(memory_prefix + "/")
        _same(TypeEngine.to_python_value(ctx, literal, pd.DataFrame), DF)


def test_serialize_hook_gives_flytekits_uri_and_format_dict() -> None:
    sd = StructuredDataset(uri="s3://bucket/sd", file_format="parquet")
    assert sd._serialize() == {"uri": "s3://bucket/sd", "file_format": "parquet"}
    back = StructuredDataset._deserialize({"uri": "s3://bucket/sd", "file_format": "parquet"})
    assert back.literal.uri == "s3://bucket/sd" and back.file_format == "parquet"


def test_a_missing_handler_names_the_type_protocol_and_format() -> None:
    class Frame:
        pass

    with pytest.raises(ValueError, match=r"no StructuredDataset encoder .*Frame as 'feather' over 'file'.*register"):
        StructuredDatasetTransformerEngine.get_encoder(Frame, "file", "feather")


def test_an_unsupported_column_type_is_an_error_naming_it() -> None:
    with pytest.raises(AssertionError, match="is currently not supported by StructuredDataset"):
        TypeEngine.to_literal_type(Annotated[StructuredDataset, kwtypes(a=complex)])

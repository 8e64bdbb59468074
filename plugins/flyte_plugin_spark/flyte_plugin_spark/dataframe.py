"""Spark DataFrames as StructuredDatasets: written and read as parquet, as flytekitplugins-spark does.

A task returning a ``pyspark.sql.DataFrame`` writes it with Spark (``df.write.parquet``) to a fresh directory
under the raw output prefix (no ``_SUCCESS`` marker); a task taking one reads the directory with its
SparkSession, only the columns it declares. The data is plain parquet, so a pandas or pyarrow task reads what a
Spark task wrote and the other way round.

The plugin names the handlers below (``flyte_dataframe_handlers``) and ``spark_transformer``; the type engine
imports this module only when ``pyspark`` is imported and a Spark DataFrame is converted.
"""

from __future__ import annotations

import typing
from typing import Any

from flyteidl.core import literals_pb2
from pyspark.sql import DataFrame, SparkSession

from flyte_core.context import FlyteContext
from flyte_core.types.structured.structured_dataset import (
    PARQUET,
    StructuredDataset,
    StructuredDatasetDecoder,
    StructuredDatasetEncoder,
    StructuredDatasetMetadata,
    StructuredDatasetTransformerEngine,
    StructuredDatasetType,
    flyte_dataset_transformer,
)
from flyte_plugin_spark.session import workers_use_this_python

__all__ = [
    "ParquetToSparkDecodingHandler",
    "SparkDataFrameRenderer",
    "SparkToParquetEncodingHandler",
    "spark_transformer",
]


def _session(ctx: FlyteContext) -> Any:
    """The running task's SparkSession, else this process's (started if none runs)."""
    params = ctx.user_space_params
    if params is not None and params.has_attr("SPARK_SESSION"):
        return params.spark_session
    workers_use_this_python()
    return SparkSession.builder.getOrCreate()


class SparkToParquetEncodingHandler(StructuredDatasetEncoder[DataFrame]):
    """Writes a Spark DataFrame as a directory of parquet files (Spark's own layout)."""

    def __init__(self) -> None:
        super().__init__(DataFrame, None, PARQUET)

    def encode(
        self, ctx: FlyteContext, structured_dataset: StructuredDataset, structured_dataset_type: StructuredDatasetType
    ) -> literals_pb2.StructuredDataset:
        uri = structured_dataset.uri or ctx.file_access.join(
            ctx.file_access.raw_output_prefix, ctx.file_access.get_random_string()
        )
        df = typing.cast(DataFrame, structured_dataset.dataframe)
        df.sparkSession.conf.set("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
        df.write.mode("overwrite").parquet(uri)
        structured_dataset_type.format = PARQUET
        return literals_pb2.StructuredDataset(
            uri=uri, metadata=StructuredDatasetMetadata(structured_dataset_type=structured_dataset_type)
        )


class ParquetToSparkDecodingHandler(StructuredDatasetDecoder[DataFrame]):
    """Reads parquet data (a file or a directory) as a Spark DataFrame, only the columns the task declares."""

    def __init__(self) -> None:
        super().__init__(DataFrame, None, PARQUET)

    def decode(
        self,
        ctx: FlyteContext,
        flyte_value: literals_pb2.StructuredDataset,
        current_task_metadata: literals_pb2.StructuredDatasetMetadata,
    ) -> DataFrame:
        df = _session(ctx).read.parquet(flyte_value.uri)
        sdt = current_task_metadata.structured_dataset_type
        if current_task_metadata.HasField("structured_dataset_type") and sdt.columns:
            return df.select(*[c.name for c in sdt.columns])
        return df


class SparkDataFrameRenderer:
    """A Spark DataFrame in a deck: its schema (the data stays in Spark)."""

    def to_html(self, df: DataFrame) -> str:
        rows = "".join(f"<tr><td>{f.name}</td><td>{f.dataType.simpleString()}</td></tr>" for f in df.schema.fields)
        return f"<table><tr><th>column</th><th>type</th></tr>{rows}</table>"


def spark_transformer() -> StructuredDatasetTransformerEngine:
    """The transformer of ``pyspark.sql.DataFrame``: the StructuredDataset engine, rendering Spark DataFrames."""
    StructuredDatasetTransformerEngine.register_renderer(DataFrame, SparkDataFrameRenderer())
    return flyte_dataset_transformer

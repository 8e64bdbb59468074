"""The plugin's registrations (entry point ``spark``): the ``Spark`` task type, the Spark DataFrame
transformer and its parquet handlers, and the ``pyflyte spark`` command.

All are named as ``"module:attr"`` references (the DataFrame by its qualified name), so loading the plugin
imports neither its modules nor ``pyspark``: the transformer is loaded only once ``pyspark`` is imported and
an annotation or value is a Spark DataFrame.
"""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteDataFrameHandler, FlyteSubcommand, FlyteTaskType, FlyteTypeTransformer, hookimpl

_DATAFRAME = "pyspark.sql.dataframe:DataFrame"


@hookimpl
def flyte_task_types() -> Iterator[FlyteTaskType]:
    yield FlyteTaskType(
        config_type="flyte_plugin_spark.task:Spark", task_class="flyte_plugin_spark.task:PysparkFunctionTask"
    )


@hookimpl
def flyte_type_transformers() -> Iterator[FlyteTypeTransformer]:
    yield FlyteTypeTransformer(python_type=_DATAFRAME, transformer="flyte_plugin_spark.dataframe:spark_transformer")


@hookimpl
def flyte_dataframe_handlers() -> Iterator[FlyteDataFrameHandler]:
    yield FlyteDataFrameHandler(
        python_type=_DATAFRAME,
        role="encoder",
        format="parquet",
        handler="flyte_plugin_spark.dataframe:SparkToParquetEncodingHandler",
        default_format=True,
    )
    yield FlyteDataFrameHandler(
        python_type=_DATAFRAME,
        role="decoder",
        format="parquet",
        handler="flyte_plugin_spark.dataframe:ParquetToSparkDecodingHandler",
        default_format=True,
    )


@hookimpl
def flyte_subcommands() -> Iterator[FlyteSubcommand]:
    yield FlyteSubcommand(
        name="spark",
        summary="Spark tasks: 'pyflyte spark conf FILE TASK' prints the Spark configuration a task runs with.",
        command="flyte_plugin_spark.cli:spark",
    )

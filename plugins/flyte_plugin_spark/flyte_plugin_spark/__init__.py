"""flyte-plugin-spark: flytekitplugins-spark's ``Spark`` task_config for flyte-core, Spark DataFrames as
StructuredDatasets, and ``pyflyte spark``.

``from flyte_plugin_spark import Spark`` (as ``from flytekitplugins.spark import Spark``); the names are
resolved on first use, so loading the plugin's entry point imports nothing more, and only the DataFrame
handlers import ``pyspark``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flyte_plugin_spark.dataframe import ParquetToSparkDecodingHandler, SparkToParquetEncodingHandler
    from flyte_plugin_spark.errors import SparkJobError
    from flyte_plugin_spark.session import new_spark_session
    from flyte_plugin_spark.task import Databricks, DatabricksV2, PySparkFunctionTask, PysparkFunctionTask, Spark

_WHERE = {
    "Spark": "task",
    "Databricks": "task",
    "DatabricksV2": "task",
    "PysparkFunctionTask": "task",
    "PySparkFunctionTask": "task",
    "new_spark_session": "session",
    "SparkJobError": "errors",
    "ParquetToSparkDecodingHandler": "dataframe",
    "SparkToParquetEncodingHandler": "dataframe",
}

__all__ = [
    "Databricks",
    "DatabricksV2",
    "ParquetToSparkDecodingHandler",
    "PySparkFunctionTask",
    "PysparkFunctionTask",
    "Spark",
    "SparkJobError",
    "SparkToParquetEncodingHandler",
    "new_spark_session",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'flyte_plugin_spark' has no attribute '{name}'")
    value = getattr(importlib.import_module(f"flyte_plugin_spark.{_WHERE[name]}"), name)
    globals()[name] = value
    return value

"""Fixtures for the flyte-plugin-spark tests: the plugin on a fresh manager, serialization settings, and one
local SparkSession per test module (quiet, no UI), stopped with its JVM at the end of the run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import flyte_plugin_spark.plugin
import pytest

from flyte_core.plugins.manager import FlytePluginManager
from flyte_core.plugins.testing import register_plugin
from tests.compat.conftest import examples_package  # noqa: F401  (the ported compat examples)

# What every test session (and every subprocess a test starts) gives Spark: no UI, few shuffle partitions.
QUIET_SPARK = "--conf spark.ui.enabled=false --conf spark.sql.shuffle.partitions=2 pyspark-shell"


@pytest.fixture(autouse=True, scope="session")
def _quiet_spark() -> Iterator[None]:
    """Spark started by tests (here or in subprocesses) runs without its UI; the JVM ends with the tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYSPARK_SUBMIT_ARGS", QUIET_SPARK)
        yield
    _shutdown_jvm()


def _shutdown_jvm() -> None:
    import sys

    if "pyspark" not in sys.modules:
        return
    from pyspark import SparkContext

    if SparkContext._active_spark_context is not None:
        SparkContext._active_spark_context.stop()
    gateway = SparkContext._gateway
    if gateway is not None:
        gateway.shutdown()
        proc = getattr(gateway, "proc", None)
        if proc is not None:
            proc.stdin.close()
            proc.wait(timeout=30)
        SparkContext._gateway = None
        SparkContext._jvm = None


@pytest.fixture
def spark_plugin(flyte_plugin_manager: FlytePluginManager) -> Iterator[FlytePluginManager]:
    """The built-ins plus this plugin, as its entry point registers it."""
    with register_plugin(flyte_plugin_spark.plugin, name="spark", manager=flyte_plugin_manager) as manager:
        yield manager


@pytest.fixture(scope="module")
def spark_session() -> Iterator[Any]:
    """One local SparkSession for the module's tests; Spark tasks join it instead of starting their own."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("flyte-plugin-spark tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("WARN")
    yield session
    session.stop()

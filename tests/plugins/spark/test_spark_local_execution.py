"""Spark tasks run locally with a real local[*] SparkSession: the task's configuration, DataFrames passed
between tasks as parquet, errors with the Python worker's message."""

from __future__ import annotations

import random
from typing import Annotated

import pandas as pd
import pytest
from flyte_plugin_spark import Spark
from pyspark import SparkContext
from pyspark.sql import DataFrame

from flyte_core import StructuredDataset, current_context, kwtypes, task, workflow


def test_the_ported_example_estimates_pi_and_stops_its_session(spark_plugin, examples_package) -> None:
    random.seed(0)
    example = examples_package("spark_task")
    estimate = example.spark_wf(partitions=2)
    assert abs(estimate - 3.14) < 0.5
    assert SparkContext._active_spark_context is None, "the session the task started is stopped"


def test_a_local_session_gets_the_tasks_spark_and_hadoop_conf(spark_plugin) -> None:
    @task(task_config=Spark(spark_conf={"spark.sql.shuffle.partitions": "3"}, hadoop_conf={"fs.x.impl": "X"}))
    def settings() -> dict[str, str]:
        sess = current_context().spark_session
        conf = sess.sparkContext.getConf()
        return {
            "master": sess.sparkContext.master,
            "partitions": sess.conf.get("spark.sql.shuffle.partitions"),
            "hadoop": sess.sparkContext._jsc.hadoopConfiguration().get("fs.x.impl"),
            "ui": conf.get("spark.ui.enabled"),
        }

    assert settings() == {"master": "local[*]", "partitions": "3", "hadoop": "X", "ui": "false"}
    assert SparkContext._active_spark_context is None


def test_a_running_session_is_joined_and_left_running(spark_plugin, spark_session) -> None:
    @task(task_config=Spark())
    def count(n: int) -> int:
        assert current_context().spark_session is spark_session
        return current_context().spark_session.range(n).count()

    assert count(n=5) == 5
    assert SparkContext._active_spark_context is spark_session.sparkContext


@task(task_config=Spark())
def make_df(n: int) -> DataFrame:
    sess = current_context().spark_session
    return sess.createDataFrame([(i, f"name-{i}", i * 0.5) for i in range(n)], schema="id long, name string, x double")


@task(task_config=Spark())
def total(df: DataFrame) -> int:
    return int(df.groupBy().sum("id").collect()[0][0])


@task
def with_pandas(df: pd.DataFrame) -> list[str]:
    return sorted(df["name"])


@task(task_config=Spark())
def only_ids(df: Annotated[DataFrame, kwtypes(id=int)]) -> list[str]:
    return df.columns


@task
def from_pandas() -> pd.DataFrame:
    return pd.DataFrame({"id": [1, 2, 3], "name": ["a", "b", "c"]})


def test_a_dataframe_goes_from_a_spark_task_to_a_spark_task_and_a_pandas_task(spark_plugin, spark_session) -> None:
    @workflow
    def wf(n: int) -> tuple[int, list[str], list[str]]:
        df = make_df(n=n)
        return total(df=df), with_pandas(df=df), only_ids(df=df)

    assert wf(n=4) == (6, ["name-0", "name-1", "name-2", "name-3"], ["id"])


def test_a_pandas_dataframe_is_read_by_a_spark_task(spark_plugin, spark_session) -> None:
    @workflow
    def wf() -> int:
        return total(df=from_pandas())

    assert wf() == 6


def test_a_structured_dataset_opens_as_a_spark_dataframe(spark_plugin, spark_session) -> None:
    @task(task_config=Spark())
    def names(sd: StructuredDataset) -> int:
        return sd.open(DataFrame).all().count()

    @workflow
    def wf() -> int:
        return names(sd=from_pandas())

    assert wf() == 3


def test_a_failing_spark_job_fails_the_task_with_the_workers_error(spark_plugin, spark_session) -> None:
    @task(task_config=Spark())
    def explode(n: int) -> int:
        def boom(i: int) -> int:
            if i == 3:
                raise ValueError(f"bad record {i}")
            return i

        return current_context().spark_session.sparkContext.parallelize(range(n), 2).map(boom).sum()

    with pytest.raises(Exception, match=r"Spark job failed in task '.*explode': ValueError: bad record 3") as raised:
        explode(n=5)
    assert len(str(raised.value)) < 500, "the JVM's stack trace is not in the message"
    assert type(raised.value.__cause__).__module__.startswith("py4j")


def test_a_failing_udf_fails_the_task_with_the_workers_error(spark_plugin, spark_session) -> None:
    from pyspark.sql.functions import udf

    @udf("long")
    def strict(i: int) -> int:
        if i == 2:
            raise ArithmeticError("two is not allowed")
        return i

    @task(task_config=Spark())
    def apply(df: DataFrame) -> int:
        return df.select(strict(df.id).alias("x")).groupBy().sum("x").collect()[0][0]

    @workflow
    def wf() -> int:
        return apply(df=make_df(n=4))

    with pytest.raises(Exception, match=r"Spark job failed in task '.*apply': ArithmeticError: two is not allowed"):
        wf()

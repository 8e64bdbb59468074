"""Spark workflows on the sandbox, driven by FlyteRemote: each task runs its container command as a local
process with a local[*] session; DataFrames pass between tasks; a failed Spark job is the execution's error."""

from __future__ import annotations

import datetime
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flyte_core.sandbox import lifecycle
from tests.compat.conftest import port_examples

pytestmark = pytest.mark.slow

POLL = datetime.timedelta(milliseconds=200)

_WORKFLOWS = """
import pandas as pd
from pyspark.sql import DataFrame

from flyte_core import current_context, task, workflow
from flyte_plugin_spark import Spark


@task(task_config=Spark(spark_conf={"spark.sql.shuffle.partitions": "2"}))
def people(n: int) -> DataFrame:
    sess = current_context().spark_session
    return sess.createDataFrame([(i, f"p{i}", 20 + i) for i in range(n)], schema="id long, name string, age long")


@task(task_config=Spark())
def adults(df: DataFrame) -> DataFrame:
    return df.filter(df.age >= 21)


@task
def names(df: pd.DataFrame) -> list[str]:
    return sorted(df["name"])


@workflow
def people_wf(n: int = 4) -> list[str]:
    return names(df=adults(df=people(n=n)))


@task(task_config=Spark())
def broken(n: int) -> int:
    def check(i: int) -> int:
        if i > 1:
            raise KeyError(f"missing record {i}")
        return i

    return current_context().spark_session.sparkContext.parallelize(range(n), 2).map(check).sum()


@workflow
def broken_wf(n: int = 3) -> int:
    return broken(n=n)
"""


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lifecycle.RunningSandbox]:
    directory = tmp_path_factory.mktemp("spark-sandbox")
    running = lifecycle.start_in_background(["--port", "0", "--http-port", "0"], directory)
    yield running
    lifecycle.stop(directory)


@pytest.fixture(scope="module")
def remote(sandbox: lifecycle.RunningSandbox) -> Iterator[Any]:
    from flyte_core.configuration import Config
    from flyte_core.remote import FlyteRemote

    client = FlyteRemote(Config.auto(str(sandbox.config_path)))
    yield client
    client.close()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The ported compat examples plus this module's workflows, importable, as a project root."""
    root = port_examples(tmp_path_factory.mktemp("spark-project"))
    (root / "examples" / "spark_sandbox_wfs.py").write_text(textwrap.dedent(_WORKFLOWS))
    forget = [m for m in sys.modules if m == "examples" or m.startswith("examples.")]
    saved = {name: sys.modules.pop(name) for name in forget}
    sys.path.insert(0, str(root))
    yield root
    sys.path.remove(str(root))
    for name in [m for m in sys.modules if m == "examples" or m.startswith("examples.")]:
        del sys.modules[name]
    sys.modules.update(saved)


def _run(remote: Any, entity: Any, **inputs: Any) -> Any:
    execution = remote.execute(entity, inputs=inputs)
    return remote.wait(execution, timeout=240, poll_interval=POLL, sync_nodes=False)


def test_the_ported_spark_example_runs_on_the_sandbox(spark_plugin, remote, project) -> None:
    from examples import spark_task

    done = _run(remote, spark_task.spark_wf, partitions=2)
    assert done.is_successful, done.error.message[-2000:]
    assert abs(done.outputs["o0"] - 3.14) < 0.5


def test_dataframes_pass_between_spark_and_pandas_tasks_on_the_sandbox(spark_plugin, remote, project) -> None:
    from examples import spark_sandbox_wfs

    done = _run(remote, spark_sandbox_wfs.people_wf, n=4)
    assert done.is_successful, done.error.message[-2000:]
    assert done.outputs["o0"] == ["p1", "p2", "p3"]


def test_a_failed_spark_job_is_the_executions_error_on_the_sandbox(spark_plugin, remote, project) -> None:
    from examples import spark_sandbox_wfs

    done = _run(remote, spark_sandbox_wfs.broken_wf, n=3)
    assert not done.is_successful
    assert "Spark job failed in task 'examples.spark_sandbox_wfs.broken': KeyError: 'missing record 2'" in (
        done.error.message
    )

"""Spark tasks run through their serialized container command, as Flyte runs them: ``pyflyte-execute`` in a
subprocess (a local[*] session), and ``spark-submit entrypoint.py pyflyte-execute ...`` as the Spark
operator's driver does; a failing Spark job's worker error is the message of error.pb."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap

import pytest
from flyteidl.core import errors_pb2, literals_pb2

from flyte_core.config.images import ImageConfig
from flyte_core.config.serialization import SerializationSettings
from flyte_core.idl.translator import get_serializable
from tests.compat.test_examples_run_in_containers import _command, _literal_inputs, _python_outputs, _run

pytestmark = pytest.mark.slow

BIN = pathlib.Path(sys.executable).parent
SETTINGS = SerializationSettings(
    image_config=ImageConfig.auto(img_name="ghcr.io/example/img:v1"),
    project="p",
    domain="d",
    version="v1",
    python_interpreter=sys.executable,
)

_TASKS = """
import random
from operator import add

from pyspark.sql import DataFrame

from flyte_core import current_context, task
from flyte_plugin_spark import Spark


@task(task_config=Spark(spark_conf={"spark.sql.shuffle.partitions": "2"}))
def estimate_pi(partitions: int) -> float:
    n = 2000 * partitions

    def inside(_: int) -> int:
        x, y = random.random() * 2 - 1, random.random() * 2 - 1
        return 1 if x * x + y * y <= 1 else 0

    sc = current_context().spark_session.sparkContext
    return 4.0 * sc.parallelize(range(n), partitions).map(inside).reduce(add) / n


@task(task_config=Spark())
def squares(n: int) -> DataFrame:
    return current_context().spark_session.range(n).selectExpr("id", "id * id AS sq")


@task(task_config=Spark(spark_conf={"spark.sql.shuffle.partitions": "7"}))
def session_settings() -> str:
    sess = current_context().spark_session
    return f"{sess.sparkContext.master} {sess.conf.get('spark.sql.shuffle.partitions')} {sess.range(5).count()}"


@task(task_config=Spark())
def explode(n: int) -> int:
    def boom(i: int) -> int:
        if i == 2:
            raise ZeroDivisionError(f"no square for {i}")
        return i

    return current_context().spark_session.sparkContext.parallelize(range(n), 2).map(boom).sum()
"""


@pytest.fixture(scope="module")
def spark_tasks(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("spark-containers")
    (root / "spark_container_tasks.py").write_text(textwrap.dedent(_TASKS))
    sys.path.insert(0, str(root))
    import spark_container_tasks

    yield root, spark_container_tasks
    sys.path.remove(str(root))
    sys.modules.pop("spark_container_tasks", None)


def _spec(task):
    return get_serializable({}, SETTINGS, task)


def test_a_spark_task_runs_in_its_container_command(spark_plugin, spark_tasks, tmp_path) -> None:
    root, tasks = spark_tasks
    inputs = _literal_inputs(tasks.estimate_pi, {"partitions": 2})
    out = _run(_spec(tasks.estimate_pi), inputs, tmp_path / "work", root)
    outputs = literals_pb2.LiteralMap.FromString((out / "outputs.pb").read_bytes())
    (estimate,) = _python_outputs(tasks.estimate_pi, outputs)
    assert abs(estimate - 3.14) < 0.5


def test_a_spark_dataframe_output_is_parquet_a_local_call_reads(spark_plugin, spark_tasks, spark_session, tmp_path):
    import pandas as pd

    root, tasks = spark_tasks
    out = _run(_spec(tasks.squares), _literal_inputs(tasks.squares, {"n": 4}), tmp_path / "work", root)
    outputs = literals_pb2.LiteralMap.FromString((out / "outputs.pb").read_bytes())
    sd = outputs.literals["o0"].scalar.structured_dataset
    assert sd.metadata.structured_dataset_type.format == "parquet"
    df = pd.read_parquet(sd.uri).sort_values("id")
    assert df["sq"].tolist() == [0, 1, 4, 9]
    assert not (pathlib.Path(sd.uri) / "_SUCCESS").exists()


def test_a_failing_spark_job_writes_the_workers_error_to_error_pb(spark_plugin, spark_tasks, tmp_path) -> None:
    root, tasks = spark_tasks
    out = _run(_spec(tasks.explode), _literal_inputs(tasks.explode, {"n": 4}), tmp_path / "work", root)
    assert not (out / "outputs.pb").exists()
    error = errors_pb2.ErrorDocument.FromString((out / "error.pb").read_bytes()).error
    assert "Spark job failed in task 'spark_container_tasks.explode': ZeroDivisionError: no square for 2" in (
        error.message
    )
    assert error.kind == errors_pb2.ContainerError.NON_RECOVERABLE
    assert error.code.startswith("USER")


def test_spark_submit_runs_the_task_through_the_plugins_entrypoint(spark_plugin, spark_tasks, tmp_path) -> None:
    """The Spark operator's driver: ``spark-submit <mainApplicationFile> <container args>``."""
    root, tasks = spark_tasks
    task = tasks.session_settings
    job = task.spark_job(SETTINGS)
    entrypoint = job.mainApplicationFile.removeprefix("local://")
    assert entrypoint == str(BIN / "entrypoint.py")
    work = tmp_path / "work"
    work.mkdir()
    (work / "inputs.pb").write_bytes(literals_pb2.LiteralMap().SerializeToString())
    args = _command(
        _spec(task),
        input=str(work / "inputs.pb"),
        outputPrefix=str(work / "out"),
        rawOutputDataPrefix=str(work / "raw"),
        checkpointOutputPrefix=str(work / "checkpoint"),
        prevCheckpointPrefix="",
    )
    command = [str(BIN / "spark-submit"), "--master", "local[2]", "--conf", "spark.ui.enabled=false"]
    for key, value in job.sparkConf.items():  # the operator submits the job's Spark properties
        command += ["--conf", f"{key}={value}"]
    command += [entrypoint, pathlib.Path(args[0]).name, *args[1:]]
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("_F_", "FLYTE_INTERNAL", "PYSPARK_SUBMIT"))}
    environ["PYSPARK_PYTHON"] = job.executorPath
    result = subprocess.run(command, cwd=root, env=environ, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    outputs = literals_pb2.LiteralMap.FromString((work / "out" / "outputs.pb").read_bytes())
    # the driver's session is spark-submit's (its master and the job's properties), not a local[*] one
    assert _python_outputs(task, outputs) == ["local[2] 7 5"]

"""``pyflyte spark conf FILE TASK`` prints a Spark task's configuration; ``pyflyte run`` runs Spark workflows."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

from tests.compat.conftest import port_examples

_TASKS = """
from flyte_core import task
from flyte_plugin_spark import Spark


@task(
    task_config=Spark(
        spark_conf={
            "spark.driver.memory": "1000M",
            "spark.executor.instances": "2",
            "spark.sql.shuffle.partitions": "4",
        },
        hadoop_conf={"fs.s3a.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem"},
        executor_path="/usr/bin/python3",
    )
)
def etl(x: int) -> int:
    return x


@task
def plain(x: int) -> int:
    return x


not_a_task = 3
"""


@pytest.fixture
def tasks_file(tmp_path, monkeypatch) -> str:
    monkeypatch.chdir(tmp_path)
    name = f"spark_tasks_{tmp_path.name}.py"
    (tmp_path / name).write_text(textwrap.dedent(_TASKS))
    return name


def test_conf_prints_the_local_sessions_properties_with_notes(spark_plugin, flyte_cli, tasks_file) -> None:
    result = flyte_cli.invoke(["spark", "conf", tasks_file, "etl"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "spark.master=local[*]" in lines
    assert "spark.sql.shuffle.partitions=4" in lines
    assert "spark.hadoop.fs.s3a.impl=org.apache.hadoop.fs.s3a.S3AFileSystem" in lines
    instances = lines.index("spark.executor.instances=2")
    assert lines[instances + 1].startswith("#   ^ not used by a local[*] session")
    memory = lines.index("spark.driver.memory=1000M")
    assert "has not started Spark's JVM yet" in lines[memory + 1]


def test_conf_cluster_prints_what_the_spark_operator_gets(spark_plugin, flyte_cli, tasks_file) -> None:
    result = flyte_cli.invoke(["spark", "conf", tasks_file, "etl", "--cluster", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["task"].endswith("etl")
    assert shown["executor python"] == "/usr/bin/python3"
    assert shown["main application file"] == "local:///opt/venv/bin/entrypoint.py"
    assert shown["conf"] == {
        "spark.driver.memory": "1000M",
        "spark.executor.instances": "2",
        "spark.hadoop.fs.s3a.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        "spark.sql.shuffle.partitions": "4",
    }


def test_conf_of_a_task_that_is_not_a_spark_task_says_how_to_make_one(spark_plugin, flyte_cli, tasks_file) -> None:
    result = flyte_cli.invoke(["spark", "conf", tasks_file, "plain"])
    assert result.exit_code == 1
    assert "is not a Spark task (its type is 'python-task')" in result.output
    assert "@task(task_config=Spark(...))" in result.output
    assert "Traceback" not in result.output


def test_conf_of_an_unknown_name_lists_the_spark_tasks(spark_plugin, flyte_cli, tasks_file) -> None:
    result = flyte_cli.invoke(["spark", "conf", tasks_file, "nope"])
    assert result.exit_code == 1
    assert "'nope' is not defined" in result.output and "Spark tasks there: etl" in result.output
    result = flyte_cli.invoke(["spark", "conf", tasks_file, "not_a_task"])
    assert "'not_a_task' is not a task" in result.output


def test_conf_of_a_missing_file_names_it(spark_plugin, flyte_cli, tmp_path) -> None:
    result = flyte_cli.invoke(["spark", "conf", str(tmp_path / "missing.py"), "t"])
    assert result.exit_code == 1
    assert "missing.py' does not exist" in result.output
    assert "Traceback" not in result.output


def test_pyflyte_run_runs_the_ported_spark_example(spark_plugin, flyte_cli, tmp_path, monkeypatch) -> None:
    root = port_examples(tmp_path)
    monkeypatch.chdir(root)
    for name in [m for m in sys.modules if m == "examples" or m.startswith("examples.")]:
        monkeypatch.delitem(sys.modules, name)  # another test's copy of the examples; restored afterwards
    result = flyte_cli.invoke(["run", str(pathlib.Path("examples") / "spark_task.py"), "spark_wf", "--partitions", "3"])
    assert result.exit_code == 0, result.output
    assert abs(float(result.stdout.strip().splitlines()[-1]) - 3.14) < 0.5


def test_new_spark_session_makes_a_local_session_with_the_conf(monkeypatch) -> None:
    from flyte_plugin_spark import new_spark_session

    monkeypatch.delenv("FLYTE_INTERNAL_EXECUTION_ID", raising=False)
    session = new_spark_session("notebook", {"spark.sql.shuffle.partitions": "5"})
    try:
        assert session.sparkContext.master == "local[*]"
        assert session.sparkContext.appName == "FlyteSpark: notebook"
        assert session.conf.get("spark.sql.shuffle.partitions") == "5"
    finally:
        session.stop()


_PI = """
import random
from operator import add

from flyte_core import current_context, task
from flyte_plugin_spark import Spark


@task(task_config=Spark(spark_conf={"spark.sql.shuffle.partitions": "2"}))
def estimate_pi(partitions: int) -> float:
    def inside(_: int) -> int:
        x, y = random.random() * 2 - 1, random.random() * 2 - 1
        return 1 if x * x + y * y <= 1 else 0

    n = 1000 * partitions
    count = current_context().spark_session.sparkContext.parallelize(range(n), partitions).map(inside).reduce(add)
    return 4.0 * count / n
"""


def test_workers_run_the_drivers_python_whatever_python3_is_first_on_path(spark_plugin, tmp_path) -> None:
    """PySpark starts workers with ``python3`` from PATH unless told; another version there fails every UDF."""
    other = tmp_path / "other-bin"
    other.mkdir()
    for name in ("python", "python3"):
        (other / name).write_text("#!/bin/sh\necho 'the wrong python3' >&2\nexit 3\n")
        (other / name).chmod(0o755)
    (tmp_path / "pi.py").write_text(textwrap.dedent(_PI))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYSPARK_", "SPARK_"))}
    env["PATH"] = os.pathsep.join([str(other), env.get("PATH", os.defpath)])
    pyflyte = pathlib.Path(sys.executable).parent / "pyflyte"
    args = [str(pyflyte), "run", "pi.py", "estimate_pi", "--partitions", "2"]
    result = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert abs(float(result.stdout.strip().splitlines()[-1]) - 3.14) < 0.5

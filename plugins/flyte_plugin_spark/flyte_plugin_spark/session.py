"""The SparkSession a Spark task runs with: local (``local[*]``) or the cluster driver's, and when it stops.

* Under ``spark-submit`` (the Spark operator's driver pod: ``PYSPARK_GATEWAY_PORT`` is set), the session is
  the driver's, configured by the submitter as flytekit does; a fast-registered task's code is shipped to the
  executors as a zip.
* Anywhere else (a local run, ``pyflyte-execute`` in the sandbox), a ``local[*]`` session is built from the
  task's ``spark_conf`` (all of it, as flytekit does; cluster-only properties are harmless there) and its
  ``hadoop_conf`` as ``spark.hadoop.*``, bound to 127.0.0.1, executors given this ``PYTHONPATH`` and this
  interpreter (``PYSPARK_PYTHON``, unless set: not whatever ``python3`` is first on ``PATH``, which may be
  another Python version than the driver's, which PySpark refuses).
* A session that is already running (a notebook's, a test's) is joined, not replaced: only runtime SQL
  properties of the task apply to it, and it is left running afterwards. A session the task started is
  stopped when the task ends; the JVM stays for the next task of the process.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from typing import TYPE_CHECKING, Any

from flyte_core.loggers import logger

if TYPE_CHECKING:
    from flyte_plugin_spark.task import PysparkFunctionTask, Spark

__all__ = [
    "LOCAL_NOTES",
    "in_spark_driver",
    "local_conf",
    "new_spark_session",
    "start_task_session",
    "stop",
    "workers_use_this_python",
]

_LOCAL_DEFAULTS = {
    "spark.master": "local[*]",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
}

LOCAL_NOTES = {
    "spark.driver.memory": "takes effect only if this process has not started Spark's JVM yet",
    "spark.driver.cores": "not used by a local[*] session",
    "spark.executor.instances": "not used by a local[*] session: the driver's JVM runs every executor thread",
    "spark.executor.memory": "not used by a local[*] session: executors share the driver's JVM",
    "spark.executor.cores": "not used by a local[*] session: it uses every core of this machine",
    "spark.dynamicAllocation.enabled": "not used by a local[*] session",
}
"""Properties whose value a local session does not honour as a cluster would, and why."""

_CLUSTER_ONLY_PREFIXES = ("spark.kubernetes.",)


def in_spark_driver() -> bool:
    """True in a Python process ``spark-submit`` started (a cluster driver): the JVM and its conf exist."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def local_conf(config: Spark) -> dict[str, str]:
    """The properties of the ``local[*]`` session a task with ``config`` runs with (sorted by name)."""
    from flyte_plugin_spark.task import properties_as_strings

    conf = dict(_LOCAL_DEFAULTS)
    conf.update(properties_as_strings("spark_conf", config.spark_conf or {}))
    conf.update(
        {f"spark.hadoop.{k}": v for k, v in properties_as_strings("hadoop_conf", config.hadoop_conf or {}).items()}
    )
    if os.environ.get("PYTHONPATH"):
        conf["spark.executorEnv.PYTHONPATH"] = os.environ["PYTHONPATH"]
    return dict(sorted(conf.items()))


def workers_use_this_python() -> None:
    """Python workers of a session started here run this interpreter unless ``PYSPARK_PYTHON`` says otherwise.

    PySpark reads only the variable (default ``python3`` on ``PATH``), when a SparkContext starts. Under
    ``spark-submit`` the submitter chose the executors' Python: nothing changes.
    """
    if sys.executable and not in_spark_driver():
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)


def local_note(key: str) -> str | None:
    """Why a local session does not honour ``key`` as a cluster would (``None``: it does)."""
    if key in LOCAL_NOTES:
        return LOCAL_NOTES[key]
    if key.startswith(_CLUSTER_ONLY_PREFIXES):
        return "only used on Kubernetes"
    return None


def start_task_session(task: PysparkFunctionTask, execution_id: Any) -> tuple[Any, bool]:
    """The session ``task`` runs with, and whether the task started it (and so stops it)."""
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(f"FlyteSpark: {execution_id}")
    if SparkContext._active_spark_context is not None:  # a running session: join it
        logger.debug("Spark task %s joins the running SparkSession (its static properties stay)", task.name)
        return builder.getOrCreate(), False
    if in_spark_driver():
        session = builder.getOrCreate()
        _ship_fast_registered_code(session)
        return session, True
    conf = local_conf(task.spark_config)
    _warn_if_driver_memory_is_fixed(conf)
    workers_use_this_python()
    return builder.config(conf=_spark_conf(conf)).getOrCreate(), True


def _spark_conf(properties: dict[str, str]) -> Any:
    """A SparkConf of exactly ``properties`` (not the running JVM's: its ``spark.app.name`` would win)."""
    from pyspark import SparkConf

    return SparkConf(loadDefaults=False).setAll(list(properties.items()))


def _warn_if_driver_memory_is_fixed(conf: dict[str, str]) -> None:
    from pyspark import SparkContext

    if "spark.driver.memory" in conf and SparkContext._gateway is not None:
        logger.warning(
            "spark.driver.memory=%s is not applied: this process's Spark JVM is already running",
            conf["spark.driver.memory"],
        )


def _ship_fast_registered_code(session: Any) -> None:
    """On a cluster, a fast-registered task's code (the working directory) goes to the executors as a zip."""
    from flyte_core.context import ExecutionState, FlyteContextManager

    ctx = FlyteContextManager.current_context()
    settings = ctx.serialization_settings
    state = ctx.execution_state
    if not (
        settings and settings.should_fast_serialize() and state and state.mode == ExecutionState.Mode.TASK_EXECUTION
    ):
        return
    archive = shutil.make_archive(os.path.join(tempfile.mkdtemp(), "flyte_wf"), "zip", os.getcwd())
    session.sparkContext.addPyFile(archive)


def stop(session: Any) -> None:
    """Stop ``session`` (its SparkContext); the JVM stays for the next session of this process."""
    try:
        session.stop()
    except Exception as exc:  # a session whose JVM died: nothing left to stop
        logger.debug("stopping the SparkSession failed: %s", exc)


def new_spark_session(name: str, conf: dict[str, str] | None = None) -> Any:
    """A new SparkSession named ``name`` (flytekitplugins-spark's helper, for notebooks and scripts).

    Outside a Flyte execution and with ``conf`` given, a ``local[*]`` session with those properties; a running
    session is stopped first (only one SparkContext can run per process).
    """
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(f"FlyteSpark: {name}")
    if "FLYTE_INTERNAL_EXECUTION_ID" not in os.environ and conf is not None:
        from flyte_plugin_spark.task import Spark

        settings = local_conf(Spark(spark_conf=conf))
        builder = builder.config(conf=_spark_conf(settings))
    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()
    workers_use_this_python()
    return builder.getOrCreate()

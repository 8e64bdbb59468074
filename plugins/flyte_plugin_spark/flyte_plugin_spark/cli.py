"""``pyflyte spark conf FILE TASK``: the Spark configuration a Spark task runs with, locally or on a cluster.

Locally (the default) it is the ``local[*]`` session's properties: the task's ``spark_conf``, its
``hadoop_conf`` as ``spark.hadoop.*`` and what flyte-core adds, each property a local session does not honour
as a cluster would followed by a ``#`` note saying why. ``--cluster`` prints what the Spark operator gets
(the serialized ``SparkJob``). ``--json`` prints either as JSON. Nothing here starts Spark or imports pyspark.
"""

from __future__ import annotations

import json
from typing import Any

import click


@click.group("spark")
def spark() -> None:
    """Spark tasks."""


@spark.command("conf")
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("task_name", metavar="TASK")
@click.option("--cluster", is_flag=True, help="Show what the Spark operator gets instead of the local session.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def conf(file: str, task_name: str, cluster: bool, as_json: bool) -> None:
    """Print the effective Spark configuration of TASK (a Spark task) of FILE."""
    task = _find_spark_task(file, task_name)
    if cluster:
        properties, header = _cluster_conf(task)
        notes: dict[str, str] = {}
    else:
        from flyte_plugin_spark.session import local_conf, local_note

        properties = local_conf(task.spark_config)
        header = {"session": "local[*] SparkSession (pyflyte run, local calls, the sandbox)"}
        notes = {key: note for key in properties if (note := local_note(key)) is not None}
    if as_json:
        click.echo(json.dumps({"task": task.name, **header, "conf": properties, "notes": notes}, indent=2))
        return
    click.echo(f"# task {task.name} ({task.task_type})")
    for name, value in header.items():
        click.echo(f"# {name}: {value}")
    for key, value in properties.items():
        click.echo(f"{key}={value}")
        if key in notes:
            click.echo(f"#   ^ {notes[key]}")


def _cluster_conf(task: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The SparkJob's properties (Hadoop ones as ``spark.hadoop.*``) and its application settings."""
    from flyte_core.config.serialization import SerializationSettings

    job = task.spark_job(SerializationSettings.for_image("default:latest", version="cli"))
    properties = dict(job.sparkConf)
    properties.update({f"spark.hadoop.{k}": v for k, v in job.hadoopConf.items()})
    header = {"main application file": job.mainApplicationFile, "executor python": job.executorPath}
    return dict(sorted(properties.items())), header


def _find_spark_task(file: str, task_name: str) -> Any:
    """The Spark task called ``task_name`` in ``file``, or a ``ClickException`` saying what is there instead."""
    from flyte_core.sdk.module_loader import UserFileError, find_task
    from flyte_plugin_spark.task import PysparkFunctionTask

    try:
        return find_task(file, task_name, PysparkFunctionTask, "Spark", "give it @task(task_config=Spark(...))")
    except UserFileError as exc:
        raise click.ClickException(str(exc)) from exc

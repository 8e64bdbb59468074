"""``pyflyte pod render FILE TASK``: the Kubernetes pod Flyte would run for a task, as YAML.

Works for ``@task(task_config=Pod(...))`` tasks and for ``@task(pod_template=PodTemplate(...))`` tasks: the pod
is the task's serialized ``k8s_pod`` (image from ``--image`` or the default image, the ``pyflyte-execute``
command, environment and resources in the primary container), written as a ``v1/Pod`` manifest.
"""

from __future__ import annotations

from typing import Any

import click

from flyte_core.cli.options import image_option, key_values


@click.group("pod")
def pod() -> None:
    """Kubernetes pods of tasks."""


@pod.command("render")
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("task_name", metavar="TASK")
@image_option
@click.option("--env", "--envvars", multiple=True, callback=key_values, help="KEY=VALUE set in the task's container.")
def render(file: str, task_name: str, image_config: Any, env: dict[str, str]) -> None:
    """Print the pod Flyte would run for TASK of FILE (a Pod or pod_template task) as YAML."""
    import yaml

    from flyte_core.config.serialization import FastSerializationSettings, SerializationSettings

    task = _find_task(file, task_name)
    settings = SerializationSettings(
        image_config=image_config,
        env=env or None,
        fast_serialization_settings=FastSerializationSettings(enabled=False),
    )
    k8s_pod = task.get_k8s_pod(settings) if hasattr(task, "get_k8s_pod") else None
    if k8s_pod is None:
        raise click.ClickException(
            f"task '{task_name}' in '{file}' has no pod: give it @task(pod_template=PodTemplate(pod_spec=...)) or "
            "@task(task_config=Pod(pod_spec=...)) to run it in a pod of your own"
        )
    click.echo(yaml.safe_dump(pod_manifest(k8s_pod), sort_keys=False), nl=False)


def pod_manifest(k8s_pod: Any) -> dict[str, Any]:
    """A ``v1/Pod`` manifest from a flyteidl ``K8sPod``: its labels, annotations and pod spec."""
    from google.protobuf import json_format

    metadata: dict[str, Any] = {}
    if k8s_pod.metadata.labels:
        metadata["labels"] = dict(k8s_pod.metadata.labels)
    if k8s_pod.metadata.annotations:
        metadata["annotations"] = dict(k8s_pod.metadata.annotations)
    spec = _integral_numbers(json_format.MessageToDict(k8s_pod.pod_spec))
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def _integral_numbers(value: Any) -> Any:
    """Struct numbers are doubles: ``30.0`` -> ``30`` (pod spec numbers are integers: ports, seconds, ids)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _integral_numbers(v) for k, v in value.items()}
    return value


def _find_task(file: str, task_name: str) -> Any:
    """The task called ``task_name`` in ``file``, or a ``ClickException`` saying what is there instead."""
    from flyte_core.sdk.module_loader import UserFileError, find_task

    try:
        return find_task(file, task_name)
    except UserFileError as exc:
        raise click.ClickException(str(exc)) from exc

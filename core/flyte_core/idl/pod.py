"""A task's pod template in flyteidl: the pod spec with the task's container merged into its primary container.

The pod spec is a ``kubernetes.client.V1PodSpec`` (or a dict in the same JSON form); ``kubernetes`` is
imported only to turn such a model into JSON.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from flyteidl.core import tasks_pb2

if TYPE_CHECKING:
    from flyte_core.config.serialization import SerializationSettings
    from flyte_core.sdk.pod_template import PodTemplate


def pod_spec_json(
    pod_template: PodTemplate, primary: tasks_pb2.Container, settings: SerializationSettings
) -> dict[str, Any]:
    """The pod spec as Kubernetes JSON, its primary container running ``primary`` (image, command, args,
    resources when given, environment first); every other container's image reference resolved."""
    from flyte_core.sdk.python_auto_container import get_registerable_container_image

    spec = pod_template.pod_spec
    if spec is None:
        return {}
    if isinstance(spec, dict):
        spec = copy.deepcopy(spec)
    else:
        from kubernetes.client import ApiClient

        spec = ApiClient().sanitize_for_serialization(spec)
    name = pod_template.primary_container_name
    containers = list(spec.get("containers") or [])
    if not any(c.get("name") == name for c in containers):
        containers.append({"name": name})
    for container in containers:
        if container.get("name") != name:
            container["image"] = get_registerable_container_image(container.get("image"), settings.image_config)
            continue
        image = container.get("image")
        container["image"] = (
            primary.image if image is None else get_registerable_container_image(image, settings.image_config)
        )
        container["command"] = list(primary.command)
        container["args"] = list(primary.args)
        limits = {_resource_name(r.name): r.value for r in primary.resources.limits}
        requests = {_resource_name(r.name): r.value for r in primary.resources.requests}
        if limits or requests:
            container["resources"] = {"limits": limits, "requests": requests}
        container["env"] = [{"name": e.key, "value": e.value} for e in primary.env] + list(container.get("env") or [])
    spec["containers"] = containers
    return dict(spec)


def k8s_pod(
    pod_template: PodTemplate,
    primary: tasks_pb2.Container,
    settings: SerializationSettings,
    primary_container_name: str | None = None,
) -> tasks_pb2.K8sPod:
    """``flyteidl.core.K8sPod``: the pod spec (see ``pod_spec_json``) and the template's labels and annotations."""
    return pod_to_idl(
        pod_spec_json(pod_template, primary, settings),
        labels=pod_template.labels,
        annotations=pod_template.annotations,
        primary_container_name=primary_container_name,
    )


def pod_to_idl(
    spec: dict[str, Any],
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    primary_container_name: str | None = None,
) -> tasks_pb2.K8sPod:
    from google.protobuf import json_format, struct_pb2

    pod = tasks_pb2.K8sPod(primary_container_name=primary_container_name or "")
    pod.metadata.SetInParent()
    pod.metadata.labels.update(labels or {})
    pod.metadata.annotations.update(annotations or {})
    if spec:
        pod.pod_spec.CopyFrom(json_format.ParseDict(spec, struct_pb2.Struct()))
    return pod


def _resource_name(name: int) -> str:
    """``EPHEMERAL_STORAGE`` -> ``ephemeral-storage``: the Kubernetes resource name."""
    return tasks_pb2.Resources.ResourceName.Name(name).lower().replace("_", "-")

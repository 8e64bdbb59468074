"""``Pod``: flytekitplugins-pod's ``task_config``, and ``PodFunctionTask``, the legacy ``sidecar`` task it makes.

``@task(task_config=Pod(pod_spec=V1PodSpec(...), primary_container_name="primary"))`` serializes as
flytekitplugins-pod 1.16 does: task type ``sidecar`` version 2, no container, the pod spec in ``k8s_pod`` with
the task's image, ``pyflyte-execute`` arguments, environment and (when given) resources in the primary
container, which is added when the pod spec does not have it. ``@task(pod_template=PodTemplate(...))`` in
flyte-core is the supported way to do the same with a plain ``python-task``.

The pod spec is a ``kubernetes.client.V1PodSpec``; ``kubernetes`` is imported only to serialize it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from flyte_core.exceptions.user import FlyteValidationException
from flyte_core.loggers import logger
from flyte_core.sdk.python_auto_container import PRIMARY_CONTAINER_NAME_FIELD
from flyte_core.sdk.python_function_task import PythonFunctionTask
from flyte_core.sdk.resources import Resources

if TYPE_CHECKING:
    from flyteidl.core import tasks_pb2
    from kubernetes.client import V1PodSpec

    from flyte_core.config.serialization import SerializationSettings
    from flyte_core.context import FlyteContext

__all__ = ["Pod", "PodFunctionTask"]

TASK_TYPE = "sidecar"
TASK_TYPE_VERSION = 2


# A Kubernetes resource quantity: a signed decimal number and an optional SI, binary or exponent suffix.
_QUANTITY = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[mkMGTPE]|[eE][+-]?\d+)?$")


class Pod:
    """A pod spec and the name of its container that runs the task; pod labels and annotations.

    As flytekitplugins-pod's ``Pod``; prefer ``@task(pod_template=PodTemplate(...))``, which needs no plugin.
    """

    def __init__(
        self,
        pod_spec: V1PodSpec,
        primary_container_name: str = "primary",
        labels: dict[str, str] | None = None,
        annotations: dict[str, str] | None = None,
    ) -> None:
        if not pod_spec:
            raise FlyteValidationException(
                "A pod spec cannot be undefined: Pod(pod_spec=V1PodSpec(containers=[...])) is the pod the task runs in"
            )
        if not hasattr(pod_spec, "containers"):
            raise FlyteValidationException(
                f"Pod pod_spec must be a kubernetes.client.V1PodSpec, got {type(pod_spec).__name__} {pod_spec!r:.80}"
            )
        if not primary_container_name or not isinstance(primary_container_name, str):
            raise FlyteValidationException(
                "A primary container name cannot be undefined: Pod(primary_container_name=...) names the container "
                f"of pod_spec that runs the task, got {primary_container_name!r}"
            )
        for field_name, value in (("labels", labels), ("annotations", annotations)):
            if value is not None and not (
                isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
            ):
                raise FlyteValidationException(f"Pod {field_name} must be a dict of strings to strings, got {value!r}")
        self._pod_spec = pod_spec
        self._primary_container_name = primary_container_name
        self._labels = labels
        self._annotations = annotations

    @property
    def pod_spec(self) -> V1PodSpec:
        return self._pod_spec

    @property
    def primary_container_name(self) -> str:
        return self._primary_container_name

    @property
    def labels(self) -> dict[str, str] | None:
        return self._labels

    @property
    def annotations(self) -> dict[str, str] | None:
        return self._annotations


class PodFunctionTask(PythonFunctionTask[Pod]):
    """The task ``@task(task_config=Pod(...))`` builds: a ``sidecar`` task whose container is in its pod spec."""

    def __init__(self, task_config: Pod, task_function: Callable[..., Any], **kwargs: Any) -> None:
        if not isinstance(task_config, Pod):
            raise FlyteValidationException(
                f"PodFunctionTask needs task_config=Pod(...), got {type(task_config).__name__} {task_config!r:.80}"
            )
        self._pod = task_config
        pod_template = kwargs.pop("pod_template", None)
        super().__init__(
            task_config=task_config,
            task_function=task_function,
            task_type=TASK_TYPE,
            task_type_version=TASK_TYPE_VERSION,
            **kwargs,
        )
        if pod_template is not None:
            raise FlyteValidationException(
                f"task '{self.name}': both task_config=Pod(...) and pod_template=... give the task a pod; "
                "keep one (pod_template=PodTemplate(...) is the supported one)"
            )
        _check_quantities(self.name, task_config, self.resources.requests, self.resources.limits)
        _warn_if_resources_conflict(self.name, task_config, self.resources.requests, self.resources.limits)

    def get_container(self, settings: SerializationSettings) -> tasks_pb2.Container | None:
        """None: the container is the pod spec's primary container (``get_k8s_pod``)."""
        return None

    @property
    def pod(self) -> Pod:
        """The task's ``Pod`` (its ``task_config``)."""
        return self._pod

    def get_config(self, settings: SerializationSettings) -> dict[str, str] | None:
        return {PRIMARY_CONTAINER_NAME_FIELD: self.pod.primary_container_name}

    def get_k8s_pod(self, settings: SerializationSettings) -> tasks_pb2.K8sPod | None:
        """The pod spec with the task's container in its primary container, and the pod's labels and annotations."""
        from flyte_core.idl.pod import pod_to_idl

        return pod_to_idl(self.pod_spec_json(settings), labels=self.pod.labels, annotations=self.pod.annotations)

    def pod_spec_json(self, settings: SerializationSettings) -> dict[str, Any]:
        """The pod spec as Kubernetes JSON, its primary container running this task (the user's spec is not changed).

        The primary container gets the task's image, command, arguments and environment; its resources are the
        task's when the task sets any, else the pod spec's own.
        """
        from flyteidl.core import tasks_pb2
        from kubernetes.client import ApiClient

        primary = PythonFunctionTask.get_container(self, settings)
        assert primary is not None  # a PodFunctionTask never has a pod_template
        spec: dict[str, Any] = ApiClient().sanitize_for_serialization(self.pod.pod_spec)  # type: ignore[no-untyped-call]
        name = self.pod.primary_container_name
        containers = list(spec.get("containers") or [])
        if not any(c.get("name") == name for c in containers):
            containers.append({"name": name})
        for container in containers:
            if container.get("name") != name:
                continue
            container["image"] = primary.image
            container["command"] = list(primary.command)
            container["args"] = list(primary.args)
            limits = {_resource_name(tasks_pb2, r.name): r.value for r in primary.resources.limits}
            requests = {_resource_name(tasks_pb2, r.name): r.value for r in primary.resources.requests}
            if limits or requests:
                container["resources"] = {"limits": limits, "requests": requests}
            container["env"] = [{"name": e.key, "value": e.value} for e in primary.env]
        spec["containers"] = containers
        return spec

    def local_execute(self, ctx: FlyteContext, **kwargs: Any) -> Any:
        """Run the function here; the pod spec only matters on a cluster."""
        logger.warning(
            "Running pod task %s locally: the local environment may not match the pod's (its pod spec is ignored).",
            self.name,
        )
        return super().local_execute(ctx, **kwargs)


def _resource_name(tasks_pb2: Any, name: int) -> str:
    """``EPHEMERAL_STORAGE`` -> ``ephemeral-storage``: the Kubernetes name of a flyteidl resource."""
    return str(tasks_pb2.Resources.ResourceName.Name(name)).lower().replace("_", "-")


def _pod_spec_resources(container: Any) -> Iterator[tuple[str, str, Any]]:
    """(``requests``/``limits``, resource name, quantity) of a pod spec container."""
    resources = getattr(container, "resources", None)
    for kind in ("requests", "limits"):
        for resource, value in (getattr(resources, kind, None) or {}).items():
            yield kind, resource, value


def _check_quantities(task_name: str, config: Pod, requests: Resources, limits: Resources) -> None:
    """Refuse resource values Kubernetes would reject, naming where they are, before anything is registered."""
    for kind, resources in (("requests", requests), ("limits", limits)):
        for field_name in ("cpu", "mem", "gpu", "ephemeral_storage"):
            value = getattr(resources, field_name)
            if value is not None and not _is_quantity(value):
                raise FlyteValidationException(
                    f"task '{task_name}': {kind} {field_name}={value!r} is not a Kubernetes quantity; "
                    "give a number with an optional unit, e.g. cpu='500m' or '2', mem='1Gi' or '512Mi'"
                )
    for container in config.pod_spec.containers or []:
        for kind, resource, value in _pod_spec_resources(container):
            if not _is_quantity(value):
                raise FlyteValidationException(
                    f"task '{task_name}': Pod pod_spec container '{container.name}' resources.{kind}[{resource!r}]="
                    f"{value!r} is not a Kubernetes quantity; give a number with an optional unit, "
                    "e.g. '500m' or '2' for cpu, '1Gi' or '512Mi' for memory"
                )


def _is_quantity(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value >= 0
    return isinstance(value, str) and bool(_QUANTITY.match(value.strip()))


def _warn_if_resources_conflict(task_name: str, config: Pod, requests: Resources, limits: Resources) -> None:
    """Say that ``@task`` resources replace the primary container's own, as flytekitplugins-pod does."""
    empty = Resources()
    if requests == empty and limits == empty:
        return
    name = config.primary_container_name
    primary = next((c for c in config.pod_spec.containers or [] if c.name == name), None)
    if primary is None or not any(True for _ in _pod_spec_resources(primary)):
        return
    warnings.warn(
        f"task '{task_name}': the @task requests/limits replace all resources of the pod spec's primary container "
        f"'{name}' (as flytekitplugins-pod does); set resources in one place to silence this warning",
        UserWarning,
        stacklevel=4,
    )

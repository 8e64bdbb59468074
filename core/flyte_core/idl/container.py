"""A task's container in flyteidl: image, arguments, environment, resources, extended resources."""

from __future__ import annotations

from typing import Any

from flyteidl.core import literals_pb2, tasks_pb2

from flyte_core.sdk.resources import Resources, ResourceSpec

SHARED_MEMORY_MOUNT_NAME = "flyte-shared-memory"
SHARED_MEMORY_MOUNT_PATH = "/dev/shm"

_Name = tasks_pb2.Resources.ResourceName
# flytekit writes the entries in this order; repeated fields compare in order.
_RESOURCE_FIELDS = (
    ("ephemeral_storage", _Name.EPHEMERAL_STORAGE),
    ("cpu", _Name.CPU),
    ("gpu", _Name.GPU),
    ("mem", _Name.MEMORY),
)
OVERRIDE_RESOURCE_FIELDS = (
    ("cpu", _Name.CPU),
    ("mem", _Name.MEMORY),
    ("gpu", _Name.GPU),
    ("ephemeral_storage", _Name.EPHEMERAL_STORAGE),
)
"""The order of the other resource lists flytekit writes: node overrides, plugins' pods (Ray's autoscaler)."""


def resources_to_idl(spec: ResourceSpec | None) -> tasks_pb2.Resources:
    """``flyteidl.core.Resources`` of requests and limits; unset values are left out."""
    resources = tasks_pb2.Resources()
    if spec is None:
        return resources
    for side, entries in ((spec.requests, resources.requests), (spec.limits, resources.limits)):
        for attr, name in _RESOURCE_FIELDS:
            value = getattr(side, attr, None) if side is not None else None
            if isinstance(value, list | tuple):
                raise ValueError(f"{side} can not be a list or tuple: use resources= for (request, limit) pairs")
            if value:
                entries.add(name=name, value=str(value))
    return resources


def container_definition(
    image: str,
    resource_spec: ResourceSpec | None,
    command: list[str],
    args: list[str] | None = None,
    data_loading_config: tasks_pb2.DataLoadingConfig | None = None,
    environment: dict[str, str] | None = None,
) -> tasks_pb2.Container:
    """A ``flyteidl.core.Container``, as flytekit builds it for every container task."""
    return tasks_pb2.Container(
        image=image,
        command=command,
        args=args or [],
        resources=resources_to_idl(resource_spec or ResourceSpec(requests=Resources(), limits=Resources())),
        env=[literals_pb2.KeyValuePair(key=k, value=v) for k, v in (environment or {}).items()],
        data_config=data_loading_config,
    )


def extended_resources(accelerator: Any = None, shared_memory: bool | str | None = None) -> Any:
    """``flyteidl.core.ExtendedResources`` (GPU accelerator, shared memory), or None when neither is asked for."""
    fields: dict[str, Any] = {}
    if accelerator is not None:
        fields["gpu_accelerator"] = accelerator.to_flyte_idl()
    if shared_memory is True or isinstance(shared_memory, str):
        fields["shared_memory"] = tasks_pb2.SharedMemory(
            mount_name=SHARED_MEMORY_MOUNT_NAME,
            mount_path=SHARED_MEMORY_MOUNT_PATH,
            size_limit=shared_memory if isinstance(shared_memory, str) else None,
        )
    return tasks_pb2.ExtendedResources(**fields) if fields else None

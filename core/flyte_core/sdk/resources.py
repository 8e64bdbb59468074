"""``Resources``: CPU, memory, GPU and ephemeral storage requests and limits of a task."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass
class Resources:
    """Requests or limits of a task; with ``@task(resources=...)`` a ``(request, limit)`` pair sets both.

    ``Resources(cpu="1", mem="2Gi")``, ``Resources(cpu=("1", "2"), mem=1024)``, ``Resources(gpu=1)``.
    """

    cpu: str | int | float | list[Any] | tuple[Any, ...] | None = None
    mem: str | int | list[Any] | tuple[Any, ...] | None = None
    gpu: str | int | list[Any] | tuple[Any, ...] | None = None
    ephemeral_storage: str | int | None = None

    def __post_init__(self) -> None:
        def check(name: str, value: Any, valid: tuple[type, ...]) -> None:
            if value is None:
                return
            single = isinstance(value, valid) and not isinstance(value, bool)
            multiple = isinstance(value, list | tuple) and all(isinstance(v, valid) for v in value)
            if not single and not multiple:
                names = ", ".join(v.__name__ for v in valid)
                raise AssertionError(
                    f"Resources({name}={value!r}): {name} should be of type {names} or a list/tuple of {names}"
                )
            if multiple and len(value) != 2:
                raise ValueError(f"Resources({name}={value!r}): a (request, limit) pair must be of length 2")

        check("cpu", self.cpu, (str, int, float))
        check("mem", self.mem, (str, int))
        check("gpu", self.gpu, (str, int))
        check("ephemeral_storage", self.ephemeral_storage, (str, int))


@dataclass
class ResourceSpec:
    requests: Resources
    limits: Resources

    @classmethod
    def from_multiple_resource(cls, resource: Resources) -> ResourceSpec:
        """Split ``Resources`` whose values may be ``(request, limit)`` pairs into requests and limits."""
        requests: dict[str, Any] = {}
        limits: dict[str, Any] = {}
        for field in fields(resource):
            value = getattr(resource, field.name)
            if value is None:
                continue
            if isinstance(value, list | tuple):
                requests[field.name], limits[field.name] = value
            else:
                requests[field.name] = value
        return ResourceSpec(requests=Resources(**requests), limits=Resources(**limits))


def _check_resource_is_singular(resource: Resources) -> None:
    for field in fields(resource):
        value = getattr(resource, field.name)
        if isinstance(value, list | tuple):
            raise ValueError(f"{resource} can not be a list or tuple: use resources= for (request, limit) pairs")


def construct_resource_spec(
    requests: Resources | None, limits: Resources | None, resources: Resources | None
) -> tuple[Resources | None, Resources | None]:
    """The (requests, limits) a task asked for with ``requests=``/``limits=`` or ``resources=``."""
    if resources is not None:
        if requests is not None or limits is not None:
            raise ValueError("`resource` can not be used together with the `limits` or `requests`")
        spec = ResourceSpec.from_multiple_resource(resources)
        return spec.requests, spec.limits
    if requests is not None:
        _check_resource_is_singular(requests)
    if limits is not None:
        _check_resource_is_singular(limits)
    return requests, limits

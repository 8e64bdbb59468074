"""PodTemplate: the Kubernetes pod a task runs in (``@task(pod_template=PodTemplate(...))``).

``pod_spec`` is a ``kubernetes.client.V1PodSpec``; the ``kubernetes`` package is imported only when a
template needs a pod spec and is not a dependency of flyte-core (``pip install kubernetes``). A template
that only sets labels or annotations works without it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, is_dataclass
from typing import TYPE_CHECKING, Any

from flyte_core.exceptions.user import FlyteValidationException

if TYPE_CHECKING:
    from kubernetes.client import V1PodSpec

__all__ = ["PRIMARY_CONTAINER_DEFAULT_NAME", "PodTemplate", "serialize_pod_template"]

PRIMARY_CONTAINER_DEFAULT_NAME = "primary"


def serialize_pod_template(obj: Any) -> Any:
    """JSON-able form of a template or any part of it (kubernetes models via ``to_dict``, ImageSpec images by name)."""
    if hasattr(obj, "to_dict"):
        data = obj.to_dict()
        if type(obj).__name__ == "V1Container":
            image = getattr(obj, "image", None)
            if hasattr(image, "image_name"):
                data["image"] = image.image_name()
        return {k: serialize_pod_template(v) for k, v in data.items()}
    if isinstance(obj, list):
        return [serialize_pod_template(item) for item in obj]
    if isinstance(obj, dict):
        return {k: serialize_pod_template(v) for k, v in obj.items()}
    if is_dataclass(obj) and not isinstance(obj, type):
        return serialize_pod_template(asdict(obj))
    return obj


@dataclass
class PodTemplate:
    """A pod spec, the name of its container that runs the task, and pod labels and annotations."""

    pod_spec: V1PodSpec | None = None
    primary_container_name: str = PRIMARY_CONTAINER_DEFAULT_NAME
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None

    def __post_init__(self) -> None:
        if self.pod_spec is None:
            self.pod_spec = _empty_pod_spec()
        elif not (hasattr(self.pod_spec, "to_dict") or isinstance(self.pod_spec, dict)):
            raise FlyteValidationException(
                f"PodTemplate pod_spec must be a kubernetes.client.V1PodSpec, got {type(self.pod_spec).__name__} "
                f"{self.pod_spec!r:.80}"
            )
        if not self.primary_container_name:
            raise FlyteValidationException(
                "A primary container name cannot be undefined: PodTemplate(primary_container_name=...) names the "
                f"container of pod_spec that runs the task (default {PRIMARY_CONTAINER_DEFAULT_NAME!r})"
            )
        for field_name in ("labels", "annotations"):
            value = getattr(self, field_name)
            if value is not None and not isinstance(value, dict):
                raise FlyteValidationException(
                    f"PodTemplate {field_name} must be a dict of strings to strings, got {type(value).__name__} "
                    f"{value!r:.80}"
                )

    def version_hash(self) -> str:
        """A sha256 of the template's canonical JSON: changes whenever the template does."""
        canonical = json.dumps(serialize_pod_template(self), sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _empty_pod_spec() -> Any:
    """``V1PodSpec(containers=[])`` as flytekit makes it, or None when ``kubernetes`` is not installed."""
    try:
        from kubernetes.client import V1PodSpec
    except ImportError:
        return None
    return V1PodSpec(containers=[])

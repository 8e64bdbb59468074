"""``Options``: labels, annotations, raw-output location, security context... set when registering or launching.

They override what a launch plan declares (``pyflyte register``, ``FlyteRemote.execute(options=...)``) or
supply a workflow's defaults (``@workflow(default_options=Options(labels=...))``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flyte_core.sdk.security import Identity, SecurityContext
from flyte_core.values.common import Annotations, Labels, Notification, RawOutputDataConfig
from flyte_core.values.concurrency import ConcurrencyLimitBehavior, ConcurrencyPolicy

__all__ = [
    "Annotations",
    "ConcurrencyLimitBehavior",
    "ConcurrencyPolicy",
    "Labels",
    "Options",
]


@dataclass
class Options:
    """What may be set per registration or execution instead of per launch plan.

    Args:
        labels: labels of the execution resource.
        annotations: annotations of the execution resource.
        raw_output_data_config: where offloaded data goes (``s3://bucket/key``, ``gs://``, ``file://``).
        security_context: the identity and secrets executions run with.
        max_parallelism: the most task nodes a workflow runs at once.
        notifications: notifications of this execution.
        disable_notifications: turn every notification off.
        overwrite_cache: run cached tasks again and overwrite their cache.
    """

    labels: Labels | None = None
    annotations: Annotations | None = None
    raw_output_data_config: RawOutputDataConfig | None = None
    security_context: SecurityContext | None = None
    max_parallelism: int | None = None
    notifications: list[Notification] | None = None
    disable_notifications: bool | None = None
    overwrite_cache: bool | None = None

    @classmethod
    def default_from(cls, k8s_service_account: str | None = None, raw_data_prefix: str | None = None) -> Options:
        """Options running as ``k8s_service_account`` and writing offloaded data under ``raw_data_prefix``."""
        return cls(
            security_context=SecurityContext(run_as=Identity(k8s_service_account=k8s_service_account))
            if k8s_service_account
            else None,
            raw_output_data_config=RawOutputDataConfig(output_location_prefix=raw_data_prefix)
            if raw_data_prefix
            else None,
        )

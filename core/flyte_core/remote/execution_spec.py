"""The ``ExecutionSpec`` of a new execution, from ``FlyteRemote.execute``'s arguments, as flytekit fills it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flyteidl.admin import execution_pb2
from flyteidl.core import identifier_pb2

if TYPE_CHECKING:
    from flyte_core.sdk.options import Options

__all__ = ["execution_spec"]


def execution_spec(
    launch_plan: identifier_pb2.Identifier,
    options: Options | None,
    overwrite_cache: bool | None,
    interruptible: bool | None,
    envs: dict[str, str] | None,
    tags: list[str] | None,
    cluster_pool: str | None,
    execution_cluster_label: str | None,
) -> execution_pb2.ExecutionSpec:
    """The ``ExecutionSpec`` flytekit sends for the same arguments."""
    from flyteidl.admin import cluster_assignment_pb2, matchable_resource_pb2
    from flyteidl.core import literals_pb2 as core_literals
    from google.protobuf import wrappers_pb2

    spec = execution_pb2.ExecutionSpec(
        launch_plan=launch_plan,
        metadata=execution_pb2.ExecutionMetadata(mode=execution_pb2.ExecutionMetadata.MANUAL, principal="placeholder"),
    )
    if options is not None:
        if options.labels is not None:
            spec.labels.CopyFrom(options.labels.to_flyte_idl())
        if options.annotations is not None:
            spec.annotations.CopyFrom(options.annotations.to_flyte_idl())
        if options.raw_output_data_config is not None:
            spec.raw_output_data_config.CopyFrom(options.raw_output_data_config.to_flyte_idl())
        if options.security_context is not None:
            from flyte_core.sdk.launch_plan import security_context_to_idl

            spec.security_context.CopyFrom(security_context_to_idl(options.security_context))
        if options.max_parallelism is not None:
            spec.max_parallelism = options.max_parallelism
        if options.notifications and not options.disable_notifications:
            spec.notifications.notifications.extend(n.to_flyte_idl() for n in options.notifications)
        else:
            spec.disable_all = bool(options.disable_notifications)
        if options.overwrite_cache and overwrite_cache is None:
            overwrite_cache = True
    else:
        spec.disable_all = False  # flytekit sets the notification overrides to "not disabled"
    if overwrite_cache:
        spec.overwrite_cache = True
    if interruptible is not None:
        spec.interruptible.CopyFrom(wrappers_pb2.BoolValue(value=interruptible))
    if envs:
        spec.envs.values.extend(core_literals.KeyValuePair(key=k, value=v) for k, v in envs.items())
    if tags:
        spec.tags.extend(tags)
    if cluster_pool:
        spec.cluster_assignment.CopyFrom(cluster_assignment_pb2.ClusterAssignment(cluster_pool_name=cluster_pool))
    if execution_cluster_label:
        spec.execution_cluster_label.CopyFrom(
            matchable_resource_pb2.ExecutionClusterLabel(value=execution_cluster_label)
        )
    return spec

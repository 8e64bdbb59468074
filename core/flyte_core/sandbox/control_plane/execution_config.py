"""What an execution runs with: its request's settings, else its launch plan's, else the matchable
WORKFLOW_EXECUTION_CONFIG attributes of its workflow, project-domain or project (flyteadmin's
``getExecutionConfig`` and ``MergeIntoExecConfig``).
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import execution_pb2, launch_plan_pb2, matchable_resource_pb2

from flyte_core.sandbox.control_plane.records import ControlPlaneParts


class ExecutionConfigMixin(ControlPlaneParts):
    """The resolved spec of an execution and the matchable attributes it draws on."""

    def _resolved_spec(
        self, spec: execution_pb2.ExecutionSpec, launch_plan: launch_plan_pb2.LaunchPlan
    ) -> execution_pb2.ExecutionSpec:
        """What the engine runs with: the request's settings, else the launch plan's, else the project-domain
        WORKFLOW_EXECUTION_CONFIG attributes (flyteadmin's ``getExecutionConfig``)."""
        resolved = execution_pb2.ExecutionSpec()
        resolved.CopyFrom(spec)
        sources: list[Any] = [launch_plan.spec]
        attributes = self.matchable_attributes(
            matchable_resource_pb2.WORKFLOW_EXECUTION_CONFIG,
            spec.launch_plan.project,
            spec.launch_plan.domain,
            launch_plan.spec.workflow_id.name,
        )
        if attributes is not None:
            sources.append(attributes.workflow_execution_config)
        for source in sources:
            _merge_execution_config(resolved, source)
        if not resolved.security_context.run_as.ByteSize():
            role = spec.auth_role if spec.HasField("auth_role") else launch_plan.spec.auth_role
            if role.assumable_iam_role or role.kubernetes_service_account:
                resolved.security_context.run_as.iam_role = role.assumable_iam_role
                resolved.security_context.run_as.k8s_service_account = role.kubernetes_service_account
        if not resolved.HasField("interruptible"):
            resolved.interruptible.value = False
        return resolved

    def matchable_attributes(
        self, resource_type: int, project: str, domain: str = "", workflow: str = "", launch_plan: str = ""
    ) -> matchable_resource_pb2.MatchingAttributes | None:
        """The most specific stored attributes: workflow (and launch plan), then project-domain, then project."""
        candidates = [(domain, workflow, launch_plan)] if workflow else []
        candidates += [(domain, "", ""), ("", "", "")]
        for scope_domain, scope_workflow, scope_launch_plan in candidates:
            row = self.state.find(
                "matchable_attributes",
                "record",
                resource_type=resource_type,
                project=project,
                domain=scope_domain,
                workflow=scope_workflow,
                launch_plan=scope_launch_plan,
            )
            if row is not None:
                return matchable_resource_pb2.MatchingAttributes.FromString(row["record"])
        return None


def _merge_execution_config(target: execution_pb2.ExecutionSpec, source: Any) -> None:
    """flyteadmin's ``MergeIntoExecConfig``: fill what ``target`` leaves unset from ``source``."""
    if not target.max_parallelism and getattr(source, "max_parallelism", 0):
        target.max_parallelism = source.max_parallelism
    if not target.security_context.run_as.ByteSize() and source.HasField("security_context"):
        run_as = source.security_context.run_as
        if run_as.k8s_service_account or run_as.iam_role or run_as.execution_identity:
            target.security_context.CopyFrom(source.security_context)
    if not target.raw_output_data_config.output_location_prefix and source.HasField("raw_output_data_config"):
        target.raw_output_data_config.CopyFrom(source.raw_output_data_config)
    for name in ("labels", "annotations", "envs"):
        own = getattr(target, name)
        if not own.values and source.HasField(name) and getattr(source, name).values:
            own.CopyFrom(getattr(source, name))
    if not target.HasField("interruptible") and source.HasField("interruptible"):
        target.interruptible.CopyFrom(source.interruptible)
    if not target.overwrite_cache and getattr(source, "overwrite_cache", False):
        target.overwrite_cache = True

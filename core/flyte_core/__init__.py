"""flyte-core: write Flyte tasks and workflows, run them locally, on the sandbox or on a Flyte cluster.

The public API is resolved lazily (PEP 562): ``import flyte_core`` imports almost nothing, and each
name is imported the first time it is used.
"""

from __future__ import annotations

from flyte_core._lazy import lazy_attributes
from flyte_core._version import __version__

# name -> module that defines it; grows as the SDK does.
_LAZY: dict[str, str] = {
    "Blob": "flyte_core.values.literals",
    "BlobMetadata": "flyte_core.values.literals",
    "BlobType": "flyte_core.values.types",
    "Checkpoint": "flyte_core.sdk.checkpointer",
    "Echo": "flyte_core.sdk.echo",
    "Environment": "flyte_core.sdk.environment",
    "LOGGING_RICH_FMT_ENV_VAR": "flyte_core.loggers",
    "Literal": "flyte_core.values.literals",
    "LiteralType": "flyte_core.values.types",
    "SQLTask": "flyte_core.sdk.sql_task",
    "Scalar": "flyte_core.values.literals",
    "lazy_module": "flyte_core._lazy",
    "load_implicit_plugins": "flyte_core.plugins.manager",
    "Config": "flyte_core.config",
    "task": "flyte_core.sdk.task",
    "workflow": "flyte_core.sdk.workflow",
    "map_task": "flyte_core.sdk.map_task",
    "dynamic": "flyte_core.sdk.dynamic",
    "eager": "flyte_core.sdk.eager",
    "ContainerTask": "flyte_core.sdk.container_task",
    "WorkflowFailurePolicy": "flyte_core.sdk.workflow",
    "conditional": "flyte_core.sdk.condition",
    "LaunchPlan": "flyte_core.sdk.launch_plan",
    "CronSchedule": "flyte_core.sdk.schedule",
    "FixedRate": "flyte_core.sdk.schedule",
    "Email": "flyte_core.sdk.notification",
    "Slack": "flyte_core.sdk.notification",
    "PagerDuty": "flyte_core.sdk.notification",
    "Options": "flyte_core.sdk.options",
    "Labels": "flyte_core.values.common",
    "Annotations": "flyte_core.values.common",
    "AuthRole": "flyte_core.values.common",
    "WorkflowExecutionPhase": "flyte_core.values.execution",
    "ConcurrencyPolicy": "flyte_core.values.concurrency",
    "ConcurrencyLimitBehavior": "flyte_core.values.concurrency",
    "Workflow": "flyte_core.sdk.imperative",
    "approve": "flyte_core.sdk.gate",
    "sleep": "flyte_core.sdk.gate",
    "wait_for_input": "flyte_core.sdk.gate",
    "reference_task": "flyte_core.sdk.reference",
    "reference_workflow": "flyte_core.sdk.reference",
    "reference_launch_plan": "flyte_core.sdk.reference",
    "TaskReference": "flyte_core.sdk.reference",
    "WorkflowReference": "flyte_core.sdk.reference",
    "LaunchPlanReference": "flyte_core.sdk.reference",
    "get_reference_entity": "flyte_core.sdk.reference",
    "Resources": "flyte_core.sdk.resources",
    "Secret": "flyte_core.sdk.security",
    "SecurityContext": "flyte_core.sdk.security",
    "Cache": "flyte_core.sdk.cache",
    "CachePolicy": "flyte_core.sdk.cache",
    "VersionParameters": "flyte_core.sdk.cache",
    "kwtypes": "flyte_core.sdk.base_task",
    "TaskMetadata": "flyte_core.sdk.base_task",
    "PythonFunctionTask": "flyte_core.sdk.python_function_task",
    "PythonInstanceTask": "flyte_core.sdk.python_function_task",
    "current_context": "flyte_core.context",
    "new_context": "flyte_core.context",
    "ExecutionParameters": "flyte_core.context",
    "FlyteContext": "flyte_core.context",
    "FlyteContextManager": "flyte_core.context",
    "Deck": "flyte_core.sdk.deck",
    "ImageSpec": "flyte_core.sdk.image_spec",
    "PodTemplate": "flyte_core.sdk.pod_template",
    "Documentation": "flyte_core.sdk.docs",
    "Description": "flyte_core.sdk.docs",
    "SourceCode": "flyte_core.sdk.docs",
    "logger": "flyte_core.loggers",
    "create_node": "flyte_core.sdk.node_creation",
    "FlyteAnnotation": "flyte_core.sdk.annotation",
    "HashMethod": "flyte_core.sdk.hash",
    "FlyteRemote": "flyte_core.remote",
    "FlyteFile": "flyte_core.types.file.file",
    "FlyteDirectory": "flyte_core.types.directory.types",
    "StructuredDataset": "flyte_core.types.structured.structured_dataset",
    "StructuredDatasetFormat": "flyte_core.types.structured.structured_dataset",
    "StructuredDatasetTransformerEngine": "flyte_core.types.structured.structured_dataset",
    "StructuredDatasetType": "flyte_core.types.structured.structured_dataset",
}

__all__ = ["__version__", *_LAZY]


__getattr__ = lazy_attributes(globals(), _LAZY)


def __dir__() -> list[str]:
    return sorted(__all__)

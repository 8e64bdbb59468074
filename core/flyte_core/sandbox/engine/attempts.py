"""The attempts of one task — a task node, or one item of an array node: start a process, read its result,
retry by propeller's rules (``nodes/executor.go`` ``isEligibleForRetry``), time it out, use the task cache."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from flyteidl.core import catalog_pb2, execution_pb2, identifier_pb2, literals_pb2, tasks_pb2, workflow_pb2

from flyte_core.sandbox.engine import naming, runner
from flyte_core.sandbox.engine.state import Attempts, ProcessRecord

if TYPE_CHECKING:
    from flyte_core.sandbox.blobs import BlobStore
    from flyte_core.sandbox.engine.workflow import ExecutionRun

ExecutionError: TypeAlias = execution_pb2.ExecutionError
CacheStatus: TypeAlias = catalog_pb2.CatalogCacheStatus

MAX_SYSTEM_FAILURES = 3
"""propeller's ``max-node-retries-system-failures``: retries of system errors, counted apart from the user's."""


@dataclass
class TaskRun:
    """How to run the attempts of one task (computed each time from the spec and the stored state)."""

    template: tasks_pb2.TaskTemplate
    key: str
    """The key of its live process in the run."""
    unique_id: str
    """The node unique id naming its directories and generated names."""
    record: Attempts
    input_uri: str
    input_prefix: str
    output_dir: Callable[[int], str]
    """The blob path of an attempt's output prefix."""
    raw_prefix: Callable[[int], str]
    """The URI of an attempt's raw output prefix."""
    log_path: Callable[[int], Path]
    name_key: str
    max_attempts: int
    timeout: float | None
    extra_env: dict[str, str] = field(default_factory=dict)

    def output_uri(self, blobs: BlobStore) -> str:
        """The URI of the current attempt's output prefix."""
        return blobs.uri(self.output_dir(self.record.attempt))


def max_attempts(node: workflow_pb2.Node, template: tasks_pb2.TaskTemplate) -> int:
    """Attempts allowed for user errors: ``node.metadata.retries`` (when not 0) else the task's, plus one."""
    if node.HasField("metadata") and node.metadata.HasField("retries") and node.metadata.retries.retries:
        return int(node.metadata.retries.retries) + 1
    if template.HasField("metadata") and template.metadata.HasField("retries"):
        return int(template.metadata.retries.retries) + 1
    return 1


def timeout_seconds(node: workflow_pb2.Node, template: tasks_pb2.TaskTemplate) -> float | None:
    """The execution deadline of one attempt: the node's timeout, else the task's (None: none)."""
    for holder in (node.metadata if node.HasField("metadata") else None, template.metadata):
        if holder is not None and holder.HasField("timeout"):
            seconds = float(holder.timeout.ToTimedelta().total_seconds())
            if seconds > 0:
                return seconds
    return None


def describe_timeout(seconds: float) -> str:
    return f"{seconds:g}s"


# -- processes ---------------------------------------------------------------------------------------------------


def start_attempt(run: ExecutionRun, task: TaskRun) -> ExecutionError | None:
    """Start the current attempt's process (a process slot is held); a permanent error if it cannot run."""
    template = task.template
    record = task.record
    attempt = record.attempt
    try:
        container = runner.task_container(template)
    except runner.TaskNotRunnable as exc:
        return ExecutionError(code="TaskNotRunnable", message=str(exc), kind=ExecutionError.USER)
    prefix = runner.python_prefix(container.image, run.settings)
    argv = runner.resolve_executable(container.argv, prefix)
    if argv is None:
        return ExecutionError(
            code="CommandNotFound",
            message=(
                f"task '{template.id.name}': '{container.argv[0]}' is not in {prefix}/bin nor on PATH; the image "
                f"'{container.image}' maps to the Python environment {prefix} (set the sandbox's image environments "
                "to a virtualenv where flyte-core is installed)"
            ),
            kind=ExecutionError.SYSTEM,
        )
    output_dir = task.output_dir(attempt)
    output_prefix = run.clear_dir(output_dir)
    raw_prefix = task.raw_prefix(attempt)
    run.make_dir_for(raw_prefix)
    previous = ""
    if attempt > 0:
        earlier = f"{task.raw_prefix(attempt - 1)}/_flytecheckpoints"
        if run.dir_exists(earlier):
            previous = earlier
    paths = runner.AttemptPaths(
        input=task.input_uri,
        input_prefix=task.input_prefix,
        output_prefix=output_prefix,
        raw_output_prefix=raw_prefix,
        checkpoint_prefix=f"{raw_prefix}/_flytecheckpoints",
        previous_checkpoint_prefix=previous,
        per_retry_key=naming.per_retry_unique_key(run.execution.name, task.name_key, attempt),
        namespace=f"{run.execution.project}-{run.execution.domain}",
        task_template_path=f"{output_prefix}/task.pb",
    )
    inputs = run.read_map(task.input_uri) if any("inputs." in arg.lower() for arg in argv) else None
    if any("tasktemplatepath" in arg.lower() for arg in argv):
        run.blobs.write_bytes(f"{output_dir}/task.pb", template.SerializeToString())
    try:
        argv = runner.render(argv, paths, inputs)
    except runner.TemplateError as exc:
        return ExecutionError(code="TemplateRenderingFailed", message=str(exc), kind=ExecutionError.USER)
    env = runner.task_environment(
        prefix=prefix,
        container_env=container.env,
        execution_env=[(kv.key, kv.value) for kv in run.spec.envs.values],
        extra_env=run.settings.extra_env,
        internal={**run.internal_env(template, attempt), **task.extra_env},
    )
    work_dir = tempfile.mkdtemp(prefix="flyte-task-", dir=run.work_root)
    argv = runner.confine_dest_dirs(argv, work_dir)
    log_path = task.log_path(attempt)
    try:
        process = runner.TaskProcess.start(argv, env, Path(work_dir), log_path, runner.describe(argv, env))
    except OSError as exc:
        shutil.rmtree(work_dir, ignore_errors=True)
        return ExecutionError(
            code="ProcessStartFailed", message=f"cannot start {argv[0]}: {exc}", kind=ExecutionError.SYSTEM
        )
    record.process = ProcessRecord(pid=process.pid, identity=process.identity, work_dir=work_dir)
    record.started_at = time.time()
    run.watch(task.key, process, work_dir)
    return None


def forget_orphan(run: ExecutionRun, record: Attempts) -> bool:
    """A process recorded by an earlier engine (before a restart): kill it if it still runs; whether there was one."""
    process = record.process
    if process is None:
        return False
    runner.kill_recorded(process.pid, process.identity, run.kill_grace)
    shutil.rmtree(process.work_dir, ignore_errors=True)
    record.process = None
    return True


def result_of(run: ExecutionRun, task: TaskRun, exit_code: int) -> runner.AttemptResult:
    """How the current attempt ended, from its exit status and what it wrote."""
    task.record.process = None
    expects_outputs = bool(task.template.interface.outputs.variables)
    return runner.read_result(
        run.blobs, task.output_uri(run.blobs), exit_code, expects_outputs, task.log_path(task.record.attempt)
    )


def timeout_error(seconds: float) -> ExecutionError:
    return ExecutionError(
        code="TimeoutExpired",
        message=f"task execution timeout [{describe_timeout(seconds)}] expired",
        kind=ExecutionError.USER,
    )


def next_attempt(record: Attempts, result: runner.AttemptResult, allowed: int) -> ExecutionError | None:
    """Move to the next attempt if the failure may be retried (None), else the node's final error."""
    error = result.error
    assert error is not None
    if not result.recoverable:
        return error
    if error.kind == ExecutionError.SYSTEM:
        current, maximum = record.system_failures, MAX_SYSTEM_FAILURES
        eligible = record.system_failures < MAX_SYSTEM_FAILURES
        record.system_failures += 1
    else:
        current, maximum = record.attempt + 1 - record.system_failures, allowed
        eligible = current < allowed
    if not eligible:
        kind = ExecutionError.ErrorKind.Name(error.kind)
        return ExecutionError(
            code=f"RetriesExhausted|{error.code}",
            message=f"[{current}/{maximum}] currentAttempt done. Last Error: {kind}::{error.message}",
            kind=ExecutionError.USER,
            error_uri=error.error_uri,
        )
    record.attempt += 1
    record.started_at = None
    record.task_phase = None
    record.phase_version = 0
    return None


# -- the task cache --------------------------------------------------------------------------------------------------


def cache_template(node: workflow_pb2.Node, template: tasks_pb2.TaskTemplate) -> tasks_pb2.TaskTemplate | None:
    """The template the cache is keyed by, with the node's cache overrides; None when the task is not cached."""
    metadata = node.metadata if node.HasField("metadata") else None
    discoverable = template.metadata.discoverable
    if metadata is not None and metadata.HasField("cacheable"):
        discoverable = metadata.cacheable
    if not discoverable:
        return None
    keyed = tasks_pb2.TaskTemplate()
    keyed.CopyFrom(template)
    keyed.metadata.discoverable = True
    if metadata is not None and metadata.HasField("cache_version"):
        keyed.metadata.discovery_version = metadata.cache_version
    if metadata is not None and metadata.HasField("cache_serializable"):
        keyed.metadata.cache_serializable = metadata.cache_serializable
    return keyed


def catalog_metadata(
    template: tasks_pb2.TaskTemplate, execution: identifier_pb2.WorkflowExecutionIdentifier
) -> catalog_pb2.CatalogMetadata:
    """Where the cached outputs are, as propeller's catalog names it (dataset ``flyte_task-<task name>``)."""
    return catalog_pb2.CatalogMetadata(
        dataset_id=identifier_pb2.Identifier(
            resource_type=identifier_pb2.DATASET,
            project=template.id.project,
            domain=template.id.domain,
            name=f"flyte_task-{template.id.name}",
            version=template.metadata.discovery_version,
        ),
        source_task_execution=identifier_pb2.TaskExecutionIdentifier(
            task_id=template.id,
            node_execution_id=identifier_pb2.NodeExecutionIdentifier(execution_id=execution),
        ),
    )


def reservation_key(template: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap) -> tuple[str, ...]:
    """What a cache-serializable task's reservation is for: the task, its cache version and these inputs."""
    return (
        template.id.project,
        template.id.domain,
        template.id.name,
        template.metadata.discovery_version,
        inputs.SerializeToString(deterministic=True).hex(),
    )

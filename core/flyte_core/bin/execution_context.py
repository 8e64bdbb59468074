"""The context a task runs in inside a container, built from the entrypoint's arguments and environment.

The backend describes the run in environment variables (flytekit's names, long and short forms):
``FLYTE_INTERNAL_EXECUTION_{PROJECT,DOMAIN,ID,WORKFLOW,LAUNCHPLAN}`` / ``_F_PRJ, _F_DM, _F_NM, _F_WF, _F_LP``,
``FLYTE_INTERNAL_TASK_{PROJECT,DOMAIN,NAME,VERSION}`` / ``_F_TK_PRJ, _F_TK_DM, _F_TK_NM, _F_TK_V``, and
``_F_SS_C``, the serialization settings the task was registered with (dynamic tasks serialize with them).
"""

from __future__ import annotations

import datetime
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flyte_core.bin.arguments import ExecuteArguments
from flyte_core.config.serialization import SERIALIZED_CONTEXT_ENV_VAR, SerializationSettings
from flyte_core.context import ExecutionParameters, ExecutionState, FlyteContext, FlyteContextManager


@dataclass(frozen=True)
class ContainerEnvironment:
    """Who is running: the execution's and the task's ids, as the backend sets them."""

    execution_project: str = ""
    execution_domain: str = ""
    execution_name: str = ""
    execution_workflow: str = ""
    execution_launchplan: str = ""
    task_project: str = ""
    task_domain: str = ""
    task_name: str = ""
    task_version: str = ""
    serialized_settings: str = ""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> ContainerEnvironment:
        """Read the long names first, then the short ones."""
        env = os.environ if environ is None else environ

        def first(*names: str) -> str:
            for name in names:
                if name in env:
                    return env[name]
            return ""

        return cls(
            execution_project=first("FLYTE_INTERNAL_EXECUTION_PROJECT", "_F_PRJ"),
            execution_domain=first("FLYTE_INTERNAL_EXECUTION_DOMAIN", "_F_DM"),
            execution_name=first("FLYTE_INTERNAL_EXECUTION_ID", "_F_NM"),
            execution_workflow=first("FLYTE_INTERNAL_EXECUTION_WORKFLOW", "_F_WF"),
            execution_launchplan=first("FLYTE_INTERNAL_EXECUTION_LAUNCHPLAN", "_F_LP"),
            task_project=first("FLYTE_INTERNAL_TASK_PROJECT", "_F_TK_PRJ"),
            task_domain=first("FLYTE_INTERNAL_TASK_DOMAIN", "_F_TK_DM"),
            task_name=first("FLYTE_INTERNAL_TASK_NAME", "_F_TK_NM"),
            task_version=first("FLYTE_INTERNAL_TASK_VERSION", "_F_TK_V"),
            serialized_settings=env.get(SERIALIZED_CONTEXT_ENV_VAR, ""),
        )

    def upload_metadata(self) -> dict[str, str]:
        """What every upload is tagged with (as flytekit tags it), where the store supports metadata."""
        return {
            "flyte-execution-project": self.execution_project,
            "flyte-execution-domain": self.execution_domain,
            "flyte-execution-launchplan": self.execution_launchplan,
            "flyte-execution-workflow": self.execution_workflow,
            "flyte-execution-name": self.execution_name,
        }


@contextmanager
def task_execution_context(args: ExecuteArguments, env: ContainerEnvironment) -> Iterator[FlyteContext]:
    """A context in ``TASK_EXECUTION`` mode for the ``with`` block: file access, ids, checkpoint, settings.

    The file-access provider (rooted in a fresh temporary directory, writing offloaded data under
    ``--raw-output-data-prefix``) is made when something first uses it: see :mod:`flyte_core.bin.transfers`.

    Raises:
        ConfigError: ``_F_SS_C`` cannot be decoded.
    """
    from flyte_core.bin.transfers import DeferredFileAccess
    from flyte_core.loggers import user_space_logger
    from flyte_core.values.identifier import Identifier, ResourceType, WorkflowExecutionIdentifier

    sandbox = tempfile.mkdtemp(prefix="flyte")
    raw_output_prefix = args.raw_output_data_prefix or os.path.join(sandbox, "raw")

    def file_access() -> Any:
        from flyte_core.data.file_access import FileAccessProvider

        return FileAccessProvider(
            local_sandbox_dir=sandbox, raw_output_prefix=raw_output_prefix, execution_metadata=env.upload_metadata()
        )

    checkpoint = None
    if args.checkpoint_path is not None:
        from flyte_core.sdk.checkpointer import SyncCheckpoint

        checkpoint = SyncCheckpoint(checkpoint_dest=args.checkpoint_path, checkpoint_src=args.prev_checkpoint)
    params = ExecutionParameters(
        execution_date=datetime.datetime.now(datetime.timezone.utc),
        tmp_dir=tempfile.mkdtemp(prefix="user_space", dir=sandbox),
        stats=None,
        execution_id=WorkflowExecutionIdentifier(
            project=env.execution_project, domain=env.execution_domain, name=env.execution_name
        ),
        logging=user_space_logger,
        raw_output_prefix=args.raw_output_data_prefix,
        output_metadata_prefix=args.output_prefix,
        checkpoint=checkpoint,
        task_id=Identifier(ResourceType.TASK, env.task_project, env.task_domain, env.task_name, env.task_version),
    )
    state = ExecutionState(
        working_dir=sandbox,
        mode=ExecutionState.Mode.TASK_EXECUTION,
        user_space_params=params,
    )
    ctx = (
        FlyteContextManager.current_context()
        .new_builder()
        .with_file_access(DeferredFileAccess(file_access))  # type: ignore[arg-type]
        .with_execution_state(state)
        .with_serialization_settings(_serialization_settings(args, env))
    )
    with FlyteContextManager.with_context(ctx) as task_ctx:
        yield task_ctx


def _serialization_settings(args: ExecuteArguments, env: ContainerEnvironment) -> SerializationSettings:
    """The registration's settings (``_F_SS_C``), completed with this run's project, domain, version and code."""
    if env.serialized_settings:
        settings = SerializationSettings.from_transport(env.serialized_settings)
    else:
        from flyte_core.config.images import ImageConfig

        settings = SerializationSettings(ImageConfig.auto())
    builder = settings.new_builder()
    builder.project = builder.project or env.execution_project
    builder.domain = builder.domain or env.execution_domain
    builder.version = env.task_version
    if args.dynamic_addl_distro:
        from flyte_core.config.serialization import FastSerializationSettings

        builder.fast_serialization_settings = FastSerializationSettings(
            enabled=True, destination_dir=args.dynamic_dest_dir, distribution_location=args.dynamic_addl_distro
        )
    return builder.build()

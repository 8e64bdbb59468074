"""Launching: ``FlyteRemote.execute`` and the conversion of Python inputs to the literals of the interface.

``ExecutionLaunching`` registers a local entity first when needed, checks the inputs against the registered
interface (uploading local files through the data proxy) and creates the execution.
"""

from __future__ import annotations

import typing
import uuid
from typing import Any

from flyteidl.admin import execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2

from flyte_core.config.images import ImageConfig
from flyte_core.config.serialization import SerializationSettings
from flyte_core.exceptions.user import FlyteValueException
from flyte_core.remote.data import uploading_to
from flyte_core.remote.entities import FlyteLaunchPlan, FlyteWorkflow, RemoteEntity
from flyte_core.remote.execution_spec import execution_spec
from flyte_core.remote.executions import FlyteWorkflowExecution
from flyte_core.remote.following import ExecutionFollowing
from flyte_core.remote.registration import EntityRegistration

if typing.TYPE_CHECKING:
    from flyte_core.sdk.options import Options

__all__ = ["ExecutionLaunching"]


class ExecutionLaunching(EntityRegistration, ExecutionFollowing):
    """``FlyteRemote.execute``: register when needed, convert the inputs, create the execution."""

    def execute(
        self,
        entity: Any,
        inputs: dict[str, Any] | None = None,
        project: str | None = None,
        domain: str | None = None,
        name: str | None = None,
        version: str | None = None,
        execution_name: str | None = None,
        execution_name_prefix: str | None = None,
        image_config: ImageConfig | None = None,
        options: Options | None = None,
        wait: bool = False,
        type_hints: dict[str, Any] | None = None,
        overwrite_cache: bool | None = None,
        interruptible: bool | None = None,
        envs: dict[str, str] | None = None,
        tags: list[str] | None = None,
        cluster_pool: str | None = None,
        execution_cluster_label: str | None = None,
        serialization_settings: SerializationSettings | None = None,
    ) -> FlyteWorkflowExecution:
        """Launch ``entity`` (a fetched task, workflow or launch plan, or a local one) with ``inputs``.

        A local entity is registered first: fast-registered with its project's code when no
        ``serialization_settings`` are given (so it runs on the sandbox or a cluster without building an
        image), else with those settings. A fetched workflow runs through its default launch plan.
        """
        project, domain = self._project_domain(project, domain)
        inputs = dict(inputs or {})
        python_types: dict[str, Any] = {}
        output_types: dict[str, Any] | None = None
        if isinstance(entity, RemoteEntity):
            target: RemoteEntity = entity
            if isinstance(entity, FlyteWorkflow):
                target = self.fetch_launch_plan(entity.project, entity.domain, entity.name, entity.version)
            python_types = target.python_input_types
        else:
            target, python_types, output_types = self._registered_for_local(
                entity, project, domain, version, image_config, options, serialization_settings, envs
            )
            inputs = {**_task_defaults(entity), **inputs}
        python_types.update(type_hints or {})
        literal_inputs = self._to_literal_map(target, inputs, python_types, project, domain)
        name = execution_name
        if execution_name_prefix and not name:
            name = f"{execution_name_prefix}-{uuid.uuid4().hex}"[:20].rstrip("-")
        spec = execution_spec(
            target.id, options, overwrite_cache, interruptible, envs, tags, cluster_pool, execution_cluster_label
        )
        request = execution_pb2.ExecutionCreateRequest(
            project=project, domain=domain, name=name or "", spec=spec, inputs=literal_inputs
        )
        created = self._call("CreateExecution", request)
        proto = self._call("GetExecution", execution_pb2.WorkflowExecutionGetRequest(id=created.id))
        execution = FlyteWorkflowExecution(proto, self)
        execution._python_output_types = output_types
        if wait:
            return self.wait(execution)
        return execution

    def _registered_for_local(
        self,
        entity: Any,
        project: str,
        domain: str,
        version: str | None,
        image_config: ImageConfig | None,
        options: Options | None,
        settings: SerializationSettings | None,
        envs: dict[str, str] | None,
    ) -> tuple[RemoteEntity, dict[str, Any], dict[str, Any]]:
        from flyte_core.sdk.base_task import Task
        from flyte_core.sdk.launch_plan import LaunchPlan
        from flyte_core.sdk.reference import ReferenceEntity
        from flyte_core.sdk.workflow import WorkflowBase

        if not isinstance(entity, Task | WorkflowBase | LaunchPlan | ReferenceEntity):
            raise FlyteValueException(
                entity, "cannot be executed remotely: expected a task, workflow or launch plan (local or fetched)"
            )
        interface = entity.python_interface
        python_types = {k: v for k, v in interface.inputs.items()}
        output_types = dict(interface.outputs)
        if isinstance(entity, ReferenceEntity):
            ref = entity.id
            fetched: RemoteEntity = {
                identifier_pb2.TASK: self.fetch_task,
                identifier_pb2.WORKFLOW: self.fetch_launch_plan,
                identifier_pb2.LAUNCH_PLAN: self.fetch_launch_plan,
            }[ref.resource_type](ref.project, ref.domain, ref.name, ref.version)
            return fetched, python_types, output_types
        if settings is None and version is None:
            registered = self.register_script(
                entity, image_config=image_config, project=project, domain=domain, options=options
            )
            version = registered.version
        else:
            settings = self._settings(settings, version, project, domain)
            if image_config is not None:
                settings.image_config = image_config
            if envs and not settings.env:
                settings.env = dict(envs)
            self._register_entity(entity, settings, default_launch_plan=True, options=options)
            version = settings.version
        if isinstance(entity, Task):
            return self.fetch_task(project, domain, entity.name, version), python_types, output_types
        return self.fetch_launch_plan(project, domain, entity.name, version), python_types, output_types

    def _to_literal_map(
        self, target: RemoteEntity, inputs: dict[str, Any], python_types: dict[str, Any], project: str, domain: str
    ) -> literals_pb2.LiteralMap:
        """Inputs as literals of the registered interface; local files are uploaded through the data proxy."""
        from flyte_core.types.type_engine import TypeEngine

        variables = target.interface.inputs.variables
        fixed: set[str] = set(target.fixed_inputs.literals) if isinstance(target, FlyteLaunchPlan) else set()
        defaults = _default_parameters(target)
        literal_map = literals_pb2.LiteralMap()
        for key in inputs:
            if key not in variables or key in fixed:
                allowed = sorted(set(variables) - fixed)
                what = "a fixed input" if key in fixed else "not an input"
                takes = ", ".join(allowed) or "none"
                raise FlyteValueException(
                    key, f"'{key}' is {what} of {_describe(target)}; the inputs it takes are: {takes}"
                )
        missing = [k for k in variables if k not in inputs and k not in fixed and _is_required(defaults, k)]
        if missing:
            raise FlyteValueException(
                ", ".join(missing),
                f"{_describe(target)} needs the input(s) {', '.join(missing)}: pass them in inputs={{...}}",
            )
        with self._data_context(project, domain) as ctx:
            for key, value in inputs.items():
                if isinstance(value, literals_pb2.Literal):
                    literal_map.literals[key].CopyFrom(value)
                    continue
                variable = variables[key]
                python_type = python_types.get(key) or TypeEngine.guess_python_type(variable.type)
                try:
                    literal = TypeEngine.to_literal(ctx, value, python_type, variable.type)
                except Exception as exc:
                    raise FlyteValueException(
                        value, f"{value!r} cannot be the input '{key}' of {_describe(target)}: {exc}"
                    ) from exc
                literal_map.literals[key].CopyFrom(literal)
        return literal_map

    def _data_context(self, project: str, domain: str) -> Any:
        """A context whose raw data goes to ``data_upload_location`` (``flyte://``: the data proxy)."""
        import contextlib

        from flyte_core.context import FlyteContextManager, _local_sandbox_dir
        from flyte_core.data.file_access import FileAccessProvider

        @contextlib.contextmanager
        def scope() -> Any:
            provider = FileAccessProvider(
                local_sandbox_dir=_local_sandbox_dir(),
                raw_output_prefix=self._data_upload_location,
                data_config=self._config.data_config,
            )
            ctx = FlyteContextManager.current_context()
            with (
                uploading_to(self._upload_target(project, domain)),
                FlyteContextManager.with_context(ctx.with_file_access(provider)) as new_ctx,
            ):
                yield new_ctx

        return scope()


def _task_defaults(entity: Any) -> dict[str, Any]:
    """A local task's Python defaults (a registered task carries none; its launch is given them), None for
    optional inputs without one."""
    from flyte_core.sdk.base_task import Task
    from flyte_core.types.union import UnionTransformer

    if not isinstance(entity, Task):
        return {}
    defaults: dict[str, Any] = {}
    for name, (python_type, default) in entity.python_interface.inputs_with_defaults.items():
        if default is not None or UnionTransformer.is_optional_type(python_type):
            defaults[name] = default
    return defaults


def _describe(entity: RemoteEntity) -> str:
    kind = {identifier_pb2.TASK: "task", identifier_pb2.WORKFLOW: "workflow"}.get(entity.resource_type, "launch plan")
    return f"{kind} '{entity.name}' (version {entity.version})"


def _default_parameters(entity: RemoteEntity) -> Any:
    return entity.default_inputs.parameters if isinstance(entity, FlyteLaunchPlan) else None


def _is_required(defaults: Any, key: str) -> bool:
    if defaults is None:
        return True
    parameter = defaults.get(key)
    return parameter is None or (parameter.required and not parameter.HasField("default"))

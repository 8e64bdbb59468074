"""Eager workflows on a Flyte backend: what an ``@eager`` function calls runs as an execution of its own.

In a container (``pyflyte-execute``) the calls an eager function makes go to an :class:`EagerController`, its
worker queue. Each call launches the entity through ``FlyteRemote``:

- the entity is the one registered with the eager task's own version (registered together with it, or
  registered on first use with the eager task's serialization settings, so it runs the same code);
- the execution's name is derived from the parent execution, the entity, the call's order and its inputs,
  so a retried eager task finds the executions its previous attempt started instead of starting them again;
- it is labelled ``eager-exec: <parent execution>`` and ``eager-root-exec: <first eager execution>``
  (flytekit's labels; the admin service indexes labels as execution tags), and gets ``_F_EE_ROOT`` so a
  nested eager task keeps the root;
- it is polled until done; its outputs come back as Python values, its failure as :class:`EagerException`.

When an eager workflow fails, its clean-up task calls :func:`terminate_tagged_executions` to stop the
executions it left running.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import threading
import time
import typing
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from flyteidl.admin import common_pb2, execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2

from flyte_core.exceptions.eager import EagerException
from flyte_core.exceptions.user import FlyteAssertion, FlyteEntityAlreadyExistsException, FlyteEntityNotExistException
from flyte_core.remote.entities import FlyteLaunchPlan, RemoteEntity
from flyte_core.remote.executions import FlyteWorkflowExecution

if TYPE_CHECKING:
    from flyte_core.config.serialization import SerializationSettings
    from flyte_core.context import FlyteContext
    from flyte_core.remote.remote import FlyteRemote

__all__ = [
    "EAGER_ROOT_ENV_NAME",
    "EAGER_ROOT_TAG_KEY",
    "EAGER_TAG_KEY",
    "EagerController",
    "terminate_tagged_executions",
]

EAGER_TAG_KEY = "eager-exec"
"""The label naming the eager execution that started an execution."""
EAGER_ROOT_TAG_KEY = "eager-root-exec"
"""The label naming the outermost eager execution (the same as ``eager-exec`` unless eager tasks nest)."""
EAGER_ROOT_ENV_NAME = "_F_EE_ROOT"
"""The environment variable handing the root eager execution's name to the executions an eager task starts."""

_log = logging.getLogger("flyte_core.eager")

_ADMIN = "AdminService"
_PHASE = core_execution_pb2.WorkflowExecution
_DONE = frozenset({_PHASE.SUCCEEDED, _PHASE.FAILED, _PHASE.ABORTED, _PHASE.TIMED_OUT})
_LIVE_PHASES = ("UNDEFINED", "QUEUED", "RUNNING", "SUCCEEDING", "FAILING")
_NAME_LENGTH = 20  # flyteadmin before 2022 (and the sandbox) accept execution names up to 20 characters


class EagerController:
    """The worker queue of an eager task running on a backend: launches each call, waits, returns its outputs.

    Args:
        remote: the control plane the eager task runs on.
        settings: the eager task's serialization settings (``_F_SS_C``): project, domain, version and code
            of the entities it calls.
        execution: the eager execution (project, domain, name): sub-executions run in its project and domain.
        root: the outermost eager execution's name (``_F_EE_ROOT``), the execution's own when not nested.
        base_context: the task's context, in which entities are registered and inputs converted.
        poll_interval: the first wait between checks of a running execution; it grows to ``max_poll_interval``.
    """

    def __init__(
        self,
        remote: FlyteRemote,
        settings: SerializationSettings,
        execution: identifier_pb2.WorkflowExecutionIdentifier,
        root: str | None = None,
        base_context: FlyteContext | None = None,
        poll_interval: float = 0.25,
        max_poll_interval: float = 5.0,
    ) -> None:
        self.remote = remote
        self.settings = settings
        self.execution = execution
        self.root = root or execution.name
        self._base_context = base_context
        self._poll_interval = poll_interval
        self._max_poll_interval = max_poll_interval
        self._calls: dict[str, int] = {}
        self._targets: dict[tuple[str, str], Any] = {}
        self._lock = threading.RLock()  # reentrant: the SIGTERM handler may interrupt its holder
        self.launched: list[FlyteWorkflowExecution] = []
        """Every execution started (or found again after a retry) so far, in launch order."""

    @classmethod
    def for_task_execution(cls, ctx: FlyteContext) -> EagerController:
        """The controller of the eager task running in ``ctx`` (a container): ``Config.auto()`` finds the backend.

        Raises:
            FlyteAssertion: the context lacks the execution id or the version the eager task was registered
                with (this is not a run started by a Flyte backend).
        """
        from flyte_core.config import Config
        from flyte_core.remote.remote import FlyteRemote

        params = ctx.user_space_params
        exec_id = getattr(params, "execution_id", None) if params is not None else None
        settings = ctx.serialization_settings
        if exec_id is None or not exec_id.name or settings is None or not settings.version:
            raise FlyteAssertion(
                "launching an eager workflow's calls needs FlyteRemote, the eager execution's id and the version "
                "the eager task was registered with; this process has "
                f"execution id {exec_id or 'none'} and version {getattr(settings, 'version', None) or 'none'} "
                "(set by pyflyte-execute from FLYTE_INTERNAL_EXECUTION_ID, FLYTE_INTERNAL_TASK_VERSION and _F_SS_C). "
                "Run the eager workflow on a Flyte backend (pyflyte run --remote), or locally: "
                "asyncio.run(my_eager_wf(...))"
            )
        execution = identifier_pb2.WorkflowExecutionIdentifier(
            project=exec_id.project, domain=exec_id.domain, name=exec_id.name
        )
        remote = FlyteRemote(
            Config.auto(),
            default_project=exec_id.project or settings.project,
            default_domain=exec_id.domain or settings.domain,
            data_upload_location=getattr(params, "raw_output_prefix", None) or "flyte://my-s3-bucket/",
        )
        root = os.environ.get(EAGER_ROOT_ENV_NAME) or exec_id.name
        return cls(remote, settings, execution, root=root, base_context=ctx)

    # -- the worker-queue protocol -------------------------------------------------------------------------------

    def add(self, entity: Any, input_kwargs: dict[str, Any]) -> Coroutine[Any, Any, Any]:
        """Launch ``entity`` with ``input_kwargs``; await the result for its outputs as Python values.

        The call's order among the calls of the same entity is fixed here, when it is made, so execution
        names do not depend on how the event loop interleaves the launches.
        """
        with self._lock:
            index = self._calls.get(entity.name, 0)
            self._calls[entity.name] = index + 1
        return self._run(entity, dict(input_kwargs), index)

    async def _run(self, entity: Any, inputs: dict[str, Any], index: int) -> Any:
        execution = await asyncio.to_thread(self._launch, entity, inputs, index)
        interval = self._poll_interval
        while execution.proto.closure.phase not in _DONE:
            await asyncio.sleep(interval)
            interval = min(interval * 1.5, self._max_poll_interval)
            proto = await asyncio.to_thread(self._get_execution, execution.proto.id)
            execution = FlyteWorkflowExecution(proto, self.remote)
        return await asyncio.to_thread(self._result, entity, execution)

    # -- launching -----------------------------------------------------------------------------------------------

    def execution_name(self, entity: Any, index: int, inputs: dict[str, Any]) -> str:
        """The name of the ``index``-th execution of ``entity`` with ``inputs`` started by this eager execution.

        Deterministic (a retry of the eager task finds the executions of its previous attempt) and at most 20
        characters (``e-<entity>-<digest>``), which every flyteadmin accepts.
        """
        kind = type(entity).__name__
        components = f"{self.execution.name}|{kind}|{entity.name}|{index}|{sorted(inputs.items())!r}"
        digest = hashlib.md5(components.encode("utf-8")).hexdigest()[:12]
        short = re.sub(r"[^a-z0-9]+", "-", entity.name.rsplit(".", 1)[-1].lower()).strip("-")[:5].strip("-")
        name = f"e-{short}-{digest}" if short else f"e-{digest}"
        return name[:_NAME_LENGTH]

    def _launch(self, entity: Any, inputs: dict[str, Any], index: int) -> FlyteWorkflowExecution:
        from flyte_core.context import FlyteContextManager
        from flyte_core.sdk.options import Options
        from flyte_core.values.common import Labels

        base = self._base_context or FlyteContextManager.current_context()
        with FlyteContextManager.with_context(base):
            with self._lock:  # one registration per entity, and one transport opened for all launches
                target = self._registered(entity)
            name = self.execution_name(entity, index, inputs)
            interface = getattr(entity, "python_interface", None)
            inputs = _launch_inputs(entity, target, inputs)
            labels = Labels({EAGER_TAG_KEY: self.execution.name, EAGER_ROOT_TAG_KEY: self.root})
            try:
                execution = self.remote.execute(
                    target,
                    inputs=inputs,
                    project=self.execution.project,
                    domain=self.execution.domain,
                    execution_name=name,
                    options=Options(labels=labels),
                    envs={EAGER_ROOT_ENV_NAME: self.root},
                    type_hints=dict(interface.inputs) if interface is not None else None,
                )
            except FlyteEntityAlreadyExistsException:  # started by a previous attempt of this eager task
                execution = self.remote.fetch_execution(self.execution.project, self.execution.domain, name)
        _log.info("eager execution %s started %s (%s)", self.execution.name, name, entity.name)
        with self._lock:
            self.launched.append(execution)
        return execution

    def _registered(self, entity: Any) -> Any:
        """What to execute for ``entity``: the registered task or launch plan of the eager task's version.

        Entities registered together with the eager task are fetched; others are registered first, with the
        eager task's settings (the same code distribution and image).
        """
        from flyte_core.sdk.base_task import Task
        from flyte_core.sdk.launch_plan import LaunchPlan
        from flyte_core.sdk.reference import ReferenceEntity
        from flyte_core.sdk.workflow import WorkflowBase

        self.remote.backend  # noqa: B018 - opened here, under the lock, rather than by concurrent launches
        if isinstance(entity, RemoteEntity | ReferenceEntity):
            return entity  # FlyteRemote.execute fetches a reference by its own id
        settings = self.settings
        project, domain, version = settings.project, settings.domain, settings.version
        key = (type(entity).__name__, entity.name)
        if key in self._targets:
            return self._targets[key]
        remote = self.remote
        if isinstance(entity, Task):
            try:
                target: Any = remote.fetch_task(project, domain, entity.name, version)
            except FlyteEntityNotExistException:
                target = remote.register_task(entity, settings, version)
        elif isinstance(entity, LaunchPlan | WorkflowBase):
            try:
                target = remote.fetch_launch_plan(project, domain, entity.name, version)
            except FlyteEntityNotExistException:
                if isinstance(entity, LaunchPlan):
                    target = remote.register_launch_plan(
                        entity, version, project, domain, serialization_settings=settings
                    )
                else:
                    remote.register_workflow(entity, settings, version)
                    target = remote.fetch_launch_plan(project, domain, entity.name, version)
        else:
            raise FlyteAssertion(
                f"an eager workflow called {entity!r}, which cannot run as an execution: call tasks, workflows, "
                "launch plans or reference entities"
            )
        self._targets[key] = target
        return target

    # -- following -----------------------------------------------------------------------------------------------

    def _get_execution(self, ident: identifier_pb2.WorkflowExecutionIdentifier) -> execution_pb2.Execution:
        request = execution_pb2.WorkflowExecutionGetRequest(id=ident)
        return self.remote.backend.call(_ADMIN, "GetExecution", request)

    def _result(self, entity: Any, execution: FlyteWorkflowExecution) -> Any:
        """The outputs of a finished execution as the local call would return them; its failure raised."""
        from flyte_core.context import FlyteContextManager

        closure = execution.proto.closure
        where = f"'{entity.name}' (execution {execution.name})"
        if closure.phase == _PHASE.FAILED:
            error = closure.error
            raise EagerException(f"{where} failed: {error.message or error.code or 'no error message'}")
        if closure.phase == _PHASE.ABORTED:
            raise EagerException(f"{where} was aborted: {closure.abort_metadata.cause or 'no cause given'}")
        if closure.phase == _PHASE.TIMED_OUT:
            raise EagerException(f"{where} timed out")
        synced = self.remote.sync_execution(execution)
        literals = synced.outputs.literals
        interface = getattr(entity, "python_interface", None)
        if interface is None:  # a fetched entity: its registered interface gives the types
            values = tuple(synced.outputs.as_python_native().values())
            return values[0] if len(values) == 1 else (values or None)
        from flyte_core.sdk.promise import Promise, create_native_named_tuple

        names = list(interface.outputs)
        missing = [n for n in names if n not in literals]
        if missing:
            raise EagerException(
                f"{where} succeeded without the output(s) {', '.join(missing)}: it has {', '.join(literals) or 'none'}"
            )
        if not names:
            return None
        promises = [Promise(n, literals[n]) for n in names]
        base = self._base_context or FlyteContextManager.current_context()
        with FlyteContextManager.with_context(base) as ctx:
            return create_native_named_tuple(ctx, promises[0] if len(promises) == 1 else tuple(promises), interface)

    def terminate_running(self, cause: str) -> list[str]:
        """Ask the backend to stop every execution this controller started that has not finished; their names."""
        with self._lock:
            launched = list(self.launched)
        stopped = []
        for execution in launched:
            try:
                proto = self._get_execution(execution.proto.id)
                if proto.closure.phase in _DONE:
                    continue
                self.remote.terminate(execution, cause)
                stopped.append(execution.name)
            except Exception as exc:  # one that cannot be stopped must not keep the others running
                _log.warning("could not stop %s: %s", execution.name, exc)
        return stopped


def _launch_inputs(entity: Any, target: Any, inputs: dict[str, Any]) -> dict[str, Any]:
    """The inputs to launch ``target`` with, for a call of ``entity`` with ``inputs``.

    A registered task has no defaults (the local call supplies them), so the function's defaults are filled
    in, ``None`` for an optional input without one; a launch plan's fixed inputs are its own, not the call's.
    """
    from flyte_core.sdk.base_task import Task

    if isinstance(target, FlyteLaunchPlan):
        fixed = set(target.fixed_inputs.literals)
        return {k: v for k, v in inputs.items() if k not in fixed}
    if not isinstance(entity, Task):
        return inputs
    filled = dict(inputs)
    for name, (python_type, default) in entity.python_interface.inputs_with_defaults.items():
        if name in filled:
            continue
        if default is not None:
            filled[name] = default
        elif type(None) in typing.get_args(python_type):
            filled[name] = None
    return filled


def terminate_tagged_executions(
    execution: Any,
    remote: FlyteRemote | None = None,
    tag_key: str = EAGER_TAG_KEY,
    reason: str | None = None,
    timeout: float = 60.0,
) -> list[str]:
    """Stop the executions labelled ``tag_key: <execution's name>`` that are still running; their names.

    ``execution`` is the eager execution's id (``WorkflowExecutionIdentifier``, or anything with project,
    domain and name). The executions labelled ``eager-root-exec`` with its name (started by nested eager
    tasks) are stopped too when ``tag_key`` is ``eager-exec``. Executions that appear while stopping the
    others are stopped as well, until none is left or ``timeout`` seconds have passed.
    """
    project, domain, name = execution.project, execution.domain, execution.name
    if remote is None:
        from flyte_core.config import Config
        from flyte_core.remote.remote import FlyteRemote

        with FlyteRemote(Config.auto(), default_project=project, default_domain=domain) as owned:
            return terminate_tagged_executions(execution, owned, tag_key, reason, timeout)
    keys = [tag_key, EAGER_ROOT_TAG_KEY] if tag_key == EAGER_TAG_KEY else [tag_key]
    cause = reason or f"stopped by the clean-up of eager execution {name}"
    stopped: list[str] = []
    asked: set[str] = set()
    deadline = time.monotonic() + timeout
    while True:
        running = [e for key in keys for e in _list_tagged(remote, project, domain, key, name)]
        fresh = [e for e in running if e.id.name not in asked]
        if not fresh:
            return stopped
        for proto in fresh:
            asked.add(proto.id.name)
            try:
                remote.terminate(FlyteWorkflowExecution(proto, remote), cause)
                stopped.append(proto.id.name)
            except Exception as exc:  # finished meanwhile, or already being stopped
                _log.info("could not stop %s: %s", proto.id.name, exc)
        if time.monotonic() >= deadline:
            return stopped


def _list_tagged(remote: FlyteRemote, project: str, domain: str, key: str, value: str) -> list[Any]:
    """The live executions of ``project``/``domain`` labelled ``key: value``, newest first."""
    filters = (
        f"value_in(execution_tag.key,{key})+value_in(execution_tag.value,{value})"
        f"+value_in(phase,{';'.join(_LIVE_PHASES)})"
    )
    found: list[Any] = []
    token = ""
    while True:
        request = common_pb2.ResourceListRequest(
            id=common_pb2.NamedEntityIdentifier(project=project, domain=domain),
            limit=100,
            token=token,
            filters=filters,
            sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.DESCENDING),
        )
        response = remote.backend.call(_ADMIN, "ListExecutions", request)
        found.extend(response.executions)
        token = response.token
        if not token:
            return found

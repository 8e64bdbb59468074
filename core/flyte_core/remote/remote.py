"""``FlyteRemote``: register, launch and follow entities on a Flyte control plane (a cluster or the sandbox).

Every call goes through a ``RemoteBackend`` (the gRPC admin client by default, chosen by the endpoint's
scheme); this module turns SDK entities and Python values into admin requests and the answers back into
``FlyteTask`` / ``FlyteWorkflow`` / ``FlyteLaunchPlan`` and ``FlyteWorkflowExecution`` objects.
"""

from __future__ import annotations

import base64
import datetime
import os
import time
import typing
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flyteidl.admin import (
    common_pb2,
    execution_pb2,
    launch_plan_pb2,
    node_execution_pb2,
    task_execution_pb2,
    task_pb2,
    workflow_pb2,
)
from flyteidl.core import identifier_pb2, interface_pb2, literals_pb2
from google.protobuf.message import Message

from flyte_core.config import Config
from flyte_core.config.images import ImageConfig
from flyte_core.config.serialization import FastSerializationSettings, SerializationSettings
from flyte_core.exceptions.user import (
    FlyteAssertion,
    FlyteEntityAlreadyExistsException,
    FlyteEntityNotExistException,
    FlyteTimeout,
    FlyteValueException,
)
from flyte_core.remote.backend import RemoteBackend, open_backend
from flyte_core.remote.data import UploadTarget, upload_file, uploading_to
from flyte_core.remote.entities import FlyteLaunchPlan, FlyteTask, FlyteWorkflow, RemoteEntity
from flyte_core.remote.execution_spec import execution_spec
from flyte_core.remote.executions import (
    FlyteNodeExecution,
    FlyteTaskExecution,
    FlyteWorkflowExecution,
)
from flyte_core.remote.interactive import (
    MAX_PICKLE_BYTES,
    entities_referenced_by,
    in_fileless_main,
    in_notebook,
    main_source_file,
)
from flyte_core.remote.literals import LiteralsResolver, guess_literal_type
from flyte_core.remote.versions import version_from_hash, version_from_messages, with_version

if typing.TYPE_CHECKING:
    from flyte_core.sdk.options import Options

__all__ = ["FastPackageOptions", "FlyteRemote", "RegistrationResult"]

_ADMIN = "AdminService"
_FIRST_POLL = 0.05
_MAX_POLL = 10.0
_NODE_PAGE = 100
_TERMINAL_NODE = ("start-node", "end-node")


@dataclass(frozen=True)
class FastPackageOptions:
    """What goes in a fast-registration archive: ``copy_style`` ``"auto"`` (imported modules) or ``"all"``.

    flytekit's other fields are accepted; the ignore rules are always the standard ones (git, ``.dockerignore``,
    ``.flyteignore``), so ``ignores``, ``keep_default_ignores`` and ``show_files`` change nothing yet.
    """

    ignores: Sequence[Any] = ()
    keep_default_ignores: bool = True
    copy_style: str | None = None
    show_files: bool = False


@dataclass(frozen=True)
class RegistrationResult:
    """What a registration sent: the version and the identifiers, in the order they were created."""

    version: str
    identifiers: list[identifier_pb2.Identifier]
    already_existed: int


class FlyteRemote:
    """A client of one Flyte control plane.

    Args:
        config: where the control plane is and how to authenticate (``Config.auto()``, ``Config.for_sandbox()``).
        default_project: project used when a call gives none (``flytesnacks`` when unset, as flytekit's CLI).
        default_domain: domain used when a call gives none (``development`` when unset).
        data_upload_location: where local files given as inputs are uploaded (``flyte://`` = through the
            control plane's data proxy).
        interactive_mode_enabled: register entities defined in ``__main__`` or a notebook by pickling them;
            None means: when running in IPython/Jupyter.
        backend_kwargs: passed to the backend factory (gRPC channel options...).
    """

    def __init__(
        self,
        config: Config,
        default_project: str | None = None,
        default_domain: str | None = None,
        data_upload_location: str = "flyte://my-s3-bucket/",
        interactive_mode_enabled: bool | None = None,
        **backend_kwargs: Any,
    ) -> None:
        if config is None or not isinstance(config, Config):
            raise FlyteValueException(config, "FlyteRemote needs a Config, e.g. Config.auto() or Config.for_sandbox()")
        self._config = config
        self._default_project = default_project or os.environ.get("FLYTE_DEFAULT_PROJECT") or "flytesnacks"
        self._default_domain = default_domain or os.environ.get("FLYTE_DEFAULT_DOMAIN") or "development"
        self._data_upload_location = data_upload_location
        self._interactive_mode_enabled = (
            in_notebook() if interactive_mode_enabled is None else bool(interactive_mode_enabled)
        )
        self._backend_kwargs = backend_kwargs
        self._backend: RemoteBackend | None = None
        self._entity_cache: dict[tuple[int, str, str, str, str], Any] = {}

    # -- construction ---------------------------------------------------------------------------------

    @classmethod
    def auto(
        cls,
        config_file: Any = None,
        default_project: str | None = None,
        default_domain: str | None = None,
        **kwargs: Any,
    ) -> FlyteRemote:
        """A remote configured by ``Config.auto(config_file)``."""
        return cls(Config.auto(config_file), default_project, default_domain, **kwargs)

    @classmethod
    def for_sandbox(
        cls, default_project: str | None = None, default_domain: str | None = None, **kwargs: Any
    ) -> FlyteRemote:
        """A remote of the local sandbox (``pyflyte sandbox start``)."""
        return cls(Config.for_sandbox(), default_project, default_domain, **kwargs)

    @classmethod
    def for_endpoint(
        cls,
        endpoint: str,
        insecure: bool = False,
        default_project: str | None = None,
        default_domain: str | None = None,
        **kwargs: Any,
    ) -> FlyteRemote:
        """A remote of ``endpoint`` with the other settings from ``Config.auto()``."""
        return cls(Config.for_endpoint(endpoint, insecure), default_project, default_domain, **kwargs)

    @property
    def config(self) -> Config:
        return self._config

    @property
    def default_project(self) -> str:
        return self._default_project

    @property
    def default_domain(self) -> str:
        return self._default_domain

    @property
    def interactive_mode_enabled(self) -> bool:
        return self._interactive_mode_enabled

    @property
    def backend(self) -> RemoteBackend:
        """The transport, opened on first use."""
        if self._backend is None:
            self._backend = open_backend(self._config, **self._backend_kwargs)
        return self._backend

    client = backend
    """flytekit's name for the transport."""

    def close(self) -> None:
        """Close the transport; the remote opens a new one if used again."""
        if self._backend is not None:
            self._backend.close()
            self._backend = None

    def __enter__(self) -> FlyteRemote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, request: Message, service: str = _ADMIN) -> Any:
        return self.backend.call(service, method, request)

    def _project_domain(self, project: str | None, domain: str | None) -> tuple[str, str]:
        return project or self._default_project, domain or self._default_domain

    # -- fetching -------------------------------------------------------------------------------------

    def fetch_task(
        self, project: str | None = None, domain: str | None = None, name: str | None = None, version: str | None = None
    ) -> FlyteTask:
        """The registered task; the newest version when ``version`` is None."""
        return FlyteTask(self._fetch(identifier_pb2.TASK, project, domain, name, version))

    def fetch_workflow(
        self, project: str | None = None, domain: str | None = None, name: str | None = None, version: str | None = None
    ) -> FlyteWorkflow:
        """The registered workflow with its compiled closure; the newest version when ``version`` is None."""
        return FlyteWorkflow(self._fetch(identifier_pb2.WORKFLOW, project, domain, name, version))

    def fetch_launch_plan(
        self, project: str | None = None, domain: str | None = None, name: str | None = None, version: str | None = None
    ) -> FlyteLaunchPlan:
        """The registered launch plan; the newest version when ``version`` is None."""
        return FlyteLaunchPlan(self._fetch(identifier_pb2.LAUNCH_PLAN, project, domain, name, version))

    def fetch_active_launchplan(
        self, project: str | None = None, domain: str | None = None, name: str | None = None
    ) -> FlyteLaunchPlan | None:
        """The active version of launch plan ``name``, or None when no version is active."""
        project, domain = self._project_domain(project, domain)
        request = launch_plan_pb2.ActiveLaunchPlanRequest(
            id=common_pb2.NamedEntityIdentifier(project=project, domain=domain, name=_required(name, "name"))
        )
        try:
            return FlyteLaunchPlan(self._call("GetActiveLaunchPlan", request))
        except FlyteEntityNotExistException:
            return None

    def _fetch(
        self, resource_type: int, project: str | None, domain: str | None, name: str | None, version: str | None
    ) -> Any:
        project, domain = self._project_domain(project, domain)
        name = _required(name, "name")
        key = (resource_type, project, domain, name, version or "")
        if version and key in self._entity_cache:
            return self._entity_cache[key]
        kind, get, listing = _KINDS[resource_type]
        if not version:
            latest = self._list(listing, project, domain, name, limit=1)
            if not latest:
                raise FlyteEntityNotExistException(
                    f"no {kind} named '{name}' is registered in {project}/{domain}; register it first "
                    "(pyflyte register, or pyflyte run --remote)"
                )
            version = latest[0].id.version
        ident = identifier_pb2.Identifier(
            resource_type=resource_type, project=project, domain=domain, name=name, version=version
        )
        proto = self._call(get, common_pb2.ObjectGetRequest(id=ident))
        self._entity_cache[(resource_type, project, domain, name, version)] = proto
        return proto

    def _list(
        self, method: str, project: str, domain: str, name: str | None, limit: int = 100, filters: str = ""
    ) -> list[Any]:
        request = common_pb2.ResourceListRequest(
            id=common_pb2.NamedEntityIdentifier(project=project, domain=domain, name=name or ""),
            limit=limit,
            sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.DESCENDING),
            filters=filters,
        )
        return list(getattr(self._call(method, request), _LIST_FIELD[method]))

    def list_entity_names(
        self, resource_type: int, project: str | None = None, domain: str | None = None, limit: int = 100
    ) -> list[str]:
        """Names of the registered tasks, workflows or launch plans of a project and domain."""
        project, domain = self._project_domain(project, domain)
        response = self._call(
            "ListNamedEntities",
            common_pb2.NamedEntityListRequest(
                resource_type=resource_type,
                project=project,
                domain=domain,
                limit=limit,
                sort_by=common_pb2.Sort(key="name", direction=common_pb2.Sort.ASCENDING),
            ),
        )
        return [entity.id.name for entity in response.entities]

    def list_tasks_by_version(
        self, version: str, project: str | None = None, domain: str | None = None, limit: int = 100
    ) -> list[FlyteTask]:
        """Tasks registered with ``version``."""
        project, domain = self._project_domain(project, domain)
        protos = self._list("ListTasks", project, domain, None, limit, filters=f"eq(version,{version})")
        return [FlyteTask(p) for p in protos]

    def list_projects(self, limit: int = 100) -> list[Any]:
        """The control plane's projects (``flyteidl.admin.Project``)."""
        from flyteidl.admin import project_pb2

        return list(self._call("ListProjects", project_pb2.ProjectListRequest(limit=limit)).projects)

    def recent_executions(
        self, project: str | None = None, domain: str | None = None, limit: int = 100
    ) -> list[FlyteWorkflowExecution]:
        """The newest executions of a project and domain."""
        project, domain = self._project_domain(project, domain)
        response = self._call(
            "ListExecutions",
            common_pb2.ResourceListRequest(
                id=common_pb2.NamedEntityIdentifier(project=project, domain=domain),
                limit=limit,
                sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.DESCENDING),
            ),
        )
        return [FlyteWorkflowExecution(e, self) for e in response.executions]

    def fetch_execution(
        self, project: str | None = None, domain: str | None = None, name: str | None = None
    ) -> FlyteWorkflowExecution:
        """The execution ``name``, with its inputs and (when done) outputs."""
        project, domain = self._project_domain(project, domain)
        ident = identifier_pb2.WorkflowExecutionIdentifier(project=project, domain=domain, name=_required(name, "name"))
        proto = self._call("GetExecution", execution_pb2.WorkflowExecutionGetRequest(id=ident))
        return self.sync_execution(FlyteWorkflowExecution(proto, self))

    # -- registration ---------------------------------------------------------------------------------

    def register_task(
        self, entity: Any, serialization_settings: SerializationSettings | None = None, version: str | None = None
    ) -> FlyteTask:
        """Register a local task (and nothing else); return it as registered."""
        settings = self._settings(serialization_settings, version)
        result = self._register_entity(entity, settings, default_launch_plan=False)
        return self.fetch_task(settings.project, settings.domain, entity.name, result.version)

    def register_workflow(
        self,
        entity: Any,
        serialization_settings: SerializationSettings | None = None,
        version: str | None = None,
        default_launch_plan: bool = True,
        options: Options | None = None,
    ) -> FlyteWorkflow:
        """Register a local workflow with its tasks, sub-workflows, launch plans and default launch plan."""
        settings = self._settings(serialization_settings, version)
        result = self._register_entity(entity, settings, default_launch_plan=default_launch_plan, options=options)
        return self.fetch_workflow(settings.project, settings.domain, entity.name, result.version)

    def register_launch_plan(
        self,
        entity: Any,
        version: str | None = None,
        project: str | None = None,
        domain: str | None = None,
        options: Options | None = None,
        serialization_settings: SerializationSettings | None = None,
    ) -> FlyteLaunchPlan:
        """Register a local launch plan (and its workflow when missing)."""
        settings = self._settings(serialization_settings, version, project, domain)
        result = self._register_entity(entity, settings, default_launch_plan=False, options=options)
        return self.fetch_launch_plan(settings.project, settings.domain, entity.name, result.version)

    def register_script(
        self,
        entity: Any,
        image_config: ImageConfig | None = None,
        version: str | None = None,
        project: str | None = None,
        domain: str | None = None,
        destination_dir: str = ".",
        default_launch_plan: bool = True,
        options: Options | None = None,
        source_path: str | None = None,
        module_name: str | None = None,
        envs: dict[str, str] | None = None,
        fast_package_options: FastPackageOptions | None = None,
        copy_all: bool = False,
        default_resources: Any = None,
    ) -> FlyteTask | FlyteWorkflow | FlyteLaunchPlan:
        """Fast-register ``entity`` with the code under ``source_path``: package, upload, register.

        The version is a hash of the code archive, the settings and the images, so registering the same
        code again registers nothing new. An entity defined in a ``__main__`` without a source file (a
        notebook, the REPL) has no code to archive: in interactive mode its tasks are pickled instead.
        """
        project, domain = self._project_domain(project, domain)
        if source_path is None and in_fileless_main(entity):
            settings = SerializationSettings(
                image_config=image_config or ImageConfig.auto_default_image(),
                project=project,
                domain=domain,
                version=version or "",
                env=envs,
                default_resources=default_resources,
            )
            self._register_entity(entity, settings, default_launch_plan=default_launch_plan, options=options)
            return self._fetch_registered(entity, settings)
        copy_style = (fast_package_options.copy_style if fast_package_options else None) or (
            "all" if copy_all else "auto"
        )
        source = Path(source_path or _project_root_of(entity)).resolve()
        md5, native_url = self.fast_package(source, copy_style=copy_style, project=project, domain=domain)
        settings = SerializationSettings(
            image_config=image_config or ImageConfig.auto_default_image(),
            project=project,
            domain=domain,
            version="",
            env=envs,
            default_resources=default_resources,
            fast_serialization_settings=FastSerializationSettings(
                enabled=True, destination_dir=destination_dir, distribution_location=native_url
            ),
            source_root=str(source),
        )
        settings.version = version or version_from_hash(md5, settings)
        self._register_entity(entity, settings, default_launch_plan=default_launch_plan, options=options)
        return self._fetch_registered(entity, settings)

    def _fetch_registered(self, entity: Any, settings: SerializationSettings) -> Any:
        from flyte_core.sdk.base_task import Task
        from flyte_core.sdk.launch_plan import LaunchPlan

        if isinstance(entity, Task):
            return self.fetch_task(settings.project, settings.domain, entity.name, settings.version)
        if isinstance(entity, LaunchPlan):
            return self.fetch_launch_plan(settings.project, settings.domain, entity.name, settings.version)
        return self.fetch_workflow(settings.project, settings.domain, entity.name, settings.version)

    def fast_package(
        self,
        root: str | os.PathLike[str],
        deref_symlinks: bool = True,
        output: str | None = None,
        copy_style: str = "all",
        project: str | None = None,
        domain: str | None = None,
    ) -> tuple[bytes, str]:
        """Archive the code under ``root`` (``fast<digest>.tar.gz``) and upload it; return (md5, native URL)."""
        import tempfile

        from flyte_core.packaging.fast import fast_package

        if output is not None:
            archive = fast_package(root, output, deref_symlinks=deref_symlinks, copy_style=copy_style)  # type: ignore[arg-type]
            return self.upload_file(archive, project, domain)
        with tempfile.TemporaryDirectory(prefix="flyte-package-") as scratch:
            archive = fast_package(root, scratch, deref_symlinks=deref_symlinks, copy_style=copy_style)  # type: ignore[arg-type]
            return self.upload_file(archive, project, domain)

    def upload_file(
        self,
        to_upload: str | os.PathLike[str],
        project: str | None = None,
        domain: str | None = None,
        filename_root: str | None = None,
    ) -> tuple[bytes, str]:
        """Upload a local file through the data proxy; return its md5 digest and native URL."""
        path = Path(to_upload)
        if not path.is_file():
            raise FlyteValueException(str(to_upload), "is not a file: only files can be uploaded")
        return upload_file(self._upload_target(project, domain), path, filename_root=filename_root)

    def _upload_target(self, project: str | None = None, domain: str | None = None) -> UploadTarget:
        project, domain = self._project_domain(project, domain)
        return UploadTarget(self.backend, project, domain)

    def _settings(
        self,
        settings: SerializationSettings | None,
        version: str | None,
        project: str | None = None,
        domain: str | None = None,
    ) -> SerializationSettings:
        if settings is None:
            project, domain = self._project_domain(project, domain)
            settings = SerializationSettings(
                image_config=ImageConfig.auto_default_image(), project=project, domain=domain, version=version or ""
            )
        else:
            settings = settings.new_builder().build()
            settings.project = project or settings.project or self._default_project
            settings.domain = domain or settings.domain or self._default_domain
            settings.version = version or settings.version or ""
        return settings

    def serialize(
        self,
        entity: Any,
        settings: SerializationSettings,
        default_launch_plan: bool = True,
        options: Options | None = None,
    ) -> list[Message]:
        """``entity`` and everything it uses as admin specs, dependencies first (what registration sends)."""
        mapping = self._serialized(entity, settings, default_launch_plan, options)
        return [m for m in mapping.values() if isinstance(m, _ADMIN_TYPES)]

    def _serialized(
        self,
        entity: Any,
        settings: SerializationSettings,
        default_launch_plan: bool,
        options: Options | None,
        mapping: dict[Any, Any] | None = None,
    ) -> dict[Any, Any]:
        """The translator's mapping (local entity -> spec) of ``entity`` and its default launch plans.

        Given a ``mapping``, adds to it: what is already there is not translated again.
        """
        from flyte_core.context import FlyteContextManager
        from flyte_core.idl.translator import EntityMapping, get_serializable
        from flyte_core.sdk.launch_plan import LaunchPlan
        from flyte_core.sdk.workflow import WorkflowBase

        mapping = EntityMapping() if mapping is None else mapping
        ctx = FlyteContextManager.current_context()
        with FlyteContextManager.with_context(ctx.new_builder().with_serialization_settings(settings)) as ctx:
            get_serializable(mapping, settings, entity, options)
            if default_launch_plan:
                for workflow in [e for e in mapping if isinstance(e, WorkflowBase)]:
                    get_serializable(mapping, settings, LaunchPlan.get_default_launch_plan(ctx, workflow), options)
        return mapping

    def _register_entity(
        self, entity: Any, settings: SerializationSettings, default_launch_plan: bool, options: Options | None = None
    ) -> RegistrationResult:
        probe: list[Message] = []
        pickled: list[Any] = []
        if not settings.version or main_source_file() is None:
            mapping = self._serialized(entity, with_version(settings, "0"), default_launch_plan, options)
            probe = [m for m in mapping.values() if isinstance(m, _ADMIN_TYPES)]
            pickled = self._tasks_to_pickle(entity, mapping, with_version(settings, "0"))
        if pickled:
            return self._register_pickled(entity, pickled, probe, settings, default_launch_plan, options)
        if not settings.version:
            settings.version = version_from_messages(probe, settings)
        messages = self.serialize(entity, settings, default_launch_plan, options)
        return self.register_serialized(messages, settings.version)

    # -- interactive mode: entities defined in a notebook or the REPL -----------------------------------

    def _tasks_to_pickle(self, entity: Any, mapping: dict[Any, Any], settings: SerializationSettings) -> list[Any]:
        """The container tasks to ship in ``pkl.gz``: none unless something ``entity`` uses has no source file.

        Besides what ``entity`` uses, a dynamic task's tasks are included: the ones its function refers to,
        which it creates in the container.

        Raises:
            FlyteAssertion: interactive mode is off, or an eager task is among them.
        """
        from flyte_core.sdk.map_task import ArrayNodeMapTask
        from flyte_core.sdk.python_auto_container import PythonAutoContainerTask
        from flyte_core.sdk.python_function_task import ExecutionBehavior

        interactive = [e for e in mapping if in_fileless_main(e)]
        if not interactive:
            return []
        if not self._interactive_mode_enabled:
            named = entity if in_fileless_main(entity) else interactive[0]
            raise FlyteAssertion(
                f"'{named.name}' is defined in __main__ without a source file (a notebook, the REPL, "
                "'python -' or 'python -c'), so its code cannot be shipped as a module. Pass "
                "FlyteRemote(..., interactive_mode_enabled=True) to ship its tasks as a pickle, or move the code "
                "to a module file"
            )
        expanded: set[int] = set()
        while True:
            dynamic = [
                e
                for e in mapping
                if getattr(e, "execution_mode", None) is ExecutionBehavior.DYNAMIC and id(e) not in expanded
            ]
            if not dynamic:
                break
            expanded.update(id(e) for e in dynamic)
            for referenced in [r for d in dynamic for r in entities_referenced_by(d.task_function)]:
                self._serialized(referenced, settings, False, None, mapping)
        tasks: dict[int, Any] = {}
        for candidate in mapping:
            if getattr(candidate, "execution_mode", None) is ExecutionBehavior.EAGER:
                raise FlyteAssertion(
                    f"eager task '{candidate.name}' cannot be registered in interactive mode: it launches its tasks "
                    "through FlyteRemote from the container, which cannot import them. Move it to a module file"
                )
            if isinstance(candidate, ArrayNodeMapTask):
                candidate = candidate.python_function_task
            if isinstance(candidate, PythonAutoContainerTask):
                tasks[id(candidate)] = candidate
        return list(tasks.values())

    def _register_pickled(
        self,
        entity: Any,
        tasks: list[Any],
        probe: list[Message],
        settings: SerializationSettings,
        default_launch_plan: bool,
        options: Options | None,
    ) -> RegistrationResult:
        """Pickle ``tasks`` into ``pkl.gz``, upload it and register with it as the fast-execute distribution.

        The tasks carry the notebook resolver while pickled and serialized, and get their own back after.
        The version hashes the pickle, the settings and the specs, so a re-run registers nothing new.
        """
        import tempfile

        from flyte_core.remote.data import file_md5
        from flyte_core.sdk.notebook_resolver import default_notebook_task_resolver, write_pickle

        resolvers = [(task, task.task_resolver) for task in tasks]
        try:
            for task in tasks:
                task.set_resolver(default_notebook_task_resolver)
            with tempfile.TemporaryDirectory(prefix="flyte-interactive-") as scratch:
                path = write_pickle(tasks, scratch)
                size = path.stat().st_size
                if size > MAX_PICKLE_BYTES:
                    raise FlyteAssertion(
                        f"the pickled tasks of '{entity.name}' take {size / 2**20:.0f} MiB (limit "
                        f"{MAX_PICKLE_BYTES // 2**20} MiB): a task captures large data from the notebook's "
                        "globals; load that data inside the task or pass it as an input"
                    )
                root = base64.b32encode(file_md5(path)).decode().rstrip("=").lower()
                md5, native_url = self.upload_file(path, settings.project, settings.domain, filename_root=root)
            settings.fast_serialization_settings = FastSerializationSettings(
                enabled=True, destination_dir=".", distribution_location=native_url
            )
            if not settings.version:
                settings.version = version_from_hash(md5, settings, version_from_messages(probe, settings))
            messages = self.serialize(entity, settings, default_launch_plan, options)
        finally:
            for task, resolver in resolvers:
                task.set_resolver(resolver)
        return self.register_serialized(messages, settings.version)

    def register_serialized(
        self, messages: Sequence[Message], version: str | None = None, activate_launch_plans: Iterable[str] = ()
    ) -> RegistrationResult:
        """Send serialized specs (``pyflyte serialize`` / ``package`` output) in order; tasks go concurrently.

        An entity that already exists with the same content counts as registered. ``activate_launch_plans``
        names launch plans to activate afterwards.
        """
        tasks = [m for m in messages if isinstance(m, task_pb2.TaskSpec)]
        others = [m for m in messages if not isinstance(m, task_pb2.TaskSpec)]
        existed = 0
        identifiers: list[identifier_pb2.Identifier] = []
        with ThreadPoolExecutor(max_workers=min(8, max(1, len(tasks)))) as pool:
            for ident, was_there in pool.map(self._create, tasks):
                identifiers.append(ident)
                existed += was_there
        for message in others:
            ident, was_there = self._create(message)
            identifiers.append(ident)
            existed += was_there
        wanted = set(activate_launch_plans)
        for ident in identifiers:
            if ident.resource_type == identifier_pb2.LAUNCH_PLAN and ident.name in wanted:
                self.activate_launchplan(ident)
        found_version = version or (identifiers[0].version if identifiers else "")
        return RegistrationResult(found_version, identifiers, existed)

    def _create(self, message: Message) -> tuple[identifier_pb2.Identifier, bool]:
        if isinstance(message, task_pb2.TaskSpec):
            ident = message.template.id
            method, request = "CreateTask", task_pb2.TaskCreateRequest(id=ident, spec=message)
        elif isinstance(message, workflow_pb2.WorkflowSpec):
            ident = message.template.id
            method, request = "CreateWorkflow", workflow_pb2.WorkflowCreateRequest(id=ident, spec=message)  # type: ignore[assignment]
        elif isinstance(message, launch_plan_pb2.LaunchPlan):
            ident = message.id
            method, request = "CreateLaunchPlan", launch_plan_pb2.LaunchPlanCreateRequest(id=ident, spec=message.spec)  # type: ignore[assignment]
        else:
            raise TypeError(f"{type(message).__name__} is not registrable (TaskSpec, WorkflowSpec, LaunchPlan)")
        try:
            self._call(method, request)
        except FlyteEntityAlreadyExistsException:
            return ident, True
        return ident, False

    def activate_launchplan(self, ident: identifier_pb2.Identifier) -> None:
        """Make this version of the launch plan the active one (its schedule runs)."""
        self._update_launch_plan(ident, launch_plan_pb2.ACTIVE)

    def deactivate_launchplan(self, ident: identifier_pb2.Identifier) -> None:
        """Deactivate the launch plan version (its schedule stops)."""
        self._update_launch_plan(ident, launch_plan_pb2.INACTIVE)

    def _update_launch_plan(self, ident: identifier_pb2.Identifier, state: int) -> None:
        ident = identifier_pb2.Identifier(
            resource_type=identifier_pb2.LAUNCH_PLAN,
            project=ident.project,
            domain=ident.domain,
            name=ident.name,
            version=ident.version,
        )
        self._call("UpdateLaunchPlan", launch_plan_pb2.LaunchPlanUpdateRequest(id=ident, state=state))

    # -- executing ------------------------------------------------------------------------------------

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

    # -- following executions -------------------------------------------------------------------------

    def wait(
        self,
        execution: FlyteWorkflowExecution,
        timeout: datetime.timedelta | float | None = None,
        poll_interval: datetime.timedelta | float | None = None,
        sync_nodes: bool = True,
    ) -> FlyteWorkflowExecution:
        """Poll until the execution is done; return it synced.

        Without ``poll_interval`` the first checks come quickly (a sandbox finishes small workflows in well
        under a second) and the interval grows to 10 s for long executions.

        Raises:
            FlyteTimeout: ``timeout`` passed first.
        """
        interval = _seconds(poll_interval) if poll_interval is not None else _FIRST_POLL
        deadline = None if timeout is None else time.monotonic() + _seconds(timeout)
        while True:
            execution = self.sync_execution(execution, sync_nodes=False)
            if execution.is_done:
                return self.sync_execution(execution, sync_nodes=True) if sync_nodes else execution
            if deadline is not None and time.monotonic() >= deadline:
                raise FlyteTimeout(f"{execution._describe()} is still {execution.phase_name} after {timeout}")
            time.sleep(interval if deadline is None else max(0.0, min(interval, deadline - time.monotonic())))
            if poll_interval is None:
                interval = min(interval * 1.5, _MAX_POLL)

    def sync(
        self, execution: FlyteWorkflowExecution, entity_definition: Any = None, sync_nodes: bool = False
    ) -> FlyteWorkflowExecution:
        """Refresh an execution: phase, inputs, outputs and, with ``sync_nodes``, its node and task executions."""
        return self.sync_execution(execution, entity_definition, sync_nodes)

    def sync_execution(
        self, execution: FlyteWorkflowExecution, entity_definition: Any = None, sync_nodes: bool = False
    ) -> FlyteWorkflowExecution:
        proto = self._call("GetExecution", execution_pb2.WorkflowExecutionGetRequest(id=execution.proto.id))
        synced = FlyteWorkflowExecution(proto, self)
        synced._python_output_types = execution._python_output_types
        if entity_definition is not None and hasattr(entity_definition, "python_interface"):
            synced._python_output_types = dict(entity_definition.python_interface.outputs)
        data = self._call("GetExecutionData", execution_pb2.WorkflowExecutionGetDataRequest(id=proto.id))
        interface = self._execution_interface(proto)
        synced._inputs = LiteralsResolver(
            self._literals(data.full_inputs, data.inputs), interface.inputs.variables if interface else None
        )
        if synced.is_done and synced.is_successful:
            synced._outputs = LiteralsResolver(
                self._literals(data.full_outputs, data.outputs),
                interface.outputs.variables if interface else None,
                synced._python_output_types,
            )
        if sync_nodes:
            synced._node_executions = self._sync_nodes(proto.id, None)
        return synced

    def _execution_interface(self, proto: execution_pb2.Execution) -> interface_pb2.TypedInterface | None:
        ident = proto.spec.launch_plan
        try:
            if ident.resource_type == identifier_pb2.TASK:
                return self.fetch_task(ident.project, ident.domain, ident.name, ident.version).interface
            return self.fetch_launch_plan(ident.project, ident.domain, ident.name, ident.version).interface
        except FlyteEntityNotExistException:
            return None

    def _literals(self, inline: literals_pb2.LiteralMap, blob: Any) -> dict[str, literals_pb2.Literal]:
        """Inline values, else the offloaded ``UrlBlob`` read from storage."""
        if inline.literals or not blob.url or not blob.bytes:
            return dict(inline.literals)
        from flyte_core.context import FlyteContextManager

        ctx = FlyteContextManager.current_context()
        local = ctx.file_access.get_random_local_path()
        ctx.file_access.get_data(blob.url, local)
        loaded = literals_pb2.LiteralMap()
        loaded.ParseFromString(Path(local).read_bytes())
        return dict(loaded.literals)

    def _sync_nodes(
        self, execution_id: identifier_pb2.WorkflowExecutionIdentifier, parent: str | None
    ) -> dict[str, FlyteNodeExecution]:
        nodes: dict[str, FlyteNodeExecution] = {}
        for proto in self._list_node_executions(execution_id, parent):
            if any(marker in proto.id.node_id for marker in _TERMINAL_NODE):
                continue
            if proto.closure.HasField("error"):  # list responses trim error messages; get the whole one
                proto = self._call("GetNodeExecution", node_execution_pb2.NodeExecutionGetRequest(id=proto.id))
            node = FlyteNodeExecution(proto)
            data = self._call("GetNodeExecutionData", node_execution_pb2.NodeExecutionGetDataRequest(id=proto.id))
            node._inputs = LiteralsResolver(self._literals(data.full_inputs, data.inputs))
            if node.is_done and node.is_successful:
                node._outputs = LiteralsResolver(self._literals(data.full_outputs, data.outputs))
            if proto.metadata.is_parent_node:
                node.subworkflow_node_executions = self._sync_nodes(execution_id, proto.id.node_id)
            child = proto.closure.workflow_node_metadata.executionId
            if child.name:
                child_proto = self._call("GetExecution", execution_pb2.WorkflowExecutionGetRequest(id=child))
                node.workflow_executions = [self.sync_execution(FlyteWorkflowExecution(child_proto, self))]
            node.task_executions = self._task_executions(proto.id)
            nodes[node.node_id if parent is None else proto.id.node_id] = node
        return nodes

    def _list_node_executions(
        self, execution_id: identifier_pb2.WorkflowExecutionIdentifier, parent: str | None
    ) -> list[Any]:
        found: list[Any] = []
        token = ""
        while True:
            request = node_execution_pb2.NodeExecutionListRequest(
                workflow_execution_id=execution_id,
                limit=_NODE_PAGE,
                token=token,
                sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.ASCENDING),
                unique_parent_id=parent or "",
            )
            response = self._call("ListNodeExecutions", request)
            found.extend(response.node_executions)
            token = response.token
            if not token:
                return found

    def _task_executions(self, node_id: Any) -> list[FlyteTaskExecution]:
        response = self._call(
            "ListTaskExecutions", task_execution_pb2.TaskExecutionListRequest(node_execution_id=node_id, limit=100)
        )
        attempts = []
        for proto in response.task_executions:
            if proto.closure.HasField("error"):
                proto = self._call("GetTaskExecution", task_execution_pb2.TaskExecutionGetRequest(id=proto.id))
            attempt = FlyteTaskExecution(proto)
            if attempt.is_done:
                data = self._call("GetTaskExecutionData", task_execution_pb2.TaskExecutionGetDataRequest(id=proto.id))
                attempt._inputs = LiteralsResolver(self._literals(data.full_inputs, data.inputs))
                if attempt.is_successful:
                    attempt._outputs = LiteralsResolver(self._literals(data.full_outputs, data.outputs))
            attempts.append(attempt)
        return sorted(attempts, key=lambda a: a.retry_attempt)

    def terminate(self, execution: FlyteWorkflowExecution, cause: str) -> None:
        """Abort a running execution; ``cause`` is recorded with it."""
        self._call("TerminateExecution", execution_pb2.ExecutionTerminateRequest(id=execution.proto.id, cause=cause))

    def relaunch(
        self, execution: FlyteWorkflowExecution, name: str | None = None, overwrite_cache: bool = False
    ) -> FlyteWorkflowExecution:
        """Run the execution again with the same inputs; return the new one."""
        request = execution_pb2.ExecutionRelaunchRequest(
            id=execution.proto.id, name=name or "", overwrite_cache=overwrite_cache
        )
        created = self._call("RelaunchExecution", request)
        return self.fetch_execution(created.id.project, created.id.domain, created.id.name)

    def recover(self, execution: FlyteWorkflowExecution, name: str | None = None) -> FlyteWorkflowExecution:
        """Run a failed execution again from where it failed (succeeded nodes are reused)."""
        request = execution_pb2.ExecutionRecoverRequest(id=execution.proto.id, name=name or "")
        created = self._call("RecoverExecution", request)
        return self.fetch_execution(created.id.project, created.id.domain, created.id.name)

    # -- signals (gates: approve, wait_for_input) ---------------------------------------------------------

    def list_signals(
        self, execution_name: str, project: str | None = None, domain: str | None = None, limit: int = 100
    ) -> list[Any]:
        """The signals an execution's gates wait for or received (``flyteidl.admin.Signal``: id, type, value)."""
        from flyteidl.admin import signal_pb2

        project, domain = self._project_domain(project, domain)
        ident = identifier_pb2.WorkflowExecutionIdentifier(project=project, domain=domain, name=execution_name)
        request = signal_pb2.SignalListRequest(workflow_execution_id=ident, limit=limit)
        return list(self._call("ListSignals", request, "SignalService").signals)

    def set_signal(
        self,
        signal_id: str,
        execution_name: str,
        value: Any,
        project: str | None = None,
        domain: str | None = None,
        python_type: Any = None,
        literal_type: Any = None,
    ) -> None:
        """Give the gate ``signal_id`` of an execution its value (converted to the type the gate declared)."""
        from flyteidl.admin import signal_pb2
        from flyteidl.core import identifier_pb2 as ids

        from flyte_core.types.type_engine import TypeEngine

        project, domain = self._project_domain(project, domain)
        if isinstance(value, literals_pb2.Literal):
            literal = value
        else:
            if literal_type is None:
                declared = {s.id.signal_id: s.type for s in self.list_signals(execution_name, project, domain)}
                if signal_id not in declared:
                    raise FlyteValueException(
                        signal_id,
                        f"is not a signal of execution {execution_name}; its signals are: "
                        f"{', '.join(declared) or 'none (no gate has been reached yet)'}",
                    )
                literal_type = declared[signal_id]
            python_type = python_type or TypeEngine.guess_python_type(literal_type)
            literal = TypeEngine.to_literal(None, value, python_type, literal_type)
        ident = ids.SignalIdentifier(
            signal_id=signal_id,
            execution_id=ids.WorkflowExecutionIdentifier(project=project, domain=domain, name=execution_name),
        )
        self._call("SetSignal", signal_pb2.SignalSetRequest(id=ident, value=literal), "SignalService")

    def approve(
        self, signal_id: str, execution_name: str, project: str | None = None, domain: str | None = None
    ) -> None:
        """Approve the ``approve(...)`` gate ``signal_id``."""
        self.set_signal(signal_id, execution_name, True, project, domain, python_type=bool)

    def reject(
        self, signal_id: str, execution_name: str, project: str | None = None, domain: str | None = None
    ) -> None:
        """Reject the ``approve(...)`` gate ``signal_id`` (the execution fails there)."""
        self.set_signal(signal_id, execution_name, False, project, domain, python_type=bool)

    def set_input(
        self,
        signal_id: str,
        execution_name: str,
        value: Any,
        project: str | None = None,
        domain: str | None = None,
        python_type: Any = None,
        literal_type: Any = None,
    ) -> None:
        """Give the ``wait_for_input(...)`` gate ``signal_id`` its value."""
        self.set_signal(signal_id, execution_name, value, project, domain, python_type, literal_type)

    # -- data and console -----------------------------------------------------------------------------

    def get(self, flyte_uri: str) -> Any:
        """The data behind a ``flyte://v1/...`` URI: a ``LiteralsResolver``, one value, or signed URLs."""
        from flyteidl.service import dataproxy_pb2

        if not flyte_uri.startswith("flyte://"):
            raise FlyteValueException(flyte_uri, "is not a flyte:// data URI (e.g. flyte://v1/p/d/execution/n0/o)")
        response = self._call("GetData", dataproxy_pb2.GetDataRequest(flyte_url=flyte_uri), "DataProxyService")
        which = response.WhichOneof("data")
        if which == "literal_map":
            return LiteralsResolver(response.literal_map.literals)
        if which == "literal":
            from flyte_core.types.type_engine import TypeEngine

            literal = response.literal
            try:
                return TypeEngine.to_python_value(None, literal, guess_literal_type(literal))
            except Exception:
                return literal
        return response.pre_signed_urls

    def console_base(self) -> str:
        """The console's base URL: ``console.endpoint``, else the admin endpoint's host."""
        platform = self._config.platform
        endpoint = platform.console_endpoint or platform.endpoint
        if "://" in endpoint and not endpoint.startswith(("dns:", "grpc")):
            return endpoint.rstrip("/")
        host = endpoint.split("://", 1)[-1].removeprefix("/").removeprefix("//").lstrip("/")
        return f"{'http' if platform.insecure else 'https'}://{host}".rstrip("/")

    def generate_console_url(self, entity: Any) -> str:
        """The console page of an execution or a registered entity."""
        base = f"{self.console_base()}/console"
        if isinstance(entity, FlyteWorkflowExecution):
            ident = entity.proto.id
            return f"{base}/projects/{ident.project}/domains/{ident.domain}/executions/{ident.name}"
        if isinstance(entity, RemoteEntity):
            kind = {identifier_pb2.TASK: "task", identifier_pb2.WORKFLOW: "workflow"}.get(
                entity.resource_type, "launch_plan"
            )
            where = f"projects/{entity.project}/domains/{entity.domain}"
            return f"{base}/{where}/{kind}/{entity.name}/version/{entity.version}"
        raise FlyteValueException(entity, "has no console page: expected an execution or a registered entity")

    def get_version(self, timeout: float | None = 15.0) -> Any:
        """The control plane's version (``flyteidl.admin.Version``); gives up after ``timeout`` seconds."""
        from flyteidl.admin import version_pb2

        request = version_pb2.GetVersionRequest()
        return self.backend.call(_ADMIN, "GetVersion", request, timeout=timeout).control_plane_version


# -- helpers -----------------------------------------------------------------------------------------------

_ADMIN_TYPES = (task_pb2.TaskSpec, workflow_pb2.WorkflowSpec, launch_plan_pb2.LaunchPlan)
_KINDS = {
    identifier_pb2.TASK: ("task", "GetTask", "ListTasks"),
    identifier_pb2.WORKFLOW: ("workflow", "GetWorkflow", "ListWorkflows"),
    identifier_pb2.LAUNCH_PLAN: ("launch plan", "GetLaunchPlan", "ListLaunchPlans"),
}
_LIST_FIELD = {"ListTasks": "tasks", "ListWorkflows": "workflows", "ListLaunchPlans": "launch_plans"}


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


def _required(value: str | None, what: str) -> str:
    if not value:
        raise FlyteValueException(value, f"a {what} is required")
    return value


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


def _seconds(value: datetime.timedelta | float) -> float:
    return value.total_seconds() if isinstance(value, datetime.timedelta) else float(value)


def _project_root_of(entity: Any) -> str:
    """The project root of the module defining ``entity`` (the first ancestor that is not a package)."""
    import sys

    from flyte_core.sdk.module_loader import find_project_root

    entity = getattr(entity, "workflow", None) or entity  # a launch plan's code is its workflow's
    module = sys.modules.get(getattr(entity, "instantiated_in", None) or getattr(entity, "__module__", ""))
    target = getattr(entity, "_task_function", None) or getattr(entity, "_workflow_function", None)
    module_name = getattr(target, "__module__", None)
    if module_name:
        module = sys.modules.get(module_name, module)
    path = getattr(module, "__file__", None)
    if not path:
        return os.getcwd()
    return str(find_project_root(Path(path).resolve()))

"""Registration: local entities serialized to admin specs and created on the control plane.

``EntityRegistration`` registers tasks, workflows, launch plans and scripts (fast registration: the code
packaged, uploaded, and hashed into the version), sends serialized specs, and activates launch plans. Entities
defined in a notebook or the REPL are shipped pickled (``interactive.py``).
"""

from __future__ import annotations

import os
import typing
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2
from google.protobuf.message import Message

from flyte_core.config.images import ImageConfig
from flyte_core.config.serialization import FastSerializationSettings, SerializationSettings
from flyte_core.exceptions.user import FlyteEntityAlreadyExistsException, FlyteValueException
from flyte_core.remote.data import UploadTarget, upload_file
from flyte_core.remote.entities import FlyteLaunchPlan, FlyteTask, FlyteWorkflow
from flyte_core.remote.fetching import EntityFetching
from flyte_core.remote.interactive import in_fileless_main, main_source_file, register_pickled, tasks_to_pickle
from flyte_core.remote.versions import version_from_hash, version_from_messages, with_version

if typing.TYPE_CHECKING:
    from flyte_core.sdk.options import Options

__all__ = ["EntityRegistration", "FastPackageOptions", "RegistrationResult"]

_ADMIN_TYPES = (task_pb2.TaskSpec, workflow_pb2.WorkflowSpec, launch_plan_pb2.LaunchPlan)


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


class EntityRegistration(EntityFetching):
    """``FlyteRemote``'s registration calls: register, serialize, fast-package and upload, (de)activate."""

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
            pickled = tasks_to_pickle(self, entity, mapping, with_version(settings, "0"))
        if pickled:
            return register_pickled(self, entity, pickled, probe, settings, default_launch_plan, options)
        if not settings.version:
            settings.version = version_from_messages(probe, settings)
        messages = self.serialize(entity, settings, default_launch_plan, options)
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

"""Tasks that run their Python code in a container, and how a container finds the task again.

A ``PythonAutoContainerTask`` (the base of ``@task`` functions and of class-based tasks such as
``ShellTask``) knows what Flyte needs to start it: the image, resources, environment, pod template and
the ``pyflyte-execute`` arguments. Task-type plugins override ``get_container``, ``get_k8s_pod``,
``get_custom`` or ``get_config`` as they do with flytekit.

Inside the container the task is found by its resolver: the default resolver imports the task's
module and takes the attribute of the task's name (``task-module M task-name T``).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from flyte_core.exceptions.user import FlyteAssertion
from flyte_core.sdk.base_task import PythonTask, TaskMetadata, TaskResolverMixin
from flyte_core.sdk.resources import Resources, ResourceSpec, construct_resource_spec
from flyte_core.sdk.security import Secret, SecurityContext

if TYPE_CHECKING:
    from flyteidl.core import tasks_pb2

    from flyte_core.config.images import ImageConfig
    from flyte_core.config.serialization import SerializationSettings

T = TypeVar("T")

PRIMARY_CONTAINER_NAME_FIELD = "primary_container_name"
RUNTIME_PACKAGES_ENV_NAME = "_F_RUNTIME_PACKAGES"

EXECUTE_TEMPLATE = (
    "--inputs",
    "{{.input}}",
    "--output-prefix",
    "{{.outputPrefix}}",
    "--raw-output-data-prefix",
    "{{.rawOutputDataPrefix}}",
    "--checkpoint-path",
    "{{.checkpointOutputPrefix}}",
    "--prev-checkpoint",
    "{{.prevCheckpointPrefix}}",
)
"""The arguments Flyte substitutes for every task execution, after the entrypoint's name."""


class PythonAutoContainerTask(PythonTask[T]):
    """A Python task run by ``pyflyte-execute`` in a container: image, resources, environment, pod..."""

    def __init__(
        self,
        name: str,
        task_config: T | None,
        task_type: str = "python-task",
        container_image: Any = None,
        requests: Resources | None = None,
        limits: Resources | None = None,
        environment: dict[str, str] | None = None,
        task_resolver: TaskResolverMixin | None = None,
        secret_requests: list[Secret] | None = None,
        pod_template: Any = None,
        pod_template_name: str | None = None,
        accelerator: Any = None,
        shared_memory: bool | str | None = None,
        resources: Resources | None = None,
        **kwargs: Any,
    ) -> None:
        secrets = list(secret_requests or [])
        for secret in secrets:
            if not isinstance(secret, Secret):
                raise FlyteAssertion(f"Secret {secret} should be of type flyte_core.Secret, received {type(secret)}")
        if environment is not None and not isinstance(environment, dict):
            raise FlyteAssertion(f"task '{name}': environment must be a dict of strings, got {environment!r}")
        metadata = kwargs.get("metadata") or TaskMetadata()
        kwargs["metadata"] = metadata
        if pod_template_name is not None:
            metadata.pod_template_name = pod_template_name
        for field in ("labels", "annotations"):
            if kwargs.get(field) is not None:
                setattr(metadata, field, kwargs.pop(field))
        self._container_image = container_image
        requested, limited = construct_resource_spec(requests, limits, resources)
        self._resources = ResourceSpec(requests=requested or Resources(), limits=limited or Resources())
        self._secret_requests = secrets
        if "security_ctx" not in kwargs:
            kwargs["security_ctx"] = SecurityContext(secrets=secrets) if secrets else None
        super().__init__(task_type=task_type, name=name, task_config=task_config, environment=environment, **kwargs)
        self._task_resolver = _resolver_in_scope(self) or task_resolver or default_task_resolver
        self._get_command_fn: Callable[[SerializationSettings], list[str]] = self.get_default_command
        self.pod_template = pod_template
        self.accelerator = accelerator
        self.shared_memory = shared_memory

    @property
    def task_resolver(self) -> TaskResolverMixin:
        return self._task_resolver

    @property
    def container_image(self) -> Any:
        return self._container_image

    @property
    def resources(self) -> ResourceSpec:
        return self._resources

    @property
    def secret_requests(self) -> list[Secret]:
        return self._secret_requests

    def set_resolver(self, resolver: TaskResolverMixin) -> None:
        self._task_resolver = resolver

    # -- the container command ------------------------------------------------------------------------

    def get_default_command(self, settings: SerializationSettings) -> list[str]:
        """``pyflyte-execute ... --resolver <location> -- <loader args>``: how Flyte starts this task."""
        return [
            "pyflyte-execute",
            *EXECUTE_TEMPLATE,
            "--resolver",
            self.task_resolver.location,
            "--",
            *self.task_resolver.loader_args(settings, self),
        ]

    def set_command_fn(self, get_command_fn: Callable[[SerializationSettings], list[str]] | None = None) -> None:
        """Serialize with another command (map tasks, fast registration)."""
        self._get_command_fn = get_command_fn or self.get_default_command

    def reset_command_fn(self) -> None:
        self._get_command_fn = self.get_default_command

    def get_command(self, settings: SerializationSettings) -> list[str]:
        return self._get_command_fn(settings)

    # -- what the serializer asks for ---------------------------------------------------------------

    def get_image(self, settings: SerializationSettings) -> str:
        return get_registerable_container_image(self.container_image, settings.image_config)

    def get_container(self, settings: SerializationSettings) -> tasks_pb2.Container | None:
        """The task's container; None when a pod template carries it (see ``get_k8s_pod``)."""
        if self.pod_template is not None:
            return None
        return self._get_container(settings)

    def _get_container(self, settings: SerializationSettings) -> tasks_pb2.Container:
        from flyte_core.idl.container import container_definition

        env = {**(settings.env or {}), **(self.environment or {})}
        if isinstance(settings.default_resources, ResourceSpec) and self._resources == _UNSPECIFIED_RESOURCES:
            self._resources = settings.default_resources
        runtime_packages = getattr(self.container_image, "runtime_packages", None)
        if runtime_packages and not isinstance(self.container_image, str):
            env[RUNTIME_PACKAGES_ENV_NAME] = " ".join(runtime_packages)
        return container_definition(
            image=self.get_image(settings),
            resource_spec=self.resources,
            command=[],
            args=self.get_command(settings),
            environment=env,
        )

    def get_k8s_pod(self, settings: SerializationSettings) -> tasks_pb2.K8sPod | None:
        """The pod template with the task's container merged into its primary container."""
        if self.pod_template is None:
            return None
        from flyte_core.idl.pod import k8s_pod

        return k8s_pod(self.pod_template, self._get_container(settings), settings)

    def get_config(self, settings: SerializationSettings) -> dict[str, str] | None:
        if self.pod_template is None:
            return {}
        return {PRIMARY_CONTAINER_NAME_FIELD: self.pod_template.primary_container_name}

    def get_extended_resources(self, settings: SerializationSettings) -> tasks_pb2.ExtendedResources | None:
        from flyte_core.idl.container import extended_resources

        return extended_resources(accelerator=self.accelerator, shared_memory=self.shared_memory)


_UNSPECIFIED_RESOURCES = ResourceSpec(requests=Resources(), limits=Resources())


def _resolver_in_scope(task: Any) -> TaskResolverMixin | None:
    """The resolver of the workflow being compiled, for a task defined inside a workflow function."""
    from flyte_core.context import FlyteContextManager

    state = FlyteContextManager.current_context().compilation_state
    resolver = state.task_resolver if state is not None else None
    if resolver is not None:
        name = resolver.task_name(task)
        if name is not None:
            task._name = name
    return resolver


def get_registerable_container_image(img: Any, cfg: ImageConfig) -> str:
    """The image name to register: an ``ImageSpec``'s name, or ``{{.image.<name>.<fqn|version>}}`` resolved.

    With no image of its own a task runs in the default image of the serialization settings.
    """
    if img is not None and not isinstance(img, str):
        found = cfg.find_image(img.id) if hasattr(img, "id") else None
        if found is not None:
            return str(found.full)
        return str(img.image_name())
    if img:
        for group, name, attr in _IMAGE_REFERENCE.findall(img):
            found = cfg.find_image(name)
            if found is None:
                known = ", ".join(sorted(i.name for i in (cfg.images or []) if i.name)) or "none"
                raise FlyteAssertion(
                    f"image '{img}' refers to the image '{name}', which the image configuration does not define "
                    f"(images: {known}); pass --image {name}=<image> or add it to the config file's images"
                )
            if attr == "version":
                version = found.version or (cfg.default_image.version if cfg.default_image else None) or ""
                colon_group = f":{group}"
                if ":" in version and colon_group in img:
                    img = img.replace(colon_group, f"@{version}")  # a digest follows an @, not a :
                else:
                    img = img.replace(group, version)
            elif attr == "fqn":
                img = img.replace(group, found.fqn)
            elif attr == "":
                img = img.replace(group, found.full)
            else:
                raise FlyteAssertion(
                    f"image '{img}': only fqn and version can be looked up in an image reference, not '{attr}'"
                )
        return img
    if cfg.default_image is None:
        raise FlyteAssertion(
            "no default image to run the task in: pass --image <image> or set images in the config file"
        )
    return str(cfg.default_image.full)


# {{.image.<name>.<attr>}}: <name> is "default" or an image of the configuration, <attr> fqn, version or none.
_IMAGE_REFERENCE = re.compile(r"({{\s*\.image[s]?(?:\.([a-zA-Z0-9_]+))(?:\.([a-zA-Z0-9_]+))?\s*}})")


# -- finding a task again in a container ---------------------------------------------------------------


class DefaultTaskResolver(TaskResolverMixin):
    """``task-module <module> task-name <attribute>``: the task is a module-level attribute."""

    @property
    def location(self) -> str:
        # flytekit's name for it on the wire: pyflyte-execute maps it to this object.
        return "flytekit.core.python_auto_container.default_task_resolver"

    def name(self) -> str:
        return "DefaultTaskResolver"

    def load_task(self, loader_args: list[str]) -> Any:
        _, task_module, _, task_name, *_ = loader_args
        module = importlib.import_module(task_module)
        return getattr(module, task_name)

    def loader_args(self, settings: Any, task: Any) -> list[str]:
        module, name = task_module_and_name(task)
        return ["task-module", module, "task-name", name]

    def get_all_tasks(self) -> list[Any]:
        raise NotImplementedError


default_task_resolver = DefaultTaskResolver()


def main_module_name(file: str | None = None) -> str:
    """The importable module name of ``__main__`` (relative to the first ancestor without ``__init__.py``)."""
    main = sys.modules.get("__main__")
    path = file or getattr(main, "__file__", None)
    if not path or not os.path.isfile(path):  # a notebook, the REPL, ``python -`` ("<stdin>") or ``-c``
        return "__main__"
    path = os.path.abspath(path)
    directory, filename = os.path.split(path)
    parts = [os.path.splitext(filename)[0]]
    while os.path.exists(os.path.join(directory, "__init__.py")):
        directory, package = os.path.split(directory)
        parts.insert(0, package)
    return ".".join(parts)


def task_module_and_name(task: Any) -> tuple[str, str]:
    """Where a task can be imported from: (module, attribute name).

    A function task is found through its function; any other task where it was made, by its variable.
    """
    function = getattr(task, "task_function", None)
    module = function.__module__ if function is not None else task.instantiated_in
    if module == "__main__":
        module = main_module_name()
    return module, function.__name__ if function is not None else task.lhs


def instantiating_module() -> str:
    """The module constructing a task: the first calling frame outside flyte_core and outside the constructors
    of task classes (a plugin's task class, defined in the plugin's module, is not where the task is made)."""
    frame = sys._getframe(1)
    while frame is not None and _inside_the_sdk(frame):
        frame = frame.f_back  # type: ignore[assignment]
    name = str(frame.f_globals.get("__name__", "__main__")) if frame is not None else "__main__"
    return main_module_name() if name == "__main__" else name


def _inside_the_sdk(frame: Any) -> bool:
    if str(frame.f_globals.get("__name__", "")).startswith("flyte_core."):
        return True
    return frame.f_code.co_name == "__init__" and isinstance(frame.f_locals.get("self"), PythonTask)


__all__ = [
    "DefaultTaskResolver",
    "PythonAutoContainerTask",
    "TaskResolverMixin",
    "default_task_resolver",
    "get_registerable_container_image",
]

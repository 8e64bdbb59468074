"""``ContainerTask``: a task that runs any container image (``raw-container``), not Python code of this project.

Inputs reach the container as ``{{.inputs.x}}`` in the command (files and directories as paths under
``input_data_dir``); outputs are files named after each output in ``output_data_dir``. Registered, the
backend (flytepropeller's copilot) moves the data. Locally the image runs with Docker, as flytekit does:
that needs the ``docker`` Python package and a running Docker engine.
"""

from __future__ import annotations

import datetime
import os
import re
import typing
from enum import Enum
from typing import Any

from flyte_core.context import FlyteContextManager
from flyte_core.sdk.base_task import PythonTask, TaskMetadata
from flyte_core.sdk.interface import Interface
from flyte_core.sdk.resources import Resources, ResourceSpec
from flyte_core.sdk.security import Secret, SecurityContext

if typing.TYPE_CHECKING:
    from flyteidl.core import literals_pb2, tasks_pb2

_PRIMARY_CONTAINER_NAME_FIELD = "primary_container_name"
_INPUT_TEMPLATE = re.compile(r"^\{\{\s*\.inputs\.(.*?)\s*\}\}$")
_TIMEDELTA = re.compile(r"(?:(\d+) days?, )?(?:(\d+):)?(\d+):(\d+)(?:\.(\d+))?")


def _docker_missing_message(task_name: str) -> str:
    return (
        f"ContainerTask '{task_name}' runs its image locally with Docker: install the Docker SDK for Python "
        "(pip install docker) and start a Docker engine, or run the task on a Flyte backend "
        "(pyflyte run --remote). Docker is not installed. Please install Docker by running `pip install docker`."
    )


class ContainerTask(PythonTask[None]):
    """A task running ``command`` (+ ``arguments``) in ``image``; inputs and outputs go through files."""

    class MetadataFormat(Enum):
        """How the input/output literal maps are written for the container (``DataLoadingConfig.format``)."""

        JSON = 0
        YAML = 1
        PROTO = 2

    class IOStrategy(Enum):
        """When inputs are downloaded and outputs uploaded (``IOStrategy``; download and upload modes share values)."""

        DOWNLOAD_EAGER = 0
        DOWNLOAD_STREAM = 1
        DO_NOT_DOWNLOAD = 2
        UPLOAD_EAGER = 1
        UPLOAD_ON_EXIT = 0
        DO_NOT_UPLOAD = 2

    def __init__(
        self,
        name: str,
        image: Any,
        command: list[str],
        inputs: dict[str, type] | None = None,
        metadata: TaskMetadata | None = None,
        arguments: list[str] | None = None,
        outputs: dict[str, type] | None = None,
        requests: Resources | None = None,
        limits: Resources | None = None,
        input_data_dir: str | None = None,
        output_data_dir: str | None = None,
        metadata_format: ContainerTask.MetadataFormat = MetadataFormat.JSON,
        io_strategy: ContainerTask.IOStrategy | None = None,
        secret_requests: list[Secret] | None = None,
        pod_template: Any = None,
        pod_template_name: str | None = None,
        local_logs: bool = False,
        resources: Resources | None = None,
        **kwargs: Any,
    ) -> None:
        security = None
        if secret_requests:
            for secret in secret_requests:
                if not isinstance(secret, Secret):
                    raise AssertionError(
                        f"ContainerTask '{name}': secret {secret!r} should be of type flyte_core.Secret, received "
                        f"{type(secret).__name__}"
                    )
            security = SecurityContext(secrets=list(secret_requests))
        metadata = metadata or TaskMetadata()
        metadata.pod_template_name = pod_template_name
        super().__init__(
            task_type="raw-container",
            name=name,
            interface=Interface(inputs, outputs),
            metadata=metadata,
            task_config=None,
            security_ctx=security,
            **kwargs,
        )
        self._image = image
        self._cmd = command
        self._args = arguments
        self._input_data_dir = input_data_dir
        self._output_data_dir = output_data_dir
        self._outputs = dict(outputs) if outputs else {}
        self._md_format = metadata_format
        self._io_strategy = io_strategy
        if resources is not None:
            if limits is not None or requests is not None:
                raise ValueError(
                    "`resource` can not be used together with the `limits` or `requests`. Please only set `resource`."
                )
            self._resources = ResourceSpec.from_multiple_resource(resources)
        else:
            self._resources = ResourceSpec(requests=requests or Resources(), limits=limits or Resources())
        self.pod_template = pod_template
        self.local_logs = local_logs

    # -- what serialization reads ------------------------------------------------------------------

    @property
    def resources(self) -> ResourceSpec:
        return self._resources

    @property
    def image(self) -> Any:
        """The image: a name with tag or digest, or an ``ImageSpec``."""
        return self._image

    @property
    def container_image(self) -> Any:
        return self._image

    @property
    def command(self) -> list[str]:
        return list(self._cmd)

    @property
    def arguments(self) -> list[str] | None:
        return list(self._args) if self._args is not None else None

    @property
    def input_data_dir(self) -> str | None:
        return self._input_data_dir

    @property
    def output_data_dir(self) -> str | None:
        return self._output_data_dir

    @property
    def metadata_format(self) -> ContainerTask.MetadataFormat:
        return self._md_format

    @property
    def io_strategy(self) -> ContainerTask.IOStrategy | None:
        return self._io_strategy

    def data_loading_config(self) -> tasks_pb2.DataLoadingConfig:
        """The flyteidl ``DataLoadingConfig`` of the container (where inputs and outputs are exchanged)."""
        from flyteidl.core import tasks_pb2

        config = tasks_pb2.DataLoadingConfig(
            input_path=self._input_data_dir or "",
            output_path=self._output_data_dir or "",
            format=self._md_format.value,
            enabled=True,
        )
        if self._io_strategy is not None:
            config.io_strategy.download_mode = self._io_strategy.value
        return config

    def get_container(self, settings: Any) -> tasks_pb2.Container | None:
        """The container; None when a pod template carries it (see ``get_k8s_pod``)."""
        if self.pod_template is not None:
            return None
        return self._get_container(settings)

    def _get_container(self, settings: Any) -> tasks_pb2.Container:
        from flyte_core.idl.container import container_definition
        from flyte_core.sdk.python_auto_container import get_registerable_container_image

        return container_definition(
            image=get_registerable_container_image(self._image, settings.image_config),
            resource_spec=self.resources,
            command=list(self._cmd),
            args=self.arguments,
            data_loading_config=self.data_loading_config(),
            environment={**(settings.env or {}), **(self.environment or {})},
        )

    def get_k8s_pod(self, settings: Any) -> tasks_pb2.K8sPod | None:
        """The pod template with this container merged into its primary container."""
        if self.pod_template is None:
            return None
        from flyte_core.idl.pod import k8s_pod

        pod = k8s_pod(self.pod_template, self._get_container(settings), settings)
        pod.data_config.CopyFrom(self.data_loading_config())
        return pod

    def get_config(self, settings: Any) -> dict[str, str] | None:
        if self.pod_template is None:
            return {}
        return {_PRIMARY_CONTAINER_NAME_FIELD: self.pod_template.primary_container_name}

    # -- local execution -------------------------------------------------------------------------------

    def _render_command_and_volume_binding(self, cmd: str, **kwargs: Any) -> tuple[str, dict[str, dict[str, str]]]:
        """One command word: ``{{.inputs.x}}`` becomes the value, ``<input_data_dir>/x`` a bound file or directory."""
        from flyte_core.types.directory import FlyteDirectory
        from flyte_core.types.file import FlyteFile

        bindings: dict[str, dict[str, str]] = {}
        path_key = None
        if self._input_data_dir is not None:
            match = re.match(rf"{re.escape(self._input_data_dir)}/(.+)$", cmd)
            path_key = match.group(1) if match else None
        template = _INPUT_TEMPLATE.match(cmd)
        key = path_key or (template.group(1) if template else None)
        if not key:
            return cmd, bindings
        value = kwargs.get(key)
        if type(value) in (FlyteFile, FlyteDirectory):
            if not path_key:
                raise AssertionError(
                    f"ContainerTask '{self.name}' input '{key}': FlyteFile and FlyteDirectory commands should not use "
                    "the template syntax like this: {{.inputs.infile}}\nPlease use a path-like syntax, such as: "
                    f"{self._input_data_dir or '/var/inputs'}/{key}.\nThis requirement is due to how Flyte Propeller "
                    "processes template syntax inputs."
                )
            target = os.path.join(self._input_data_dir or "", key)
            bindings[str(value)] = {"bind": target, "mode": "rw"}
            return target, bindings
        return str(value), bindings

    def _prepare_command_and_volumes(
        self, cmd_and_args: list[str], **kwargs: Any
    ) -> tuple[list[str], dict[str, dict[str, str]]]:
        commands = []
        volumes: dict[str, dict[str, str]] = {}
        for cmd in cmd_and_args:
            command, binding = self._render_command_and_volume_binding(cmd, **kwargs)
            commands.append(command)
            volumes.update(binding)
        return commands, volumes

    @staticmethod
    def _string_to_timedelta(text: str) -> datetime.timedelta:
        parts = _TIMEDELTA.match(text)
        if not parts:
            raise ValueError(f"Invalid timedelta string format: {text!r}")
        days, hours, minutes, seconds, micros = (int(g) if g else 0 for g in parts.groups())
        return datetime.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds, microseconds=micros)

    def _convert_output_val_to_correct_type(self, output_val: str, output_type: Any) -> Any:
        if output_type is bool:
            return output_val.lower() != "false"
        if output_type is datetime.datetime:
            return datetime.datetime.fromisoformat(output_val)
        if output_type is datetime.timedelta:
            return self._string_to_timedelta(output_val)
        return output_type(output_val)

    def _get_output_dict(self, output_directory: str) -> dict[str, Any]:
        """The outputs the container wrote: one file per output, named after it."""
        from flyte_core.types.directory import FlyteDirectory
        from flyte_core.types.file import FlyteFile

        outputs: dict[str, Any] = {}
        for name, output_type in self._outputs.items():
            path = os.path.join(output_directory, name)
            if output_type in (FlyteFile, FlyteDirectory):
                outputs[name] = output_type(path=path)
                continue
            try:
                with open(path) as f:
                    text = f.read()
            except FileNotFoundError:
                type_name = getattr(output_type, "__name__", output_type)
                raise FileNotFoundError(
                    f"ContainerTask '{self.name}' output '{name}': the container wrote no file "
                    f"{self._output_data_dir or ''}/{name} (expected the {type_name} value as text)"
                ) from None
            outputs[name] = self._convert_output_val_to_correct_type(text, output_type)
        return outputs

    def execute(self, **kwargs: Any) -> literals_pb2.LiteralMap:
        """Run the image with Docker, binding inputs and the output directory; read the outputs back."""
        try:
            import docker
        except ImportError:
            raise ImportError(_docker_missing_message(self.name)) from None
        from flyte_core.types.type_engine import TypeEngine

        ctx = FlyteContextManager.current_context()
        self._input_data_dir = os.path.normpath(self._input_data_dir) if self._input_data_dir else ""
        self._output_data_dir = os.path.normpath(self._output_data_dir) if self._output_data_dir else ""
        output_directory = ctx.file_access.get_random_local_directory()
        commands, volumes = self._prepare_command_and_volumes((self._cmd or []) + (self._args or []), **kwargs)
        volumes[output_directory] = {"bind": self._output_data_dir, "mode": "rw"}
        try:
            client = docker.from_env()
        except docker.errors.DockerException as exc:
            raise type(exc)(
                f"ContainerTask '{self.name}' needs a running Docker engine to run its image locally: {exc}"
            ) from exc
        image = self._image if isinstance(self._image, str) else self._image.image_name()
        self._pull_image_if_not_exists(client, image)
        container = client.containers.run(image, command=commands, remove=True, volumes=volumes, detach=True)
        if self.local_logs:
            for log in container.logs(stream=True):
                print(f"[Local Container] {log.strip()}")
        container.wait()
        outputs = self._get_output_dict(output_directory)
        return TypeEngine.dict_to_literal_map(ctx, outputs, self._outputs)

    def _pull_image_if_not_exists(self, client: Any, image: str) -> None:
        if not client.images.list(filters={"reference": image}):
            client.images.pull(image)


__all__ = ["ContainerTask"]

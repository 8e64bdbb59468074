"""Serialization-time settings: images, project/domain/version, the interpreter inside the container, and the
fast-registration archive; and their transport to the container through ``_F_SS_C``.

The transport format is flytekit's: the settings as JSON (flytekit's field names and order), gzip-compressed
with a zero timestamp, base64-encoded; a payload written by either SDK is read by the other, and the same
settings give the same bytes.
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import io
import json
import os
from dataclasses import dataclass
from typing import Any

from flyte_core.config.errors import ConfigError
from flyte_core.config.images import DEFAULT_IMAGE_NAME, Image, ImageConfig

__all__ = [
    "DEFAULT_FLYTEKIT_ENTRYPOINT_FILELOC",
    "DEFAULT_IN_CONTAINER_SRC_PATH",
    "DEFAULT_RUNTIME_PYTHON_INTERPRETER",
    "DOMAIN_PLACEHOLDER",
    "PROJECT_PLACEHOLDER",
    "SERIALIZED_CONTEXT_ENV_VAR",
    "VERSION_PLACEHOLDER",
    "EntrypointSettings",
    "FastSerializationSettings",
    "SerializationSettings",
]

PROJECT_PLACEHOLDER = "{{ registration.project }}"
DOMAIN_PLACEHOLDER = "{{ registration.domain }}"
VERSION_PLACEHOLDER = "{{ registration.version }}"
DEFAULT_RUNTIME_PYTHON_INTERPRETER = "/opt/venv/bin/python3"
DEFAULT_FLYTEKIT_ENTRYPOINT_FILELOC = "bin/entrypoint.py"
DEFAULT_IN_CONTAINER_SRC_PATH = "/root"
SERIALIZED_CONTEXT_ENV_VAR = "_F_SS_C"
"""The container environment variable that carries the serialization settings (see ``with_serialized_context``)."""


@dataclass
class EntrypointSettings:
    """Where the entrypoint program is inside the container."""

    path: str | None = None


@dataclass
class FastSerializationSettings:
    """Fast registration: the code archive (``distribution_location``) is unpacked into ``destination_dir``."""

    enabled: bool = False
    destination_dir: str | None = None
    distribution_location: str | None = None


@dataclass
class SerializationSettings:
    """What serializing tasks and workflows for registration needs to know beyond the code itself.

    ``default_resources`` is the SDK's resource spec (requests/limits); after ``from_transport`` it is the
    plain ``{"requests": {...}, "limits": {...}}`` mapping the payload holds.
    """

    image_config: ImageConfig
    project: str | None = None
    domain: str | None = None
    version: str | None = None
    env: dict[str, str] | None = None
    default_resources: Any = None
    git_repo: str | None = None
    python_interpreter: str = DEFAULT_RUNTIME_PYTHON_INTERPRETER
    flytekit_virtualenv_root: str | None = None
    fast_serialization_settings: FastSerializationSettings | None = None
    source_root: str | None = None

    def __post_init__(self) -> None:
        if self.flytekit_virtualenv_root is None:
            self.flytekit_virtualenv_root = self.venv_root_from_interpreter(self.python_interpreter)

    @property
    def entrypoint_settings(self) -> EntrypointSettings:
        """The entrypoint inside the virtual environment of ``python_interpreter``."""
        return self.default_entrypoint_settings(self.python_interpreter)

    @staticmethod
    def venv_root_from_interpreter(interpreter_path: str) -> str:
        """The virtual environment of an interpreter: ``/opt/venv/bin/python3`` -> ``/opt/venv``."""
        return os.path.dirname(os.path.dirname(interpreter_path))

    @staticmethod
    def default_entrypoint_settings(interpreter_path: str) -> EntrypointSettings:
        """``<venv>/bin/entrypoint.py`` for the virtual environment of ``interpreter_path``."""
        venv = SerializationSettings.venv_root_from_interpreter(interpreter_path)
        return EntrypointSettings(path=os.path.join(venv, DEFAULT_FLYTEKIT_ENTRYPOINT_FILELOC))

    @classmethod
    def for_image(
        cls,
        image: str,
        version: str,
        project: str = "",
        domain: str = "",
        python_interpreter_path: str = DEFAULT_RUNTIME_PYTHON_INTERPRETER,
    ) -> SerializationSettings:
        """Settings whose only image is ``image`` (which needs a tag or digest)."""
        image_config = ImageConfig(default_image=Image.look_up_image_info(DEFAULT_IMAGE_NAME, image))
        return cls(
            image_config=image_config,
            project=project,
            domain=domain,
            version=version,
            python_interpreter=python_interpreter_path,
        )

    def new_builder(self) -> SerializationSettings.Builder:
        """A mutable copy to customise, then ``build()``."""
        return SerializationSettings.Builder(
            project=self.project,
            domain=self.domain,
            version=self.version,
            image_config=self.image_config,
            env=dict(self.env) if self.env else None,
            default_resources=self.default_resources,
            git_repo=self.git_repo,
            flytekit_virtualenv_root=self.flytekit_virtualenv_root,
            python_interpreter=self.python_interpreter,
            fast_serialization_settings=self.fast_serialization_settings,
            source_root=self.source_root,
        )

    def should_fast_serialize(self) -> bool:
        """Whether entities are serialized for fast registration."""
        return self.fast_serialization_settings is not None and self.fast_serialization_settings.enabled

    def to_json(self) -> str:
        """The settings as flytekit's JSON."""
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> SerializationSettings:
        """Settings from flytekit's JSON (unknown keys are ignored)."""
        data = json.loads(text)
        fast = data.get("fast_serialization_settings")
        return cls(
            image_config=_image_config_from_dict(data.get("image_config") or {}),
            project=data.get("project"),
            domain=data.get("domain"),
            version=data.get("version"),
            env=data.get("env"),
            default_resources=data.get("default_resources"),
            git_repo=data.get("git_repo"),
            python_interpreter=data.get("python_interpreter") or DEFAULT_RUNTIME_PYTHON_INTERPRETER,
            flytekit_virtualenv_root=data.get("flytekit_virtualenv_root"),
            fast_serialization_settings=_known_fields(FastSerializationSettings, fast) if fast else None,
            source_root=data.get("source_root"),
        )

    @property
    def serialized_context(self) -> str:
        """The ``_F_SS_C`` value: the existing one from ``env``, else these settings encoded."""
        if self.env and SERIALIZED_CONTEXT_ENV_VAR in self.env:
            return self.env[SERIALIZED_CONTEXT_ENV_VAR]
        buffer = io.BytesIO()
        with gzip.GzipFile(mode="wb", fileobj=buffer, mtime=0) as compressed:
            compressed.write(self.to_json().encode("utf-8"))
        return base64.b64encode(buffer.getvalue()).decode("utf-8")

    def with_serialized_context(self) -> SerializationSettings:
        """These settings with ``env[_F_SS_C]`` set, so registered tasks carry them (self if already set)."""
        if self.env and SERIALIZED_CONTEXT_ENV_VAR in self.env:
            return self
        builder = self.new_builder()
        builder.env = {**(builder.env or {}), SERIALIZED_CONTEXT_ENV_VAR: self.serialized_context}
        return builder.build()

    @classmethod
    def from_transport(cls, s: str) -> SerializationSettings:
        """Settings decoded from an ``_F_SS_C`` value (written by flyte-core or flytekit)."""
        try:
            text = gzip.decompress(base64.b64decode(s.encode("utf-8"), validate=True)).decode("utf-8")
            return cls.from_json(text)
        except (ValueError, OSError, EOFError, TypeError, AttributeError) as exc:
            raise ConfigError(
                f"{SERIALIZED_CONTEXT_ENV_VAR}: cannot decode the serialization settings "
                f"(expected base64 of gzip-compressed JSON): {exc}",
                key=SERIALIZED_CONTEXT_ENV_VAR,
            ) from exc

    @dataclass
    class Builder:
        """A mutable ``SerializationSettings`` under construction."""

        project: str | None
        domain: str | None
        version: str | None
        image_config: ImageConfig
        env: dict[str, str] | None = None
        default_resources: Any = None
        git_repo: str | None = None
        flytekit_virtualenv_root: str | None = None
        python_interpreter: str = DEFAULT_RUNTIME_PYTHON_INTERPRETER
        fast_serialization_settings: FastSerializationSettings | None = None
        source_root: str | None = None

        def with_fast_serialization_settings(self, fss: FastSerializationSettings) -> SerializationSettings.Builder:
            """Set the fast-registration settings; returns the builder."""
            self.fast_serialization_settings = fss
            return self

        def build(self) -> SerializationSettings:
            """The finished settings."""
            return SerializationSettings(**{f.name: getattr(self, f.name) for f in dataclasses.fields(self)})


def _known_fields(cls: type[Any], data: dict[str, Any]) -> Any:
    """An instance of dataclass ``cls`` from ``data``, ignoring keys it does not have."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{key: value for key, value in data.items() if key in names})


def _image_config_from_dict(data: dict[str, Any]) -> ImageConfig:
    default = data.get("default_image")
    images = data.get("images")
    return ImageConfig(
        default_image=_known_fields(Image, default) if default else None,
        images=[_known_fields(Image, image) for image in images] if images is not None else None,
    )

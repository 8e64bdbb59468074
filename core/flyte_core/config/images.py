"""Container images for serialization: ``Image``, ``ImageConfig`` (``-i name=uri``, config ``images``) and
the default image."""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flyte_core.config.errors import ConfigError, describe_value
from flyte_core.config.files import ConfigFile, ConfigFileLike, get_config_file

__all__ = [
    "DEFAULT_IMAGE_NAME",
    "DEFAULT_IMAGE_REPOSITORY",
    "FLYTE_INTERNAL_IMAGE_ENV_VAR",
    "DefaultImages",
    "Image",
    "ImageConfig",
    "PythonVersion",
]

DEFAULT_IMAGE_NAME = "default"
"""The name of the image tasks use when they do not name one."""

DEFAULT_IMAGE_REPOSITORY = "cr.flyte.org/flyteorg/flyte-core"
"""Where the default images live; tags are ``py3.X-<flyte-core version>``, as flytekit's are."""

FLYTE_INTERNAL_IMAGE_ENV_VAR = "FLYTE_INTERNAL_IMAGE"
"""Replaces the default image (set by the platform inside a task container, or by users)."""


@dataclass(frozen=True)
class Image:
    """A named container image: ``fqn`` (registry/repository) with a ``tag`` or a ``digest``, not both."""

    name: str
    fqn: str
    tag: str | None = None
    digest: str | None = None

    def __post_init__(self) -> None:
        if self.tag is not None and self.digest is not None:
            raise ValueError(
                f"image '{self.name}': give a tag or a digest, not both (tag={self.tag!r}, digest={self.digest!r})"
            )

    @property
    def full(self) -> str:
        """``fqn:tag`` or ``fqn@digest``."""
        return f"{self.fqn}@{self.digest}" if self.digest else f"{self.fqn}:{self.tag}"

    @property
    def version(self) -> str | None:
        """The digest, else the tag."""
        return self.digest or self.tag

    @staticmethod
    def look_up_image_info(name: str, image_identifier: str, allow_no_tag_or_digest: bool = False) -> Image:
        """An ``Image`` named ``name`` parsed from ``registry/repo:tag`` or ``registry/repo@digest``."""
        if image_identifier.endswith((".yaml", ".yml")) and os.path.isfile(image_identifier):
            raise ConfigError(
                f"image '{name}': {image_identifier!r} is an ImageSpec file; building images from ImageSpec "
                "files is not supported here: give an image URI such as ghcr.io/org/image:tag",
                key=name,
            )
        fqn, tag, digest = _split_image(image_identifier)
        if not allow_no_tag_or_digest and tag is None and digest is None:
            raise ConfigError(
                f"image '{name}': {image_identifier!r} has no tag or digest; "
                f"write it as {image_identifier}:<tag> or {image_identifier}@sha256:<digest>",
                key=name,
            )
        return Image(name=name, fqn=fqn, tag=tag, digest=digest)


def _split_image(identifier: str) -> tuple[str, str | None, str | None]:
    """``(fqn, tag, digest)``; a colon is a tag separator only after the last slash (not a registry port)."""
    fqn, at, digest = identifier.rpartition("@")
    if at:
        return fqn, None, digest
    fqn, colon, tag = identifier.rpartition(":")
    if colon and "/" not in tag:
        return fqn, tag, None
    return identifier, None, None


@dataclass(frozen=True)
class ImageConfig:
    """The images available to tasks at registration: a default one and named others.

    ``images`` lists every image, the default included (as ``create_from`` builds it).
    """

    default_image: Image | None = None
    images: list[Image] | None = None

    def find_image(self, name: str) -> Image | None:
        """The image called ``name`` (the default one included), or None."""
        candidates = [self.default_image] if self.default_image else []
        candidates.extend(self.images or [])
        return next((image for image in candidates if image.name == name), None)

    @staticmethod
    def validate_image(_: Any, param: Any, values: Iterable[str]) -> ImageConfig:
        """An ``ImageConfig`` from CLI values ``name=uri`` or ``uri`` (the default image; at most one).

        Usable as a click callback; without a default image, ``DefaultImages.default_image()`` is used.
        """
        default_image = None
        images = []
        for value in values:
            name, equals, uri = value.partition("=")
            image = (
                Image.look_up_image_info(name, uri) if equals else Image.look_up_image_info(DEFAULT_IMAGE_NAME, value)
            )
            if image.name != DEFAULT_IMAGE_NAME:
                images.append(image)
            elif default_image is not None:
                name = getattr(param, "name", None) or str(param)  # click passes its Parameter
                raise ConfigError(
                    f"{name}: only one default image can be given, got {default_image.full} and {image.full}",
                    key=name,
                )
            else:
                default_image = image
        if default_image is None:
            default_image = Image.look_up_image_info(DEFAULT_IMAGE_NAME, DefaultImages.default_image())
        return ImageConfig.create_from(default_image, images)

    @classmethod
    def create_from(cls, default_image: Image | None, other_images: list[Image] | None = None) -> ImageConfig:
        """An ``ImageConfig`` whose ``images`` are the default image followed by ``other_images``."""
        if default_image is not None and not isinstance(default_image, Image):
            raise TypeError(f"default_image must be an Image or None, not {type(default_image).__name__}")
        images = [default_image] if default_image else []
        images.extend(other_images or [])
        return cls(default_image=default_image, images=images)

    @classmethod
    def auto(cls, config_file: ConfigFileLike = None, img_name: str | None = None) -> ImageConfig:
        """``img_name`` as the default image (if given) plus the config file's ``images`` (tags optional).

        The built-in default image is not added; ``auto_default_image()`` does that.
        """
        default_image = Image.look_up_image_info(DEFAULT_IMAGE_NAME, img_name) if img_name else None
        configured = _configured_images(get_config_file(config_file))
        others = [Image.look_up_image_info(name, uri, allow_no_tag_or_digest=True) for name, uri in configured.items()]
        return cls.create_from(default_image, others)

    @classmethod
    def from_images(cls, default_image: str, m: Mapping[str, str] | None = None) -> ImageConfig:
        """An ``ImageConfig`` from a default image URI and ``{name: uri}`` of others."""
        default = Image.look_up_image_info(DEFAULT_IMAGE_NAME, default_image) if default_image else None
        others = [Image.look_up_image_info(name, uri, allow_no_tag_or_digest=True) for name, uri in (m or {}).items()]
        return cls.create_from(default, others)

    @classmethod
    def auto_default_image(cls) -> ImageConfig:
        """``auto()`` with the built-in default image (or ``$FLYTE_INTERNAL_IMAGE``) as the default."""
        return cls.auto(img_name=DefaultImages.default_image())


def _configured_images(cfg: ConfigFile | None) -> dict[str, str]:
    """``{name: uri}`` from the INI ``[images]`` section or the YAML top-level ``images:`` mapping."""
    if cfg is None:
        return {}
    if cfg.legacy_config is not None:
        if not cfg.legacy_config.has_section("images"):
            return {}
        return dict(cfg.legacy_config.items("images"))
    images = (cfg.yaml_config or {}).get("images")
    if images is None:
        return {}
    if not isinstance(images, dict):
        raise ConfigError(
            f"config file {cfg.location}: images: expected a mapping of name: image URI, "
            f"found {describe_value(images)}",
            file=cfg.location,
            key="images",
        )
    for name, uri in images.items():
        if not isinstance(uri, str):
            raise ConfigError(
                f"config file {cfg.location}: images.{name}: expected an image URI, found {describe_value(uri)}",
                file=cfg.location,
                key=f"images.{name}",
            )
    return {str(name): uri for name, uri in images.items()}


class PythonVersion(enum.Enum):
    """Python versions that have a default image."""

    PYTHON_3_8 = (3, 8)
    PYTHON_3_9 = (3, 9)
    PYTHON_3_10 = (3, 10)
    PYTHON_3_11 = (3, 11)
    PYTHON_3_12 = (3, 12)
    PYTHON_3_13 = (3, 13)


class DefaultImages:
    """The image a task runs in when none is configured: ``<repository>:py3.X-<version>``."""

    @classmethod
    def default_image(cls) -> str:
        """``$FLYTE_INTERNAL_IMAGE``, else the image for this Python and this flyte-core version."""
        return cls.find_image_for()

    @classmethod
    def find_image_for(cls, python_version: PythonVersion | None = None, flytekit_version: str | None = None) -> str:
        """The default image for a Python version and SDK version (``$FLYTE_INTERNAL_IMAGE`` wins).

        The parameter keeps flytekit's name ``flytekit_version``; it is the flyte-core version here.
        """
        from_env = os.environ.get(FLYTE_INTERNAL_IMAGE_ENV_VAR)
        if from_env:
            return from_env
        major, minor = python_version.value if python_version else sys.version_info[:2]
        version = flytekit_version.removeprefix("v") if flytekit_version else cls.get_version_suffix()
        return f"{DEFAULT_IMAGE_REPOSITORY}:py{major}.{minor}-{version}"

    @classmethod
    def get_version_suffix(cls) -> str:
        """The installed flyte-core version, or ``latest`` for a development version."""
        from flyte_core._version import __version__

        return "latest" if not __version__ or "dev" in __version__ else __version__

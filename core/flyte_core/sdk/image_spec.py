"""ImageSpec: a container image described in Python (base image, packages, apt packages, env...).

``@task(container_image=ImageSpec(...))`` names the image a task runs in. The image name and tag are
computed exactly as flytekit 1.16 computes them (an md5 of the spec's non-empty fields, plus digests of
the requirements file, copied files and source files), so the same spec names the same image whichever
SDK serializes it. flyte-core does not build images: ``ImageBuildEngine`` keeps flytekit's registry of
builders, with a ``noop`` builder (use an existing ``base_image`` as is) and a ``default`` builder that
explains how to build the image when it is not found. Third parties add real builders with the
``flyte_image_builders`` hook (or, from code, flytekit's ``ImageBuildEngine.register(name, builder, priority)``).
"""

from __future__ import annotations

import base64
import copy as _copy
import dataclasses
import enum
import hashlib
import logging
import os
import pathlib
import platform as _platform
import re
import stat
import sys
from abc import abstractmethod
from dataclasses import asdict, dataclass
from functools import cached_property, lru_cache
from typing import Any, ClassVar

__all__ = [
    "DOCKER_HUB",
    "FLYTE_FORCE_PUSH_IMAGE_SPEC",
    "FLYTE_IMG_FAST_FAIL",
    "CopyFileDetection",
    "DefaultImageBuilder",
    "ImageBuildEngine",
    "ImageSpec",
    "ImageSpecBuilder",
    "NoOpBuilder",
    "validate_container_registry_name",
]

DOCKER_HUB = "docker.io"
_F_IMG_ID = "_F_IMG_ID"
FLYTE_FORCE_PUSH_IMAGE_SPEC = "FLYTE_FORCE_PUSH_IMAGE_SPEC"
"""Set to true to build and push ImageSpec images even when they already exist."""
FLYTE_IMG_FAST_FAIL = "FLYTE_IMG_FAST_FAIL"
"""Set to true to fail when the existence of an image cannot be checked, instead of assuming it exists."""

_REGISTRY_NAME = re.compile(r"^(localhost:\d{1,5}|([a-z\d\._-]+)(:\d{1,5})?)(/[\w\.-]+)*$")
_STRING_LIST_FIELDS = (
    "packages",
    "conda_channels",
    "conda_packages",
    "apt_packages",
    "pip_extra_index_url",
    "entrypoint",
    "commands",
    "runtime_packages",
)
_NOT_IN_ID = frozenset({"pip_secret_mounts", "builder", "runtime_packages"})
_REGISTRY_CHECK_TIMEOUT_S = 5.0

_log = logging.getLogger("flyte_core.image_spec")


class CopyFileDetection(enum.Enum):
    """Which source files go into an image (or a fast-registration archive): ``--copy auto|all|none``."""

    LOADED_MODULES = 1
    ALL = 2
    NO_COPY = 3


def _str2bool(value: str) -> bool:
    return value.lower() not in ("false", "0", "off", "no")


@dataclass
class ImageSpec:
    """A container image for tasks, described by what goes into it (flytekit's ``ImageSpec``).

    The field order and names are part of the image tag (flytekit hashes them): do not reorder them.
    """

    name: str = "flytekit"
    python_version: str | None = None
    builder: str | None = None
    source_root: str | None = None
    env: dict[str, str] | None = None
    registry: str | None = None
    packages: list[str] | None = None
    conda_packages: list[str] | None = None
    conda_channels: list[str] | None = None
    requirements: str | None = None
    apt_packages: list[str] | None = None
    cuda: str | None = None
    cudnn: str | None = None
    base_image: str | ImageSpec | None = None
    platform: str | None = None
    pip_index: str | None = None
    pip_extra_index_url: list[str] | None = None
    pip_secret_mounts: list[tuple[str, str]] | None = None
    pip_extra_args: str | None = None
    registry_config: str | None = None
    entrypoint: list[str] | None = None
    commands: list[str] | None = None
    tag_format: str | None = None
    source_copy_mode: CopyFileDetection | None = None
    copy: list[str] | None = None
    python_exec: str | None = None
    runtime_packages: list[str] | None = None
    builder_options: dict[str, Any] | None = None
    builder_config: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise ValueError(f"ImageSpec name must be a string (the image repository), got {_describe(self.name)}")
        self.name = self.name.lower()
        self._is_force_push = _str2bool(os.environ.get(FLYTE_FORCE_PUSH_IMAGE_SPEC, "FALSE"))
        self._fast_fail = _str2bool(os.environ.get(FLYTE_IMG_FAST_FAIL, "FALSE"))
        if self.registry:
            self.registry = self.registry.lower()
            if not validate_container_registry_name(self.registry):
                raise ValueError(
                    f"Invalid container registry name: '{self.registry}' (ImageSpec '{self.name}').\n"
                    " Expected formats:\n"
                    "- 'localhost:30000' (for local registries)\n"
                    "- 'ghcr.io/username' (for GitHub Container Registry)\n"
                    "- 'docker.io/username' (for docker hub)\n"
                )
        if self.platform is None:
            local_arm = _platform.machine().lower() in ("arm64", "aarch64")
            if self.registry and self.registry.startswith("localhost:") and local_arm:
                self.platform = "linux/arm64"  # a local registry on an ARM machine: build for this machine
            else:
                self.platform = "linux/amd64"
        if self.source_root is not None:
            self.source_copy_mode = self.source_copy_mode or CopyFileDetection.LOADED_MODULES
        if self.builder is None:
            priorities = ImageBuildEngine.priorities()
            if priorities:
                self.builder = max(priorities, key=lambda builder: priorities[builder])
        for field_name in _STRING_LIST_FIELDS:
            value = getattr(self, field_name)
            if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise ValueError(
                    f"{field_name} must be a list of strings or None (ImageSpec '{self.name}'), got {_describe(value)}"
                )
        if self.pip_secret_mounts is not None and not (
            isinstance(self.pip_secret_mounts, list)
            and all(
                isinstance(v, tuple) and len(v) == 2 and all(isinstance(part, str) for part in v)
                for v in self.pip_secret_mounts
            )
        ):
            raise ValueError(
                "pip_secret_mounts must be a list of tuples of two strings (secret file, mount path) or None "
                f"(ImageSpec '{self.name}'), got {_describe(self.pip_secret_mounts)}"
            )
        if self.builder_options is not None and not isinstance(self.builder_options, dict):
            raise ValueError(
                f"builder_options must be a dictionary or None (ImageSpec '{self.name}'), "
                f"got {_describe(self.builder_options)}"
            )

    @cached_property
    def id(self) -> str:
        """A hash of the spec's set fields: identifies it in an ImageConfig and in ``is_container()``."""
        fields = asdict(self, dict_factory=_set_fields_for_id)
        digest = hashlib.md5(str(fields).encode("utf-8")).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def __hash__(self) -> int:
        return hash(self.id)

    @cached_property
    def tag(self) -> str:
        """The image tag: the ``id`` of the spec with its files replaced by digests of their contents."""
        spec = _copy.deepcopy(self)
        if isinstance(spec.base_image, ImageSpec):
            spec = dataclasses.replace(spec, base_image=spec.base_image.image_name())
        if self.source_copy_mode is not None and self.source_copy_mode != CopyFileDetection.NO_COPY:
            if not self.source_root:
                raise ValueError(f"Field source_root for image spec {self.name} must be set when copy is set")
            spec = dataclasses.replace(spec, source_root=_source_digest(str(self.source_root), self.source_copy_mode))
        if self.copy:
            spec = dataclasses.replace(spec, copy=_paths_digest(self.copy))  # type: ignore[arg-type]
        if spec.requirements:
            try:
                content = pathlib.Path(spec.requirements).read_bytes()
            except OSError as exc:
                raise FileNotFoundError(
                    f"ImageSpec '{self.name}': the requirements file {spec.requirements!r} cannot be read ({exc}); "
                    "its content is part of the image tag"
                ) from exc
            spec = dataclasses.replace(spec, requirements=hashlib.sha1(content.strip()).hexdigest())
        spec = dataclasses.replace(spec, registry_config=None)  # the registry config does not change the image
        tag = spec.id.replace("-", "_")
        if self.tag_format:
            return self.tag_format.format(spec_hash=tag)
        return tag

    def image_name(self) -> str:
        """The full image name, ``[registry/]name:tag`` (or what a builder reported it pushed)."""
        name = f"{self.name}:{self.tag}"
        if self.registry:
            name = f"{self.registry}/{name}"
        return ImageBuildEngine._IMAGE_NAME_TO_REAL_NAME.get(name, name)

    def is_container(self) -> bool:
        """Whether this code runs in the image built from this spec (always True when not in a task)."""
        from flyte_core.context import ExecutionState, FlyteContextManager

        state = FlyteContextManager.current_context().execution_state
        if state is not None and state.mode and state.mode != ExecutionState.Mode.LOCAL_WORKFLOW_EXECUTION:
            return os.environ.get(_F_IMG_ID) == self.id
        return True

    def exist(self) -> bool | None:
        """Whether the image is in its registry: True, False, or None when that cannot be checked.

        Checked over the registry's HTTP API (no Docker daemon): a ``localhost:`` registry, an OCI
        registry such as ``ghcr.io/org`` (anonymous pull token), or Docker Hub (``username``). Without a
        registry, offline, or without permission the answer is None.
        """
        return _image_exists(self)

    def _update_attribute(self, attr_name: str, values: str | list[str] | dict[str, Any]) -> ImageSpec:
        """A copy of this spec with ``values`` appended to (list) or merged into (dict) ``attr_name``."""
        current = _copy.deepcopy(getattr(self, attr_name))
        if current is None:
            current = {} if isinstance(values, dict) else []
        if isinstance(values, str):
            if not isinstance(current, list):
                raise TypeError(f"Cannot append string to non-list attribute {attr_name}")
            current.append(values)
        elif isinstance(values, list):
            if not isinstance(current, list):
                raise TypeError(f"Cannot extend non-list attribute {attr_name}")
            current.extend(values)
        elif isinstance(values, dict):
            if not isinstance(current, dict):
                raise TypeError(f"Cannot update non-dict attribute {attr_name}")
            current.update(values)
        else:
            raise TypeError(
                f"ImageSpec '{self.name}': {attr_name} takes a string, a list of strings or a dict, "
                f"got {_describe(values)}"
            )
        return dataclasses.replace(self, **{attr_name: current})

    def with_commands(self, commands: str | list[str]) -> ImageSpec:
        """A copy with more commands run while building the image."""
        return self._update_attribute("commands", commands)

    def with_packages(self, packages: str | list[str]) -> ImageSpec:
        """A copy with more Python packages installed."""
        return self._update_attribute("packages", packages)

    def with_apt_packages(self, apt_packages: str | list[str]) -> ImageSpec:
        """A copy with more apt packages installed."""
        return self._update_attribute("apt_packages", apt_packages)

    def with_copy(self, src: str | list[str]) -> ImageSpec:
        """A copy with more files or directories copied into the image's ``/root``."""
        return self._update_attribute("copy", src)

    def with_runtime_packages(self, runtime_packages: list[str]) -> ImageSpec:
        """A copy with packages installed when the task starts (needs pip in the image)."""
        return self._update_attribute("runtime_packages", runtime_packages)

    def with_builder_options(self, builder_options: dict[str, Any]) -> ImageSpec:
        """A copy with more builder-specific options."""
        return self._update_attribute("builder_options", builder_options)

    def force_push(self) -> ImageSpec:
        """A copy that is built and pushed even when the image already exists."""
        spec = _copy.deepcopy(self)
        spec._is_force_push = True
        return spec

    @classmethod
    def from_env(cls, *, pinned_packages: list[str] | None = None, **kwargs: Any) -> ImageSpec:
        """A spec with this interpreter's Python version, pinning ``pinned_packages`` to their installed versions."""
        from importlib.metadata import version

        if kwargs.get("python_version") is not None:
            raise ValueError(
                "python_version can not be used with `from_env` because it will be inferred from the environment"
            )
        python_version = f"{sys.version_info.major}.{sys.version_info.minor}"
        packages = kwargs.pop("packages", None) or []
        for package in pinned_packages or []:
            packages.append(f"{package}=={version(package)}")
        return ImageSpec(packages=packages, python_version=python_version, **kwargs)


def _set_fields_for_id(items: list[tuple[str, Any]]) -> dict[str, Any]:
    return {k: v for k, v in items if v is not None and k not in _NOT_IN_ID}


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


class ImageSpecBuilder:
    """Builds and pushes the image of an ``ImageSpec``; registered with ``ImageBuildEngine.register``."""

    @abstractmethod
    def build_image(self, image_spec: ImageSpec) -> str | None:
        """Build and push the image; return its fully qualified name (None: ``image_spec.image_name()``)."""
        raise NotImplementedError("This method is not implemented in the base class.")

    def should_build(self, image_spec: ImageSpec) -> bool:
        """Whether the image must be built: it is not in its registry, or a push is forced.

        When its existence cannot be checked the image is assumed to exist, unless ``FLYTE_IMG_FAST_FAIL``
        is set (then RuntimeError).
        """
        import click

        name = image_spec.image_name()
        exists = image_spec.exist()
        if exists is False:
            click.secho(f"Image {name} not found. building...", fg="blue")
            return True
        if exists is True:
            if image_spec._is_force_push:
                click.secho(f"Overwriting existing image {name}.", fg="blue")
                return True
            click.secho(f"Image {name} found. Skip building.", fg="blue")
            return False
        if image_spec._fast_fail:
            click.secho(f"FLYTE_IMG_FAST_FAIL set to {image_spec._fast_fail}.", fg="red")
            raise RuntimeError(
                f"Build failed as ImageSpec failed to check if the image {name} exists due to a "
                "permission issue or other reason. \n"
                "Note, this fast failure is configured with the env var `FLYTE_IMG_FAST_FAIL`."
            )
        click.secho(f"Flytekit assumes the image {name} already exists.", fg="blue")
        return False


class NoOpBuilder(ImageSpecBuilder):
    """Uses ``base_image`` as it is: nothing is built (``ImageSpec(base_image=..., builder="noop")``)."""

    builder_type = "noop"

    def should_build(self, image_spec: ImageSpec) -> bool:
        return True

    def build_image(self, image_spec: ImageSpec) -> str:
        if not isinstance(image_spec.base_image, str):
            raise ValueError(
                f"base_image must be a string to use the noop image builder (ImageSpec '{image_spec.name}' has "
                f"base_image={image_spec.base_image!r})"
            )
        import click

        click.secho(f"Using image: {image_spec.base_image}", fg="blue")
        return image_spec.base_image


class DefaultImageBuilder(ImageSpecBuilder):
    """flytekit's default (Docker) builder's name; flyte-core does not build images, so it explains how to."""

    builder_type = "default"

    def build_image(self, image_spec: ImageSpec) -> str | None:
        raise RuntimeError(
            f"the image {image_spec.image_name()} of ImageSpec '{image_spec.name}' must be built, but flyte-core "
            "does not build images. Build and push it with your own tooling (for example flytekit's "
            "'pyflyte build', or docker) under that name, or use an existing image: "
            "ImageSpec(base_image='<image>', builder='noop') or @task(container_image='<image>'), "
            "or register a builder with ImageBuildEngine.register(name, builder, priority)."
        )


class ImageBuildEngine:
    """The image builders (``flyte_image_builders`` registrations, then code's), and the build of an ImageSpec.

    A plugin's builder is loaded only when an image is built with it; ``register`` (flytekit's API) adds a
    builder from code, which wins over a plugin's of the same name.
    """

    _REGISTRY: ClassVar[dict[str, tuple[ImageSpecBuilder, int]]] = {}
    """Builders registered from code (``register``)."""
    _LOADED: ClassVar[dict[str, ImageSpecBuilder]] = {}
    """Plugins' builders loaded so far, by name."""
    _IMAGE_NAME_TO_REAL_NAME: ClassVar[dict[str, str]] = {}
    """``image_spec.image_name()`` -> the fully qualified name a builder reported."""

    @classmethod
    def register(cls, builder_type: str, image_spec_builder: ImageSpecBuilder, priority: int = 5) -> None:
        """Add a builder; ImageSpecs without ``builder=`` use the registered builder of highest priority."""
        cls._REGISTRY[builder_type] = (image_spec_builder, priority)

    @classmethod
    def get_registry(cls) -> dict[str, tuple[ImageSpecBuilder, int]]:
        """Every builder with its priority (plugins' builders are loaded to answer)."""
        return {name: (cls._get_builder(name), priority) for name, priority in cls.priorities().items()}

    @classmethod
    def priorities(cls) -> dict[str, int]:
        """Every builder's priority by name, without loading any."""
        from flyte_core.plugins.manager import get_plugin_manager

        found = {name: registration.priority for name, registration in get_plugin_manager().image_builders().items()}
        found.update({name: priority for name, (_, priority) in cls._REGISTRY.items()})
        return found

    @classmethod
    @lru_cache  # each spec is built once per process, as in flytekit
    def build(cls, image_spec: ImageSpec) -> None:
        """Build the image (and its base ImageSpec first) unless it exists; nothing happens inside a task."""
        from flyte_core.context import FlyteContextManager

        state = FlyteContextManager.current_context().execution_state
        if state is not None and state.mode is not None:
            return
        spec = _copy.deepcopy(image_spec)
        if isinstance(spec.base_image, ImageSpec):
            cls.build(spec.base_image)
            spec.base_image = spec.base_image.image_name()
        name = spec.image_name()
        builder = cls._get_builder(spec.builder)
        if builder.should_build(spec):
            qualified = builder.build_image(spec)
            if qualified is not None:
                cls._IMAGE_NAME_TO_REAL_NAME[name] = qualified

    @classmethod
    def _get_builder(cls, builder: str | None) -> ImageSpecBuilder:
        if builder is None:
            raise AssertionError("There is no image builder registered.")
        if builder in cls._REGISTRY:
            return cls._REGISTRY[builder][0]
        if builder not in cls._LOADED:
            from flyte_core.plugins.manager import get_plugin_manager

            registrations = get_plugin_manager().image_builders()
            if builder not in registrations:
                known = ", ".join(sorted(cls.priorities())) or "none"
                raise AssertionError(
                    f"Image builder {builder} is not registered (registered builders: {known}); install the plugin "
                    "that provides it, or register it with ImageBuildEngine.register(name, builder, priority)."
                )
            cls._LOADED[builder] = registrations[builder].load_builder()
        return cls._LOADED[builder]


def validate_container_registry_name(name: str) -> bool:
    """Whether ``name`` is a registry as ImageSpec accepts it (``localhost:30000``, ``ghcr.io/org``...)."""
    return bool(_REGISTRY_NAME.match(name))


# --- digests of files, as flytekit computes them for image tags ----------------------------------------------


def _hash_file_and_path(path: str, relpath: str, hasher: Any) -> None:
    with open(path, "rb") as f:
        while chunk := f.read(65536):
            hasher.update(chunk)
    hasher.update("".join(relpath.split(os.sep)).encode("utf-8"))


def _paths_digest(sources: list[str]) -> str:
    """md5 of the contents and relative paths of ``copy=[...]`` files and directories (walked in order)."""
    hasher = hashlib.md5()

    def add(path: str, relpath: str) -> None:
        if not os.path.exists(path) or stat.S_ISSOCK(os.stat(path).st_mode):
            return
        _hash_file_and_path(path, relpath, hasher)

    for source in sources:
        if os.path.isdir(source):
            for root, _, files in os.walk(source, topdown=True):
                for fname in sorted(files):
                    abspath = os.path.join(root, fname)
                    add(abspath, os.path.relpath(abspath, source))
        else:
            add(source, os.path.basename(source))
    return hasher.hexdigest()


def _source_digest(source_root: str, mode: CopyFileDetection) -> str:
    """md5 of the source files an image copies: the loaded user modules (``auto``) or all files (``all``)."""
    if mode == CopyFileDetection.LOADED_MODULES:
        files = _loaded_module_files(source_root)
    else:
        files = _all_source_files(source_root)
    files.sort()
    hasher = hashlib.md5()
    for abspath in files:
        _hash_file_and_path(abspath, os.path.relpath(abspath, source_root), hasher)
    return hasher.hexdigest()


def _in_directory(path: str, directory: str) -> bool:
    try:
        return os.path.commonpath([path, directory]) == directory
    except ValueError:
        return False


def _loaded_module_files(source_root: str) -> list[str]:
    """Files of the imported modules under ``source_root`` that are not installed packages."""
    import site

    import flyte_core

    installed = [
        os.path.dirname(flyte_core.__file__ or ""),
        sys.prefix,
        sys.base_prefix,
        site.getusersitepackages(),
        *site.getsitepackages(),
    ]
    files = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path is None:
            continue
        if any(_in_directory(path, directory) for directory in installed):
            continue
        if _in_directory(path, source_root):
            files.append(path)
    return files


def _all_source_files(source_root: str) -> list[str]:
    """Every file under ``source_root`` except ``.git``, what git ignores, ``.dockerignore`` and caches.

    As in flytekit, ignore rules see paths relative to ``source_root`` when it is absolute, and paths as
    walked (``./x``, ``src/x``) when it is relative: image tags depend on it.
    """
    from fnmatch import fnmatch

    from flyte_core.sdk.ignore_rules import STANDARD_IGNORE_PATTERNS, PatternMatcher, git_ignored, read_patterns

    ignored_by_git = git_ignored(source_root)
    docker_ignore = PatternMatcher(read_patterns(os.path.join(source_root, ".dockerignore")))
    files = []
    for root, dirnames, names in os.walk(source_root, topdown=True):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for fname in sorted(names):
            path = os.path.join(root, fname)
            if not os.path.exists(path) or stat.S_ISSOCK(os.stat(path).st_mode):
                continue
            checked = os.path.relpath(path, source_root) if os.path.isabs(path) else path
            if pathlib.Path(checked).as_posix() in ignored_by_git or docker_ignore.matches(checked):
                continue
            if any(fnmatch(checked, pattern) for pattern in STANDARD_IGNORE_PATTERNS):
                continue
            files.append(path)
    return files


# --- does the image exist? ------------------------------------------------------------------------------------


def _image_exists(spec: ImageSpec) -> bool | None:
    registry = spec.registry
    if registry is None:
        return None  # flytekit asks the local Docker daemon; flyte-core has no Docker client
    try:
        if registry.startswith("localhost:"):
            host, _, namespace = registry.partition("/")
            return _registry_has_manifest(f"http://{host}", namespace, spec.name, spec.tag)
        if "/" in registry:
            host, _, namespace = registry.partition("/")
            if host == DOCKER_HUB:
                return _docker_hub_has_tag(namespace, spec.name, spec.tag)
            return _registry_has_manifest(f"https://{host}", namespace, spec.name, spec.tag)
        return _docker_hub_has_tag(registry, spec.name, spec.tag)
    except Exception as exc:  # offline, DNS, TLS, unexpected answers: we cannot tell
        _log.info("could not check whether %s exists: %s", spec.image_name(), exc)
        return None


def _docker_hub_has_tag(namespace: str, name: str, tag: str) -> bool | None:
    status, _, body = _http("GET", f"https://hub.docker.com/v2/repositories/{namespace}/{name}/tags/{tag}")
    if status == 200:
        return True
    if status == 404 and b"not found" in body.lower():
        return False
    return None


_MANIFEST_TYPES = ", ".join(
    (
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    )
)


def _registry_has_manifest(base_url: str, namespace: str, name: str, tag: str) -> bool | None:
    """Ask an OCI registry for the manifest of ``namespace/name:tag``, with an anonymous pull token if asked."""
    repository = f"{namespace}/{name}" if namespace else name
    url = f"{base_url}/v2/{repository}/manifests/{tag}"
    headers = {"Accept": _MANIFEST_TYPES}
    status, response_headers, _ = _http("HEAD", url, headers)
    if status == 401:
        token = _anonymous_token(response_headers.get("www-authenticate", ""), repository)
        if token is None:
            return None
        status, _, _ = _http("HEAD", url, {**headers, "Authorization": f"Bearer {token}"})
    if status == 200:
        return True
    if status == 404:
        return False
    return None


def _anonymous_token(challenge: str, repository: str) -> str | None:
    import json
    import urllib.parse

    if not challenge.lower().startswith("bearer "):
        return None
    params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
    realm = params.pop("realm", None)
    if not realm:
        return None
    params.setdefault("scope", f"repository:{repository}:pull")
    status, _, body = _http("GET", f"{realm}?{urllib.parse.urlencode(params)}")
    if status != 200:
        return None
    answer = json.loads(body)
    token = answer.get("token") or answer.get("access_token")
    return str(token) if token else None


def _http(method: str, url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """(status, lower-cased headers, body) of one request; HTTP error statuses are answers, not errors."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=_REGISTRY_CHECK_TIMEOUT_S) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()

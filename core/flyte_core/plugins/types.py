"""Registration objects: what the ``flyte_*`` hooks yield.

Each is a frozen, keyword-only dataclass validated on construction, so a mistake in a plugin is
reported where the plugin builds the object, with the plugin's own values in the message.

Heavy things are named, not imported: a subcommand's click command, a task class, a type
transformer or a filesystem can be given as a ``"module:attr"`` string that is imported only when
it is first needed (``load()``). A Python type owned by a third-party library is named by its
qualified name (``"pandas.DataFrame"``), so registering it does not import the library.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flyte_core.plugins.errors import ReferenceLoadError, RegistrationError

__all__ = [
    "FlyteFileAccessProvider",
    "FlyteRemoteBackend",
    "FlyteSubcommand",
    "FlyteTaskType",
    "FlyteTypeTransformer",
    "PluginSource",
    "load_reference",
    "qualified_name",
]

_COMMAND_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_PROTOCOL = re.compile(r"^[a-z][a-z0-9+.-]*$")
_IDENTIFIER_PATH = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_REFERENCE = re.compile(rf"^{_IDENTIFIER_PATH}:{_IDENTIFIER_PATH}$")
_TYPE_NAME = re.compile(rf"^{_IDENTIFIER_PATH}(?::{_IDENTIFIER_PATH})?$")


@dataclass(frozen=True)
class PluginSource:
    """Where a registration came from: the plugin (entry-point name) and its distribution."""

    name: str
    distribution: str
    version: str

    def __str__(self) -> str:
        version = f" {self.version}" if self.version else ""
        return f"plugin '{self.name}' ({self.distribution}{version})"


def qualified_name(obj: type | str) -> str:
    """The dotted name of a type, or of a ``"module:attr"`` / dotted type reference."""
    if isinstance(obj, str):
        return obj.replace(":", ".")
    return f"{obj.__module__}.{obj.__qualname__}"


def load_reference(reference: str) -> Any:
    """Import what a ``"module:attr"`` (or dotted ``"package.module.Attr"``) reference names."""
    if ":" in reference:
        module_name, _, attr_path = reference.partition(":")
        return _getattr_path(_import(module_name, reference), attr_path, reference)
    # A dotted name: import the longest prefix that is a module, the rest are attributes.
    parts = reference.split(".")
    for split in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:split])
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and module_name.startswith(exc.name):
                continue  # this prefix is not a module; try a shorter one
            raise ReferenceLoadError(f"cannot import '{reference}': {_describe(exc)}") from exc
        except Exception as exc:
            raise ReferenceLoadError(f"cannot import '{reference}': {_describe(exc)}") from exc
        return _getattr_path(module, ".".join(parts[split:]), reference)
    raise ReferenceLoadError(f"cannot import '{reference}': no importable module in the name")


def _import(module_name: str, reference: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except Exception as exc:
        raise ReferenceLoadError(f"cannot import '{reference}': {_describe(exc)}") from exc


def _getattr_path(obj: Any, attr_path: str, reference: str) -> Any:
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            raise ReferenceLoadError(
                f"cannot load '{reference}': '{getattr(obj, '__name__', obj)}' has no attribute '{part}'"
            ) from exc
    return obj


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _fail(kind: str, what: str, problem: str) -> RegistrationError:
    return RegistrationError(f"{kind} {what}: {problem}")


def _check_reference_or_object(kind: str, ident: str, fieldname: str, value: object) -> None:
    if isinstance(value, str):
        if not _REFERENCE.match(value):
            raise _fail(
                kind,
                ident,
                f"{fieldname}={value!r} is not a 'module:attr' reference "
                "(for example 'my_plugin.cli:hello'); pass the object itself or a reference to it",
            )
    elif value is None:
        raise _fail(kind, ident, f"{fieldname} is required")


def _check_protocols(kind: str, ident: str, fieldname: str, values: object, allow_empty: bool) -> None:
    if isinstance(values, str) or not isinstance(values, tuple):
        raise _fail(kind, ident, f"{fieldname} must be a tuple of strings, got {values!r}")
    if not values:
        raise _fail(kind, ident, f"{fieldname} must name at least one protocol")
    for value in values:
        if not isinstance(value, str) or not (_PROTOCOL.match(value) or (allow_empty and value == "")):
            raise _fail(
                kind,
                ident,
                f"{fieldname} entry {value!r} is not a lowercase URI scheme such as 's3' or 'grpcs'",
            )
    if len(set(values)) != len(values):
        raise _fail(kind, ident, f"{fieldname} {values!r} lists a protocol twice")


def _check_bool(kind: str, ident: str, fieldname: str, value: object) -> None:
    if not isinstance(value, bool):
        raise _fail(kind, ident, f"{fieldname} must be True or False, got {value!r}")


def _check_type_ref(kind: str, fieldname: str, value: object) -> str:
    if isinstance(value, str):
        if not _TYPE_NAME.match(value):
            raise _fail(
                kind,
                repr(value),
                f"{fieldname} must be a type or its qualified name such as 'pandas.DataFrame'",
            )
        return value
    if not isinstance(value, type):
        raise _fail(kind, repr(value), f"{fieldname} must be a type or its qualified name")
    return qualified_name(value)


@dataclass(frozen=True, kw_only=True)
class _Registration:
    """Fields shared by every registration: ``override`` and the provenance set by the manager."""

    override: bool = False
    _source: PluginSource | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def source(self) -> PluginSource | None:
        """The plugin and distribution that yielded this registration (set when collected)."""
        return self._source


@dataclass(frozen=True, kw_only=True)
class FlyteSubcommand(_Registration):
    """A ``pyflyte`` subcommand.

    Attributes:
        name: the command name (lowercase words joined by ``-``), e.g. ``"hello"``.
        summary: one line shown by ``pyflyte --help``; read without importing ``command``.
        command: a ``click.Command`` or a ``"module:attr"`` reference to one, imported only when the
            command is invoked or its own ``--help`` is shown.
        aliases: other names that invoke the same command.
        override: replace a command of the same name from another plugin instead of conflicting.
    """

    name: str
    summary: str
    command: str | Any
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        kind = "FlyteSubcommand"
        if not isinstance(self.name, str) or not _COMMAND_NAME.match(self.name):
            raise _fail(
                kind,
                repr(self.name),
                "name must be lowercase letters and digits, words joined by '-' (e.g. 'local-cache')",
            )
        ident = repr(self.name)
        if not isinstance(self.summary, str) or not self.summary.strip():
            raise _fail(kind, ident, "summary must be a non-empty one-line string")
        if "\n" in self.summary.strip():
            raise _fail(kind, ident, "summary must be one line (it is shown in 'pyflyte --help')")
        _check_reference_or_object(kind, ident, "command", self.command)
        if isinstance(self.aliases, str) or not isinstance(self.aliases, tuple):
            raise _fail(kind, ident, f"aliases must be a tuple of names, got {self.aliases!r}")
        for alias in self.aliases:
            if not isinstance(alias, str) or not _COMMAND_NAME.match(alias):
                raise _fail(kind, ident, f"alias {alias!r} is not a valid command name")
            if alias == self.name:
                raise _fail(kind, ident, f"alias {alias!r} repeats the command name")
        _check_bool(kind, ident, "override", self.override)

    def load(self) -> Any:
        """The click command, imported now if it was given as a reference."""
        if isinstance(self.command, str):
            return load_reference(self.command)
        return self.command


@dataclass(frozen=True, kw_only=True)
class FlyteTaskType(_Registration):
    """A task class chosen by the type of ``@task(task_config=...)``.

    Attributes:
        config_type: the ``task_config`` type (or ``"module:Class"``), e.g. ``RayJobConfig``.
        task_class: the ``PythonFunctionTask`` subclass (or ``"module:Class"``) that ``@task`` builds
            when ``task_config`` is an instance of ``config_type``.
        override: replace another plugin's task class for the same config type.
    """

    config_type: type | str
    task_class: type | str

    def __post_init__(self) -> None:
        kind = "FlyteTaskType"
        name = _check_type_ref(kind, "config_type", self.config_type)
        if isinstance(self.task_class, str):
            _check_reference_or_object(kind, repr(name), "task_class", self.task_class)
        elif not isinstance(self.task_class, type):
            raise _fail(kind, repr(name), f"task_class must be a class or 'module:Class', got {self.task_class!r}")
        _check_bool(kind, repr(name), "override", self.override)

    @property
    def config_type_name(self) -> str:
        """The dotted qualified name of ``config_type``."""
        return qualified_name(self.config_type)

    def load_config_type(self) -> type:
        """The config type, imported now if given as a reference."""
        return _load_type(self.config_type)

    def load_task_class(self) -> type:
        """The task class, imported now if given as a reference."""
        return _load_type(self.task_class)


@dataclass(frozen=True, kw_only=True)
class FlyteTypeTransformer(_Registration):
    """Conversion between a Python type and flyteidl literals.

    Attributes:
        python_type: the Python type, or its qualified name (``"pandas.DataFrame"``) so that the
            library is imported only when an annotation actually uses that type.
        transformer: a ``TypeTransformer`` instance, or a ``"module:attr"`` reference to an instance,
            a transformer class or a zero-argument factory; loaded when the type is first converted.
        cli_param_type: how ``pyflyte run`` reads an input of this type from the command line: a
            ``click.ParamType`` instance, or a callable (or ``"module:attr"`` reference to one) that takes
            the input's Python type and returns one. ``None`` (default): chosen from the literal type.
        override: replace another plugin's transformer for the same type.
    """

    python_type: type | str
    transformer: str | Any
    cli_param_type: str | Any | None = None

    def __post_init__(self) -> None:
        kind = "FlyteTypeTransformer"
        name = _check_type_ref(kind, "python_type", self.python_type)
        _check_reference_or_object(kind, repr(name), "transformer", self.transformer)
        if self.cli_param_type is not None:
            _check_reference_or_object(kind, repr(name), "cli_param_type", self.cli_param_type)
        _check_bool(kind, repr(name), "override", self.override)

    @property
    def python_type_name(self) -> str:
        """The dotted qualified name of ``python_type``."""
        return qualified_name(self.python_type)

    @property
    def defining_module(self) -> str:
        """The module that must be imported before this type can appear in an annotation."""
        if isinstance(self.python_type, str):
            if ":" in self.python_type:
                return self.python_type.partition(":")[0]
            return self.python_type.rpartition(".")[0]
        return self.python_type.__module__

    def is_loadable_now(self) -> bool:
        """True when resolving the type imports nothing new: its defining module is already imported."""
        return not isinstance(self.python_type, str) or self.defining_module in sys.modules

    def load_python_type(self) -> Any:
        """The Python type (a class, or a typing special form such as ``typing.Union``)."""
        return load_reference(self.python_type) if isinstance(self.python_type, str) else self.python_type

    def load_cli_param_type(self, python_type: Any) -> Any:
        """The click parameter type for ``python_type``: an instance as given, or a factory's result."""
        if self.cli_param_type is None:
            raise ReferenceLoadError(f"the transformer for {self.python_type_name} has no cli_param_type")
        obj = load_reference(self.cli_param_type) if isinstance(self.cli_param_type, str) else self.cli_param_type
        if not hasattr(obj, "convert") or isinstance(obj, type):
            obj = obj(python_type)
        if not hasattr(obj, "convert"):
            raise ReferenceLoadError(
                f"cli_param_type of the transformer for {self.python_type_name} gave {obj!r}, not a click.ParamType"
            )
        return obj

    def load_transformer(self) -> Any:
        """The transformer instance: a reference is imported, a class or factory is called once."""
        obj = load_reference(self.transformer) if isinstance(self.transformer, str) else self.transformer
        if isinstance(obj, type) or inspect.isfunction(obj):
            obj = obj()
        return obj


@dataclass(frozen=True, kw_only=True)
class FlyteFileAccessProvider(_Registration):
    """An fsspec filesystem serving one or more URI schemes (``file``, ``http``, ``s3``...).

    ``FileAccessProvider.get_filesystem(protocol, anonymous, path, **storage_options)`` loads
    ``filesystem`` the first time one of ``protocols`` is used (once per ``FileAccessProvider``) and
    builds a filesystem on every call from what it loaded:

    * an fsspec ``AbstractFileSystem`` subclass is instantiated with the storage options, plus those
      fsspec derives from the URI (``cls._get_kwargs_from_urls(path)``, as ``fsspec.url_to_fs`` does);
      ``anonymous`` and ``data_config`` are not passed (fsspec caches equal instances);
    * anything else is a factory, called as
      ``factory(protocol=..., data_config=..., anonymous=..., **storage_options)``; it must return an
      fsspec filesystem. Use a factory when the filesystem reads flyte configuration or has an
      anonymous mode (``anonymous=True`` is asked for when an authenticated read fails).

    An ``ImportError`` raised while loading or building (a missing dependency) is reported as
    ``FileAccessUnavailableError`` naming the URI and this plugin, so make its message say what to
    install.

    Attributes:
        protocols: the URI schemes served, lowercase, e.g. ``("s3", "s3a")``.
        filesystem: the ``AbstractFileSystem`` subclass or the factory, or a ``"module:attr"``
            reference to either.
        override: replace another plugin's provider for the same protocols (a built-in one included).
    """

    protocols: tuple[str, ...]
    filesystem: str | Callable[..., Any]

    def __post_init__(self) -> None:
        kind = "FlyteFileAccessProvider"
        _check_protocols(kind, repr(self.protocols), "protocols", self.protocols, allow_empty=False)
        _check_reference_or_object(kind, repr(self.protocols), "filesystem", self.filesystem)
        _check_bool(kind, repr(self.protocols), "override", self.override)

    def load_filesystem(self) -> Any:
        """The filesystem class or factory, imported now if given as a reference."""
        return load_reference(self.filesystem) if isinstance(self.filesystem, str) else self.filesystem


@dataclass(frozen=True, kw_only=True)
class FlyteRemoteBackend(_Registration):
    """A control-plane transport behind ``FlyteRemote``, selected by the endpoint's scheme.

    Attributes:
        name: the backend's name, e.g. ``"grpc-admin"``.
        schemes: endpoint schemes it serves, e.g. ``("dns", "grpc", "grpcs")``; ``""`` means an
            endpoint written without a scheme (``localhost:30080``).
        factory: a callable (or ``"module:attr"``) called as ``factory(config, **kwargs)`` that returns
            the backend client; imported only when a remote is actually used.
        override: replace another plugin's backend for the same schemes.
    """

    name: str
    schemes: tuple[str, ...]
    factory: str | Callable[..., Any]

    def __post_init__(self) -> None:
        kind = "FlyteRemoteBackend"
        if not isinstance(self.name, str) or not _COMMAND_NAME.match(self.name):
            raise _fail(kind, repr(self.name), "name must be lowercase words joined by '-', e.g. 'grpc-admin'")
        _check_protocols(kind, repr(self.name), "schemes", self.schemes, allow_empty=True)
        _check_reference_or_object(kind, repr(self.name), "factory", self.factory)
        _check_bool(kind, repr(self.name), "override", self.override)

    def load_factory(self) -> Callable[..., Any]:
        """The backend factory, imported now if given as a reference."""
        factory = load_reference(self.factory) if isinstance(self.factory, str) else self.factory
        if not callable(factory):
            raise ReferenceLoadError(f"remote backend '{self.name}': factory {factory!r} is not callable")
        return factory


def _load_type(value: type | str) -> type:
    obj = load_reference(value) if isinstance(value, str) else value
    if not isinstance(obj, type):
        raise ReferenceLoadError(f"'{value}' names {obj!r}, which is not a class")
    return obj

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
from typing import Any, ClassVar

from flyte_core.plugins.errors import ReferenceLoadError, RegistrationError

__all__ = [
    "FlyteDataFrameHandler",
    "FlyteFileAccessProvider",
    "FlyteImageBuilder",
    "FlyteRemoteBackend",
    "FlyteSubcommand",
    "FlyteTaskType",
    "FlyteTypeTransformer",
    "PluginSource",
    "is_uri_scheme",
    "load_reference",
    "qualified_name",
    "reference_module",
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


def reference_module(reference: str) -> str:
    """The module a ``"module:attr"`` or dotted ``"package.module.Attr"`` reference names its object in."""
    return reference.partition(":")[0] if ":" in reference else reference.rpartition(".")[0]


def is_uri_scheme(text: str) -> bool:
    """Whether ``text`` is a lowercase URI scheme as registrations spell protocols (``s3``, ``grpc+tls``...)."""
    return bool(_PROTOCOL.match(text))


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
        if not isinstance(value, str) or not (is_uri_scheme(value) or (allow_empty and value == "")):
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
    """Fields shared by every registration: ``override``, ``fallback`` and the provenance set by the manager.

    For one key, an ``override=True`` registration beats a plain one, which beats a ``fallback=True`` one;
    two of the same rank conflict.
    """

    _TARGET: ClassVar[str] = ""
    """The field holding what the registration provides (for :attr:`target`)."""

    override: bool = False
    fallback: bool = False
    _source: PluginSource | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def source(self) -> PluginSource | None:
        """The plugin and distribution that yielded this registration (set when collected)."""
        return self._source

    @property
    def target(self) -> str:
        """What the registration provides, as text: its ``"module:attr"`` reference or the object's qualified name."""
        value = getattr(self, self._TARGET)
        if isinstance(value, str):
            return value
        if not (isinstance(value, type) or inspect.isroutine(value)):
            value = type(value)  # an instance: name its class
        return f"{value.__module__}:{value.__qualname__}"

    @property
    def rank(self) -> int:
        """Which registration of a key wins: fallback 0 < plain 1 < override 2."""
        return 2 if self.override else 0 if self.fallback else 1

    def _check_rank(self, kind: str, ident: str) -> None:
        _check_bool(kind, ident, "override", self.override)
        _check_bool(kind, ident, "fallback", self.fallback)
        if self.override and self.fallback:
            raise _fail(kind, ident, "override and fallback cannot both be set")


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

    _TARGET: ClassVar[str] = "command"

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
        self._check_rank(kind, ident)

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

    _TARGET: ClassVar[str] = "task_class"

    config_type: type | str
    task_class: type | str

    def __post_init__(self) -> None:
        kind = "FlyteTaskType"
        name = _check_type_ref(kind, "config_type", self.config_type)
        if isinstance(self.task_class, str):
            _check_reference_or_object(kind, repr(name), "task_class", self.task_class)
        elif not isinstance(self.task_class, type):
            raise _fail(kind, repr(name), f"task_class must be a class or 'module:Class', got {self.task_class!r}")
        self._check_rank(kind, repr(name))

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


class _ForPythonType:
    """What a registration keyed by a Python type (``python_type``, a type or its qualified name) offers."""

    python_type: type | str

    @property
    def python_type_name(self) -> str:
        """The dotted qualified name of ``python_type``."""
        return qualified_name(self.python_type)

    @property
    def defining_module(self) -> str:
        """The module that must be imported before this type can appear in an annotation."""
        if isinstance(self.python_type, str):
            return reference_module(self.python_type)
        return self.python_type.__module__

    def is_loadable_now(self) -> bool:
        """True when resolving the type imports nothing new: its defining module is already imported."""
        return not isinstance(self.python_type, str) or self.defining_module in sys.modules

    def load_python_type(self) -> Any:
        """The Python type (a class, or a typing special form such as ``typing.Union``)."""
        return load_reference(self.python_type) if isinstance(self.python_type, str) else self.python_type


@dataclass(frozen=True, kw_only=True)
class FlyteTypeTransformer(_ForPythonType, _Registration):
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

    _TARGET: ClassVar[str] = "transformer"

    python_type: type | str
    transformer: str | Any
    cli_param_type: str | Any | None = None

    def __post_init__(self) -> None:
        kind = "FlyteTypeTransformer"
        name = _check_type_ref(kind, "python_type", self.python_type)
        _check_reference_or_object(kind, repr(name), "transformer", self.transformer)
        if self.cli_param_type is not None:
            _check_reference_or_object(kind, repr(name), "cli_param_type", self.cli_param_type)
        self._check_rank(kind, repr(name))

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
        return _instance(self.transformer)


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
      ``factory(protocol=..., data_config=..., anonymous=..., **storage_options)`` (plus ``path=``, the URI
      being accessed, when the factory has a ``path`` parameter); it must return an fsspec filesystem. Use
      a factory when the filesystem reads flyte configuration or has an anonymous mode (``anonymous=True``
      is asked for when an authenticated read fails).

    An ``ImportError`` raised while loading or building (a missing dependency) is reported as
    ``FileAccessUnavailableError`` naming the URI and this plugin, so make its message say what to
    install.

    Attributes:
        protocols: the URI schemes served, lowercase, e.g. ``("s3", "s3a")``.
        filesystem: the ``AbstractFileSystem`` subclass or the factory, or a ``"module:attr"``
            reference to either.
        override: replace another plugin's provider for the same protocols (a built-in one included).
    """

    _TARGET: ClassVar[str] = "filesystem"

    protocols: tuple[str, ...]
    filesystem: str | Callable[..., Any]

    def __post_init__(self) -> None:
        kind = "FlyteFileAccessProvider"
        _check_protocols(kind, repr(self.protocols), "protocols", self.protocols, allow_empty=False)
        _check_reference_or_object(kind, repr(self.protocols), "filesystem", self.filesystem)
        self._check_rank(kind, repr(self.protocols))

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

    _TARGET: ClassVar[str] = "factory"

    name: str
    schemes: tuple[str, ...]
    factory: str | Callable[..., Any]

    def __post_init__(self) -> None:
        kind = "FlyteRemoteBackend"
        if not isinstance(self.name, str) or not _COMMAND_NAME.match(self.name):
            raise _fail(kind, repr(self.name), "name must be lowercase words joined by '-', e.g. 'grpc-admin'")
        _check_protocols(kind, repr(self.name), "schemes", self.schemes, allow_empty=True)
        _check_reference_or_object(kind, repr(self.name), "factory", self.factory)
        self._check_rank(kind, repr(self.name))

    def load_factory(self) -> Callable[..., Any]:
        """The backend factory, imported now if given as a reference."""
        factory = load_reference(self.factory) if isinstance(self.factory, str) else self.factory
        if not callable(factory):
            raise ReferenceLoadError(f"remote backend '{self.name}': factory {factory!r} is not callable")
        return factory


@dataclass(frozen=True, kw_only=True)
class FlyteDataFrameHandler(_ForPythonType, _Registration):
    """A StructuredDataset encoder or decoder: one dataframe type, written to or read from one format.

    Attributes:
        python_type: the dataframe type, or its qualified name (``"pandas.DataFrame"``): the handler is
            loaded only when that library is imported and a value or annotation of the type is converted.
        role: ``"encoder"`` (dataframe -> stored data) or ``"decoder"`` (stored data -> dataframe).
        format: the storage format handled, e.g. ``"parquet"``, ``"csv"``.
        handler: a ``StructuredDatasetEncoder``/``StructuredDatasetDecoder`` instance, or a ``"module:attr"``
            reference to one, to its class or to a zero-argument factory.
        protocol: the storage protocol served (``"s3"``, ``"file"``...); ``None``: every protocol.
        default_format: this format becomes the default of ``python_type`` (``pandas.DataFrame`` -> parquet).
        override: replace another plugin's handler for the same type, role, protocol and format.
    """

    _TARGET: ClassVar[str] = "handler"

    python_type: type | str
    role: str
    format: str
    handler: str | Any
    protocol: str | None = None
    default_format: bool = False

    def __post_init__(self) -> None:
        kind = "FlyteDataFrameHandler"
        name = _check_type_ref(kind, "python_type", self.python_type)
        ident = repr(f"{self.role} {name} {self.format}")
        if self.role not in ("encoder", "decoder"):
            raise _fail(kind, ident, f"role must be 'encoder' or 'decoder', got {self.role!r}")
        if not isinstance(self.format, str) or not self.format:
            raise _fail(kind, ident, f"format must be a non-empty string such as 'parquet', got {self.format!r}")
        if self.protocol is not None:
            _check_protocols(kind, ident, "protocol", (self.protocol,), allow_empty=False)
        _check_reference_or_object(kind, ident, "handler", self.handler)
        _check_bool(kind, ident, "default_format", self.default_format)
        self._check_rank(kind, ident)

    @property
    def key(self) -> str:
        """What two handlers must not share: role, type, protocol (``*`` for every one) and format."""
        return f"{self.role} {self.python_type_name} {self.protocol or '*'} {self.format}"

    def load_handler(self) -> Any:
        """The handler instance: a reference is imported, a class or factory is called once."""
        return _instance(self.handler)


@dataclass(frozen=True, kw_only=True)
class FlyteImageBuilder(_Registration):
    """An ImageSpec builder: builds and pushes the image of ``ImageSpec(builder=name)``.

    Attributes:
        name: the builder's name as ``ImageSpec(builder=...)`` spells it, e.g. ``"envd"``, ``"noop"``.
        builder: an ``ImageSpecBuilder`` instance, or a ``"module:attr"`` reference to one, to its class or
            to a zero-argument factory; loaded when an image is first built with it.
        priority: an ImageSpec without ``builder=`` uses the builder of highest priority (flytekit's rule).
        override: replace another plugin's builder of the same name.
    """

    _TARGET: ClassVar[str] = "builder"

    name: str
    builder: str | Any
    priority: int = 5

    def __post_init__(self) -> None:
        kind = "FlyteImageBuilder"
        if not isinstance(self.name, str) or not _COMMAND_NAME.match(self.name):
            raise _fail(kind, repr(self.name), "name must be lowercase words joined by '-', e.g. 'envd'")
        _check_reference_or_object(kind, repr(self.name), "builder", self.builder)
        if isinstance(self.priority, bool) or not isinstance(self.priority, int):
            raise _fail(kind, repr(self.name), f"priority must be an integer, got {self.priority!r}")
        self._check_rank(kind, repr(self.name))

    def load_builder(self) -> Any:
        """The builder instance: a reference is imported, a class or factory is called once."""
        return _instance(self.builder)


def _instance(value: Any) -> Any:
    """What a registration names, as an instance: references imported, classes and factories called."""
    obj = load_reference(value) if isinstance(value, str) else value
    if isinstance(obj, type) or inspect.isfunction(obj):
        obj = obj()
    return obj


def _load_type(value: type | str) -> type:
    obj = load_reference(value) if isinstance(value, str) else value
    if not isinstance(obj, type):
        raise ReferenceLoadError(f"'{value}' names {obj!r}, which is not a class")
    return obj

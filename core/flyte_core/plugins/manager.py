"""The plugin manager: discovery, registration, fault isolation, conflicts and provenance.

This is the one place that calls ``pm.hook.*``. Everything else asks the manager for resolved
registration tables (``subcommands()``, ``task_types()``...), each entry tagged with the plugin and
distribution that provided it.

Order: flyte-core's own built-ins (entry points of the ``flyte-core`` distribution) are registered
first, third-party plugins after. Switches, read from the environment before any plugin is
imported:

* ``FLYTE_DISABLE_PLUGINS=a,b``: do not load these plugins (entry-point or distribution names).
* ``FLYTE_NO_PLUGINS=1`` (``pyflyte --no-plugins``): load no third-party plugin.
* ``FLYTE_STRICT_PLUGINS=1``: a plugin that fails to load or register is an error, not a warning.
* ``FLYTE_TRACE_PLUGINS=1``: log every hook call and how many registrations it produced.
"""

from __future__ import annotations

import difflib
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pluggy

from flyte_core.plugins.discovery import EntryPointRecord, discover_entry_points
from flyte_core.plugins.errors import PluginConflictError, PluginError, PluginLoadError
from flyte_core.plugins.hookspec import ENTRY_POINT_GROUP, HOOK_NAMES, PROJECT_NAME, FlyteSpecs
from flyte_core.plugins.types import (
    FlyteDataFrameHandler,
    FlyteFileAccessProvider,
    FlyteImageBuilder,
    FlyteRemoteBackend,
    FlyteSubcommand,
    FlyteTaskType,
    FlyteTypeTransformer,
    PluginSource,
    _Registration,
    load_reference,
)

__all__ = [
    "CORE_DISTRIBUTION",
    "ESSENTIAL_PLUGINS",
    "FlytePluginManager",
    "PluginInfo",
    "PluginSettings",
    "RegistrationInfo",
    "get_plugin_manager",
    "load_implicit_plugins",
    "reset_plugin_manager",
    "use_plugin_manager",
]

CORE_DISTRIBUTION = "flyte-core"
"""The distribution whose entry points are the built-in plugins."""

ESSENTIAL_PLUGINS: frozenset[str] = frozenset(
    {"commands.plugins", "file_access.local", "transformers.core", "task_types.python"}
)
"""Built-in plugins that cannot be disabled: without them flyte-core cannot work or be repaired."""

IN_PROCESS = "<in-process>"
"""The distribution shown for plugins registered from code (``FlytePluginManager.register``)."""

_TRUE = ("1", "true", "yes", "on")

R = TypeVar("R", bound=_Registration)


@dataclass(frozen=True)
class PluginSettings:
    """The switches that decide which plugins load and how failures are treated."""

    disabled: frozenset[str] = frozenset()
    no_plugins: bool = False
    strict: bool = False
    trace: bool = False

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> PluginSettings:
        """Read ``FLYTE_DISABLE_PLUGINS``, ``FLYTE_NO_PLUGINS``, ``FLYTE_STRICT_PLUGINS``, ``FLYTE_TRACE_PLUGINS``."""
        env = os.environ if environ is None else environ
        disabled = frozenset(
            _normalize(name) for name in env.get("FLYTE_DISABLE_PLUGINS", "").split(",") if name.strip()
        )
        return cls(
            disabled=disabled,
            no_plugins=_flag(env, "FLYTE_NO_PLUGINS"),
            strict=_flag(env, "FLYTE_STRICT_PLUGINS"),
            trace=_flag(env, "FLYTE_TRACE_PLUGINS"),
        )


@dataclass(frozen=True)
class PluginInfo:
    """What ``pyflyte plugins`` shows about one plugin."""

    name: str
    distribution: str
    version: str
    status: str
    hooks: tuple[str, ...]
    error: str | None
    builtin: bool
    essential: bool
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``pyflyte plugins --json`` object: exactly these six keys."""
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "status": self.status,
            "hooks": list(self.hooks),
            "error": self.error,
        }


@dataclass(frozen=True)
class RegistrationInfo:
    """One key a plugin registered, as ``pyflyte plugins`` shows it."""

    hook: str
    kind: str
    key: str
    target: str
    active: bool
    """False when another plugin's registration of the same key wins (an override, or a fallback's loss)."""

    def to_json(self) -> dict[str, Any]:
        return {"hook": self.hook, "kind": self.kind, "key": self.key, "target": self.target, "active": self.active}


@dataclass
class _PluginState:
    name: str
    distribution: str
    version: str
    builtin: bool
    status: str = "active"
    error: str | None = None
    plugin: object | None = None
    hooks: tuple[str, ...] = ()
    entry_point: str = ""
    reason: str | None = None

    @property
    def source(self) -> PluginSource:
        return PluginSource(self.name, self.distribution, self.version)

    def describe(self) -> str:
        where = f"entry point '{self.name} = {self.entry_point}'" if self.entry_point else f"plugin '{self.name}'"
        version = f" {self.version}" if self.version else ""
        return f"{where} of distribution '{self.distribution}{version}'"

    def info(self) -> PluginInfo:
        return PluginInfo(
            name=self.name,
            distribution=self.distribution,
            version=self.version,
            status=self.status,
            hooks=tuple(hook.removeprefix("flyte_") for hook in self.hooks),
            error=self.error,
            builtin=self.builtin,
            essential=self.builtin and self.name in ESSENTIAL_PLUGINS,
            reason=self.reason,
        )


class _PluggyManager(pluggy.PluginManager):
    """Only ``flyte_*`` attributes can be hook implementations (pytest#1073: never touch the rest)."""

    def parse_hookimpl_opts(self, plugin: object, name: str) -> pluggy.HookimplOpts | None:
        if not name.startswith("flyte_"):
            return None
        return super().parse_hookimpl_opts(plugin, name)


@dataclass
class _Table:
    """A hook's resolved registrations: key -> winning registration, plus conflicts found."""

    entries: dict[str, Any] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)


_HOOK_TABLES: dict[str, tuple[type[_Registration], str, Callable[[Any], Iterable[str]]]] = {
    "flyte_subcommands": (FlyteSubcommand, "subcommand", lambda r: (r.name, *r.aliases)),
    "flyte_task_types": (FlyteTaskType, "task config type", lambda r: (r.config_type_name,)),
    "flyte_type_transformers": (FlyteTypeTransformer, "python type", lambda r: (r.python_type_name,)),
    "flyte_dataframe_handlers": (FlyteDataFrameHandler, "dataframe handler", lambda r: (r.key,)),
    "flyte_file_access_providers": (FlyteFileAccessProvider, "protocol", lambda r: r.protocols),
    "flyte_image_builders": (FlyteImageBuilder, "image builder", lambda r: (r.name,)),
    "flyte_remote_backends": (FlyteRemoteBackend, "endpoint scheme", lambda r: r.schemes),
}


class FlytePluginManager:
    """Loads plugins, isolates failures and resolves what they register.

    Build it with :meth:`from_environment`; the process-wide instance is
    :func:`get_plugin_manager`.
    """

    def __init__(self, settings: PluginSettings | None = None) -> None:
        self.settings = settings or PluginSettings()
        self._pm = _PluggyManager(PROJECT_NAME)
        self._pm.add_hookspecs(FlyteSpecs)
        self._states: dict[str, _PluginState] = {}
        self._collected: dict[str, list[Any]] = {}
        self._tables: dict[str, _Table] = {}
        if self.settings.trace:
            self._pm.add_hookcall_monitoring(self._trace_before, self._trace_after)

    # ------------------------------------------------------------------------------------------
    # Building
    # ------------------------------------------------------------------------------------------

    @classmethod
    def from_environment(
        cls,
        *,
        builtins_only: bool = False,
        settings: PluginSettings | None = None,
        entry_points: Sequence[EntryPointRecord] | None = None,
    ) -> FlytePluginManager:
        """A manager with every installed plugin loaded, honouring the environment's switches.

        Args:
            builtins_only: load only flyte-core's own built-ins (for tests).
            settings: switches to use instead of reading the environment.
            entry_points: entry points to use instead of discovering them (for tests).
        """
        manager = cls(settings or PluginSettings.from_environment())
        records = list(entry_points) if entry_points is not None else discover_entry_points(ENTRY_POINT_GROUP)
        if builtins_only:
            records = [r for r in records if r.distribution == CORE_DISTRIBUTION]
        manager.load_entry_points(records)
        return manager

    def load_entry_points(self, records: Sequence[EntryPointRecord]) -> None:
        """Register entry points: flyte-core's first, then third-party ones in discovery order."""
        builtins = [r for r in records if r.distribution == CORE_DISTRIBUTION]
        missing = sorted(ESSENTIAL_PLUGINS - {r.name for r in builtins})
        if missing:
            raise PluginLoadError(
                f"flyte-core's essential built-in plugins are not installed: {', '.join(missing)}. "
                "The flyte-core installation is incomplete or out of date: reinstall it "
                "(pip install --force-reinstall flyte-core, or pip install -e . in a source checkout)."
            )
        self._check_disabled_names(records)
        for record in builtins + [r for r in records if r.distribution != CORE_DISTRIBUTION]:
            self._load_entry_point(record)

    def _load_entry_point(self, record: EntryPointRecord) -> None:
        builtin = record.distribution == CORE_DISTRIBUTION
        state = _PluginState(
            name=record.name,
            distribution=record.distribution,
            version=record.version,
            builtin=builtin,
            entry_point=record.value,
        )
        if record.name in self._states:
            other = self._states[record.name]
            self._add_state(state, key=f"{record.distribution}:{record.name}")
            self._fail(state, f"its name is already used by {other.describe()}; rename the entry point")
            return
        self._add_state(state)
        reason = self._disabled_reason(record, builtin)
        if reason:
            state.status = "disabled"
            state.reason = reason
            self._trace(f"skip {state.describe()}: {reason}")
            return
        try:
            if ":" in record.value:
                plugin = load_reference(record.value)
            else:
                __import__(record.value)
                plugin = sys.modules[record.value]
        except Exception as exc:
            self._fail(state, f"failed to import: {_describe(exc)}", exc)
            return
        self._register(state, plugin)

    def _add_state(self, state: _PluginState, key: str | None = None) -> None:
        self._states[key or state.name] = state

    def _disabled_reason(self, record: EntryPointRecord, builtin: bool) -> str:
        disabled = self.settings.disabled
        if builtin and record.name in ESSENTIAL_PLUGINS:
            return ""
        if _normalize(record.name) in disabled or _normalize(record.distribution) in disabled:
            return "listed in FLYTE_DISABLE_PLUGINS"
        if not builtin and self.settings.no_plugins:
            return "third-party plugins are off (--no-plugins / FLYTE_NO_PLUGINS)"
        return ""

    def _check_disabled_names(self, records: Sequence[EntryPointRecord]) -> None:
        known = {_normalize(r.name) for r in records} | {_normalize(r.distribution) for r in records}
        essential = {_normalize(name) for name in ESSENTIAL_PLUGINS}
        for name in sorted(self.settings.disabled):
            if name in essential:
                _warn(f"FLYTE_DISABLE_PLUGINS: '{name}' is essential to flyte-core and cannot be disabled")
            elif name not in known:
                installed = ", ".join(sorted(r.name for r in records)) or "none"
                _warn(
                    f"FLYTE_DISABLE_PLUGINS names '{name}', which is not an installed plugin (installed: {installed})"
                )

    def register(self, plugin: object, name: str, *, distribution: str = IN_PROCESS, version: str = "") -> None:
        """Register a plugin object from code (tests, notebooks); it behaves as an entry point would.

        Raises:
            PluginError: when ``name`` is taken or the plugin is invalid (always, strict or not).
        """
        if name in self._states:
            raise PluginError(f"a plugin named '{name}' is already registered ({self._states[name].describe()})")
        state = _PluginState(name=name, distribution=distribution, version=version, builtin=False)
        self._add_state(state)
        try:
            self._register(state, plugin, strict=True)
        except PluginError:
            del self._states[name]
            raise

    def unregister(self, name: str) -> None:
        """Remove a plugin registered with :meth:`register` and forget what it contributed."""
        state = self._states.pop(name, None)
        if state is None:
            raise PluginError(f"no plugin named '{name}' is registered")
        if state.plugin is not None:
            self._pm.unregister(name=name)
        self._invalidate()

    def _register(self, state: _PluginState, plugin: object, *, strict: bool = False) -> None:
        try:
            self._pm.register(plugin, name=state.name)
        except Exception as exc:
            self._fail(state, f"failed to register: {_describe(exc)}", exc, strict=strict)
            return
        callers = self._pm.get_hookcallers(plugin) or []
        unknown = sorted(caller.name for caller in callers if not caller.has_spec())
        if unknown:
            self._pm.unregister(name=state.name)
            hints = []
            for hook in unknown:
                close = difflib.get_close_matches(hook, HOOK_NAMES, n=1)
                hints.append(f"'{hook}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
            self._fail(
                state,
                f"implements unknown hook {', '.join(hints)}; the hooks are: {', '.join(HOOK_NAMES)}",
                strict=strict,
            )
            return
        state.plugin = plugin
        state.hooks = tuple(hook for hook in HOOK_NAMES if any(c.name == hook for c in callers))
        self._invalidate()
        self._trace(f"registered {state.describe()}: hooks {', '.join(state.hooks) or 'none'}")

    def _fail(
        self, state: _PluginState, problem: str, exc: BaseException | None = None, *, strict: bool = False
    ) -> None:
        state.status = "failed"
        state.error = problem
        message = f"plugin '{state.name}' ({state.describe()}) {problem}"
        if strict or self.settings.strict:
            suffix = "" if strict else " [FLYTE_STRICT_PLUGINS=1 makes plugin failures errors]"
            raise PluginLoadError(message + suffix) from exc
        _warn(
            f"{message}\n  It is skipped; everything else keeps working ('pyflyte plugins' shows its status). "
            f"Fix or uninstall '{state.distribution}', or set FLYTE_DISABLE_PLUGINS={state.name} to skip it quietly."
        )

    def _invalidate(self) -> None:
        self._collected.clear()
        self._tables.clear()

    # ------------------------------------------------------------------------------------------
    # Collecting registrations
    # ------------------------------------------------------------------------------------------

    def _collect(self, hook_name: str) -> list[Any]:
        """Every registration a hook yields, plugin by plugin, each tagged with its source.

        Each plugin's implementation is called on its own, so one that raises or yields the wrong
        type is reported and dropped without losing the others' registrations.
        """
        if hook_name in self._collected:
            return self._collected[hook_name]
        expected = _HOOK_TABLES[hook_name][0]
        caller = getattr(self._pm.hook, hook_name)
        collected: list[Any] = []
        for impl in list(caller.get_hookimpls()):
            state = self._states[impl.plugin_name]
            others = [p for _, p in self._pm.list_name_plugin() if p is not None and p is not impl.plugin]
            try:
                produced = list(_flatten(self._pm.subset_hook_caller(hook_name, others)(), expected, hook_name))
            except Exception as exc:
                self._pm.unregister(name=state.name)
                state.plugin = None
                self._invalidate()
                self._fail(state, f"raised in {hook_name}: {_describe(exc)}", exc)
                return self._collect(hook_name)
            for item in produced:
                object.__setattr__(item, "_source", state.source)
            collected.extend(produced)
            self._trace(f"{hook_name} <- plugin '{state.name}': {len(produced)} registration(s)")
        self._collected[hook_name] = collected
        return collected

    def _table(self, hook_name: str) -> _Table:
        table = self._tables.get(hook_name)
        if table is not None:
            return table
        _, kind, keys_of = _HOOK_TABLES[hook_name]
        table = _Table()
        for item in self._collect(hook_name):
            for key in keys_of(item):
                current = table.entries.get(key)
                if current is None or item.rank > current.rank:
                    table.entries[key] = item
                elif item.rank == current.rank:
                    table.conflicts.append(_conflict_message(kind, key, current, item))
        self._tables[hook_name] = table
        return table

    def _resolved(self, hook_name: str) -> dict[str, Any]:
        table = self._table(hook_name)
        if table.conflicts:
            raise PluginConflictError("\n".join(table.conflicts))
        return table.entries

    def subcommands(self, *, ignore_conflicts: bool = False) -> dict[str, FlyteSubcommand]:
        """Subcommands by name and by alias.

        Args:
            ignore_conflicts: resolve what can be resolved (the first registration of a contested
                name stays), for commands that diagnose a broken installation.

        Raises:
            PluginConflictError: two plugins register the same name or alias.
        """
        if ignore_conflicts:
            return self._table("flyte_subcommands").entries
        return self._resolved("flyte_subcommands")

    def task_types(self) -> dict[str, FlyteTaskType]:
        """Task types by the qualified name of their config type."""
        return self._resolved("flyte_task_types")

    def type_transformers(self) -> dict[str, FlyteTypeTransformer]:
        """Type transformers by the qualified name of their Python type."""
        return self._resolved("flyte_type_transformers")

    def dataframe_handlers(self) -> dict[str, FlyteDataFrameHandler]:
        """Dataframe encoders and decoders by :attr:`~flyte_core.plugins.FlyteDataFrameHandler.key`."""
        return self._resolved("flyte_dataframe_handlers")

    def file_access_providers(self) -> dict[str, FlyteFileAccessProvider]:
        """File-access providers by URI protocol."""
        return self._resolved("flyte_file_access_providers")

    def image_builders(self) -> dict[str, FlyteImageBuilder]:
        """ImageSpec builders by name."""
        return self._resolved("flyte_image_builders")

    def remote_backends(self) -> dict[str, FlyteRemoteBackend]:
        """Remote backends by endpoint scheme (``""`` for an endpoint without a scheme)."""
        return self._resolved("flyte_remote_backends")

    # ------------------------------------------------------------------------------------------
    # Reporting
    # ------------------------------------------------------------------------------------------

    def plugins(self) -> list[PluginInfo]:
        """Every discovered plugin, built-ins first, with its status and hooks."""
        return [state.info() for state in self._states.values()]

    def registrations(self) -> dict[str, list[RegistrationInfo]]:
        """What each plugin registered, by plugin name: every hook's registrations, winners and losers.

        Calls every hook (as :meth:`conflicts` does), so a plugin failing to register shows up as failed.
        """
        found: dict[str, list[RegistrationInfo]] = {name: [] for name in self._states}
        for hook_name in HOOK_NAMES:
            _, kind, keys_of = _HOOK_TABLES[hook_name]
            table = self._table(hook_name)
            for item in self._collect(hook_name):
                if item.source is None or item.source.name not in found:
                    continue
                for key in keys_of(item):
                    found[item.source.name].append(
                        RegistrationInfo(
                            hook=hook_name.removeprefix("flyte_"),
                            kind=kind,
                            key=key,
                            target=item.target,
                            active=table.entries.get(key) is item,
                        )
                    )
        return found

    def conflicts(self) -> list[str]:
        """Every conflict between plugins, over all hooks (collects every hook's registrations)."""
        found: list[str] = []
        for hook_name in HOOK_NAMES:
            found.extend(self._table(hook_name).conflicts)
        return found

    # ------------------------------------------------------------------------------------------
    # Tracing (FLYTE_TRACE_PLUGINS=1)
    # ------------------------------------------------------------------------------------------

    def _trace(self, message: str) -> None:
        if self.settings.trace:
            sys.stderr.write(f"flyte-core: trace: {message}\n")

    def _trace_before(self, hook_name: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]) -> None:
        self._trace(f"call {hook_name} on {', '.join(repr(i.plugin_name) for i in impls) or 'no plugin'}")

    def _trace_after(
        self,
        outcome: pluggy.Result[Any],
        hook_name: str,
        impls: Sequence[pluggy.HookImpl],
        kwargs: Mapping[str, Any],
    ) -> None:
        if outcome.exception is not None:
            self._trace(f"{hook_name} raised {_describe(outcome.exception)}")


def _flatten(results: Iterable[Any], expected: type[R], hook_name: str) -> Iterator[R]:
    for result in results:
        items = [result] if isinstance(result, _Registration) else result
        for item in items:
            if not isinstance(item, expected):
                raise TypeError(f"{hook_name} yielded {item!r}; expected {expected.__name__} objects")
            yield item


def _conflict_message(kind: str, key: str, first: _Registration, second: _Registration) -> str:
    a, b = first.source, second.source
    return (
        f"{kind} '{key}' is registered by both {a} and {b}. "
        f"Uninstall one of them, disable one with FLYTE_DISABLE_PLUGINS={b.name if b else '<name>'}, "
        "or mark the intended replacement with override=True."
    )


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _warn(message: str) -> None:
    sys.stderr.write(f"flyte-core: warning: {message}\n")


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in _TRUE


def _normalize(name: str) -> str:
    """Plugin and distribution names compare case-insensitively, with ``_`` and ``-`` alike."""
    return name.strip().lower().replace("_", "-")


# ----------------------------------------------------------------------------------------------
# The process-wide manager
# ----------------------------------------------------------------------------------------------

_lock = threading.Lock()
_environment_manager: FlytePluginManager | None = None
_overrides: list[FlytePluginManager] = []


def get_plugin_manager() -> FlytePluginManager:
    """The process-wide manager, built on first use (never at import) and then reused."""
    global _environment_manager
    if _overrides:
        return _overrides[-1]
    if _environment_manager is None:
        with _lock:
            if _environment_manager is None:
                _environment_manager = FlytePluginManager.from_environment()
    return _environment_manager


def load_implicit_plugins() -> None:
    """flytekit API: load every installed plugin now (flyte-core otherwise loads them on first use)."""
    get_plugin_manager()


_change_listeners: list[Callable[[], None]] = []


def on_plugin_manager_change(listener: Callable[[], None]) -> None:
    """Call ``listener`` whenever the process-wide manager changes (caches of what plugins registered)."""
    if listener not in _change_listeners:
        _change_listeners.append(listener)


def _changed() -> None:
    for listener in list(_change_listeners):
        listener()


def reset_plugin_manager() -> None:
    """Forget the process-wide manager; the next use rebuilds it from the environment."""
    global _environment_manager
    with _lock:
        _environment_manager = None
    _changed()


@contextmanager
def use_plugin_manager(manager: FlytePluginManager) -> Iterator[FlytePluginManager]:
    """Make ``manager`` the process-wide manager inside the ``with`` block (tests, embedding)."""
    _overrides.append(manager)
    _changed()
    try:
        yield manager
    finally:
        _overrides.remove(manager)
        _changed()

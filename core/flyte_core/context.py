"""Execution and compilation context: a stack of immutable ``FlyteContext`` objects in a ``ContextVar``.

Each thread and each asyncio task sees its own stack (contextvars), so a workflow running in a
thread pool or under ``asyncio.gather`` always finds the context it was started with.
"""

from __future__ import annotations

import contextvars
import datetime
import enum
import logging
import os
import tempfile
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flyte_core.loggers import logger

if typing.TYPE_CHECKING:
    from flyte_core.config import SerializationSettings
    from flyte_core.data.file_access import FileAccessProvider
    from flyte_core.sdk.node import Node


class SecretsManager:
    """Reads secrets requested with ``Secret(group, key)``: environment first, then mounted files.

    Environment: ``_FSEC_<GROUP>[_<VERSION>]_<KEY>`` (upper case; locally also without the prefix).
    Files: ``/etc/secrets/<group>[/<version>]/<key>`` (lower case). Both locations are configurable
    (``FLYTE_SECRETS_ENV_PREFIX``, ``FLYTE_SECRETS_DEFAULT_DIR``, ``FLYTE_SECRETS_FILE_PREFIX``).
    """

    def __init__(self, env_prefix: str | None = None, default_dir: str | None = None, file_prefix: str | None = None):
        self._env_prefix = (
            env_prefix if env_prefix is not None else os.environ.get("FLYTE_SECRETS_ENV_PREFIX", "_FSEC_")
        )
        self._default_dir = default_dir or os.environ.get(
            "FLYTE_SECRETS_DEFAULT_DIR", os.path.join(os.sep, "etc", "secrets")
        )
        self._file_prefix = file_prefix if file_prefix is not None else os.environ.get("FLYTE_SECRETS_FILE_PREFIX", "")

    def __getattr__(self, group: str) -> Any:
        if group.startswith("_"):
            raise AttributeError(group)
        manager = self

        class _Group:
            def __getattr__(self, key: str) -> str:
                return manager.get(group, key)

        return _Group()

    def get(
        self,
        group: str | None = None,
        key: str | None = None,
        group_version: str | None = None,
        encode_mode: str = "r",
    ) -> Any:
        """The secret's value; ``ValueError`` naming every place looked at when it is not found."""
        env_var = self.get_secrets_env_var(group, key, group_version)
        file_path = self.get_secrets_file(group, key, group_version)
        value = os.environ.get(env_var)
        if value is not None:
            return value
        plain = "_".join(p for p in (group, group_version, key) if p).upper()
        if plain and plain in os.environ:
            return os.environ[plain]
        if os.path.exists(file_path):
            with open(file_path, encode_mode) as f:
                return f.read().strip() if "b" not in encode_mode else f.read()
        raise ValueError(
            f"Secret not found for group {group!r} key {key!r}: set the environment variable {env_var} "
            f"(or {plain}) or mount the file {file_path}"
        )

    def get_secrets_env_var(
        self, group: str | None = None, key: str | None = None, group_version: str | None = None
    ) -> str:
        self._check(group, key)
        parts = [p for p in (group, group_version, key) if p]
        return f"{self._env_prefix}{'_'.join(parts).upper()}"

    def get_secrets_file(
        self, group: str | None = None, key: str | None = None, group_version: str | None = None
    ) -> str:
        self._check(group, key)
        parts = [p.lower() for p in (group, group_version) if p]
        return os.path.join(self._default_dir, *parts, f"{self._file_prefix}{(key or '').lower()}")

    @staticmethod
    def _check(group: str | None, key: str | None) -> None:
        if not key:
            raise ValueError("secrets need a key: Secret(group=..., key=...)")


class ExecutionParameters:
    """What ``current_context()`` returns inside a task: ids, working directory, secrets, decks, plugin attributes."""

    def __init__(
        self,
        execution_date: datetime.datetime,
        tmp_dir: str,
        stats: Any,
        execution_id: Any,
        logging: logging.Logger,
        raw_output_prefix: str | None,
        output_metadata_prefix: str | None = None,
        checkpoint: Any = None,
        decks: list[Any] | None = None,
        task_id: Any = None,
        enable_deck: bool = False,
        **kwargs: Any,
    ) -> None:
        self._stats = stats
        self._execution_date = execution_date
        self._working_directory = tmp_dir
        self._execution_id = execution_id
        self._logging = logging
        self._raw_output_prefix = raw_output_prefix
        self._output_metadata_prefix = output_metadata_prefix
        self._checkpoint = checkpoint
        self._decks = decks if decks is not None else []
        self._task_id = task_id
        self._enable_deck = enable_deck
        self._attrs = {k.lower(): v for k, v in kwargs.items()}
        self._secrets_manager: SecretsManager | None = None

    class Builder:
        """Builds a changed copy of ``ExecutionParameters`` (plugins add attributes with ``add_attr``)."""

        def __init__(self, current: ExecutionParameters | None = None) -> None:
            self.stats = current._stats if current else None
            self.execution_date = current._execution_date if current else datetime.datetime.now(datetime.timezone.utc)
            self.working_dir = current._working_directory if current else tempfile.gettempdir()
            self.execution_id = current._execution_id if current else None
            self.logging = current._logging if current else logger
            self.raw_output_prefix = current._raw_output_prefix if current else None
            self.output_metadata_prefix = current._output_metadata_prefix if current else None
            self.checkpoint = current._checkpoint if current else None
            self.decks = current._decks if current else []
            self.task_id = current._task_id if current else None
            self.enable_deck = current._enable_deck if current else False
            self.attrs: dict[str, Any] = dict(current._attrs) if current else {}

        def add_attr(self, key: str, v: Any) -> ExecutionParameters.Builder:
            self.attrs[key.lower()] = v
            return self

        def build(self) -> ExecutionParameters:
            if self.working_dir and not os.path.isdir(self.working_dir):
                os.makedirs(self.working_dir, exist_ok=True)
            return ExecutionParameters(
                execution_date=self.execution_date,
                tmp_dir=self.working_dir,
                stats=self.stats,
                execution_id=self.execution_id,
                logging=self.logging,
                raw_output_prefix=self.raw_output_prefix,
                output_metadata_prefix=self.output_metadata_prefix,
                checkpoint=self.checkpoint,
                decks=self.decks,
                task_id=self.task_id,
                enable_deck=self.enable_deck,
                **self.attrs,
            )

    @staticmethod
    def new_builder(current: ExecutionParameters | None = None) -> ExecutionParameters.Builder:
        return ExecutionParameters.Builder(current=current)

    def with_task_sandbox(self) -> ExecutionParameters.Builder:
        builder = self.new_builder(self)
        builder.working_dir = tempfile.mkdtemp(prefix="user_space", dir=self._working_directory)
        return builder

    def with_enable_deck(self, enable_deck: bool) -> ExecutionParameters.Builder:
        builder = self.new_builder(self)
        builder.enable_deck = enable_deck
        return builder

    @property
    def stats(self) -> Any:
        return self._stats

    @property
    def logging(self) -> logging.Logger:
        return self._logging

    @property
    def raw_output_prefix(self) -> str | None:
        return self._raw_output_prefix

    @property
    def output_metadata_prefix(self) -> str | None:
        return self._output_metadata_prefix

    @property
    def working_directory(self) -> str:
        """A directory of this task's own: write outputs that are files here."""
        return self._working_directory

    @property
    def execution_date(self) -> datetime.datetime:
        return self._execution_date

    @property
    def execution_id(self) -> Any:
        """The execution's id (``str()`` gives ``ex:project:domain:name``)."""
        return self._execution_id

    @property
    def task_id(self) -> Any:
        return self._task_id

    @property
    def checkpoint(self) -> Any:
        if self._checkpoint is None:
            raise NotImplementedError("Checkpointing is not available, please check the version of the platform.")
        return self._checkpoint

    @property
    def decks(self) -> list[Any]:
        return self._decks

    @property
    def enable_deck(self) -> bool:
        return self._enable_deck

    @property
    def default_deck(self) -> Any:
        from flyte_core.sdk.deck import Deck

        return Deck("default")

    @property
    def timeline_deck(self) -> Any:
        from flyte_core.sdk.deck import _timeline_deck

        return _timeline_deck(self)

    @property
    def secrets(self) -> SecretsManager:
        if self._secrets_manager is None:
            self._secrets_manager = SecretsManager()
        return self._secrets_manager

    def has_attr(self, attr_name: str) -> bool:
        return attr_name.lower() in self._attrs

    def get(self, key: str) -> Any:
        """A plugin attribute (``current_context().get("spark_session")``)."""
        return self.__getattr__(key)

    def __getattr__(self, attr_name: str) -> Any:
        if attr_name.startswith("_"):
            raise AttributeError(attr_name)
        try:
            return self._attrs[attr_name.lower()]
        except KeyError:
            raise AttributeError(f"'ExecutionParameters' has no attribute '{attr_name}'") from None


class BranchEvalMode(enum.Enum):
    """Whether the branch being executed locally was taken."""

    BRANCH_ACTIVE = "branch active"
    BRANCH_SKIPPED = "branch skipped"


class ExecutionState:
    """How code is running now: in a container task, a local workflow, a local task, a dynamic workflow..."""

    class Mode(enum.Enum):
        TASK_EXECUTION = 1
        LOCAL_WORKFLOW_EXECUTION = 2
        LOCAL_TASK_EXECUTION = 3
        DYNAMIC_TASK_EXECUTION = 4
        EAGER_EXECUTION = 5
        EAGER_LOCAL_EXECUTION = 6
        LOCAL_DYNAMIC_TASK_EXECUTION = 7

    __slots__ = ("branch_eval_mode", "engine_dir", "mode", "user_space_params", "working_dir")

    _LOCAL_MODES = frozenset(
        {
            Mode.LOCAL_WORKFLOW_EXECUTION,
            Mode.LOCAL_TASK_EXECUTION,
            Mode.LOCAL_DYNAMIC_TASK_EXECUTION,
            Mode.EAGER_LOCAL_EXECUTION,
        }
    )

    def __init__(
        self,
        working_dir: str,
        mode: ExecutionState.Mode | None = None,
        engine_dir: str | None = None,
        branch_eval_mode: BranchEvalMode | None = None,
        user_space_params: ExecutionParameters | None = None,
    ) -> None:
        self.working_dir = working_dir
        self.mode = mode
        self.engine_dir = engine_dir if engine_dir else os.path.join(working_dir, "engine_dir")
        self.branch_eval_mode = branch_eval_mode
        self.user_space_params = user_space_params

    def take_branch(self) -> None:
        self.branch_eval_mode = BranchEvalMode.BRANCH_ACTIVE

    def branch_complete(self) -> None:
        self.branch_eval_mode = None

    def is_local_execution(self) -> bool:
        return self.mode in self._LOCAL_MODES

    def with_params(
        self,
        working_dir: str | None = None,
        mode: ExecutionState.Mode | None = None,
        engine_dir: str | None = None,
        branch_eval_mode: BranchEvalMode | None = None,
        user_space_params: ExecutionParameters | None = None,
    ) -> ExecutionState:
        return ExecutionState(
            working_dir=working_dir if working_dir else self.working_dir,
            mode=mode if mode else self.mode,
            engine_dir=engine_dir if engine_dir else self.engine_dir,
            branch_eval_mode=branch_eval_mode if branch_eval_mode else self.branch_eval_mode,
            user_space_params=user_space_params if user_space_params else self.user_space_params,
        )


class CompilationState:
    """Nodes collected while a workflow function runs with promises (compile mode = 1)."""

    __slots__ = ("mode", "nodes", "prefix", "task_resolver")

    def __init__(self, prefix: str, mode: int = 1, task_resolver: Any = None, nodes: list[Node] | None = None):
        self.prefix = prefix
        self.mode = mode
        self.task_resolver = task_resolver
        self.nodes: list[Node] = nodes if nodes is not None else []

    def add_node(self, n: Node) -> None:
        self.nodes.append(n)

    def with_params(
        self, prefix: str, mode: int | None = None, resolver: Any = None, nodes: list[Node] | None = None
    ) -> CompilationState:
        return CompilationState(
            prefix=prefix if prefix else "",
            mode=mode if mode else self.mode,
            task_resolver=resolver if resolver else self.task_resolver,
            nodes=nodes if nodes else [],
        )


class FlyteContext:
    """One immutable frame of the context stack; change it through ``new_builder()`` / ``with_*``."""

    __slots__ = (
        "_file_access",
        "compilation_state",
        "execution_state",
        "flyte_client",
        "in_a_condition",
        "level",
        "origin_stackframe",
        "output_metadata_tracker",
        "serialization_settings",
        "worker_queue",
    )

    def __init__(
        self,
        file_access: FileAccessProvider | None = None,
        level: int = 0,
        flyte_client: Any = None,
        compilation_state: CompilationState | None = None,
        execution_state: ExecutionState | None = None,
        serialization_settings: SerializationSettings | None = None,
        in_a_condition: bool = False,
        origin_stackframe: Any = None,
        output_metadata_tracker: Any = None,
        worker_queue: Any = None,
    ) -> None:
        self._file_access = file_access
        self.level = level
        self.flyte_client = flyte_client
        self.compilation_state = compilation_state
        self.execution_state = execution_state
        self.serialization_settings = serialization_settings
        self.in_a_condition = in_a_condition
        self.origin_stackframe = origin_stackframe
        self.output_metadata_tracker = output_metadata_tracker
        self.worker_queue = worker_queue

    @property
    def file_access(self) -> FileAccessProvider:
        """The data-access provider; the default one is created on first use (it imports fsspec)."""
        if self._file_access is None:
            self._file_access = _default_file_access()
        return self._file_access

    @property
    def user_space_params(self) -> ExecutionParameters | None:
        if self.execution_state:
            return self.execution_state.user_space_params
        return None

    def _replace(self, **changes: Any) -> FlyteContext:
        fields = {
            "file_access": self._file_access,
            "level": self.level + 1,
            "flyte_client": self.flyte_client,
            "compilation_state": self.compilation_state,
            "execution_state": self.execution_state,
            "serialization_settings": self.serialization_settings,
            "in_a_condition": self.in_a_condition,
            "origin_stackframe": self.origin_stackframe,
            "output_metadata_tracker": self.output_metadata_tracker,
            "worker_queue": self.worker_queue,
        }
        fields.update(changes)
        return FlyteContext(**fields)

    def new_builder(self) -> FlyteContext.Builder:
        return FlyteContext.Builder(self)

    def enter_conditional_section(self) -> FlyteContext.Builder:
        builder = self.new_builder()
        builder.in_a_condition = True
        return builder

    def with_execution_state(self, es: ExecutionState) -> FlyteContext.Builder:
        builder = self.new_builder()
        builder.execution_state = es
        return builder

    def with_compilation_state(self, c: CompilationState) -> FlyteContext.Builder:
        builder = self.new_builder()
        builder.compilation_state = c
        return builder

    def with_new_compilation_state(self) -> FlyteContext.Builder:
        return self.with_compilation_state(self.new_compilation_state())

    def with_file_access(self, fa: FileAccessProvider) -> FlyteContext.Builder:
        builder = self.new_builder()
        builder.file_access = fa
        return builder

    def with_serialization_settings(self, ss: SerializationSettings) -> FlyteContext.Builder:
        builder = self.new_builder()
        builder.serialization_settings = ss
        return builder

    def with_client(self, c: Any) -> FlyteContext.Builder:
        builder = self.new_builder()
        builder.flyte_client = c
        return builder

    def with_output_metadata_tracker(self, t: Any) -> FlyteContext.Builder:
        builder = self.new_builder()
        builder.output_metadata_tracker = t
        return builder

    def with_worker_queue(self, wq: Any) -> FlyteContext.Builder:
        builder = self.new_builder()
        builder.worker_queue = wq
        return builder

    def new_compilation_state(self, prefix: str = "") -> CompilationState:
        return CompilationState(prefix=prefix)

    def new_execution_state(self, working_dir: str | None = None) -> ExecutionState:
        if not working_dir:
            working_dir = self.file_access.local_sandbox_dir if self._file_access else _local_sandbox_dir()
        return ExecutionState(working_dir=working_dir, user_space_params=self.user_space_params)

    def get_deck(self) -> str:
        from flyte_core.sdk.deck import _get_deck

        params = self.user_space_params
        return _get_deck(params, ignore_jupyter=True) if params is not None else ""

    @staticmethod
    def current_context() -> FlyteContext:
        return FlyteContextManager.current_context()

    class Builder:
        """Collects changes to a ``FlyteContext``; ``build()`` returns the new frame."""

        def __init__(self, ctx: FlyteContext) -> None:
            self._ctx = ctx
            self.file_access = ctx._file_access
            self.flyte_client = ctx.flyte_client
            self.compilation_state = ctx.compilation_state
            self.execution_state = ctx.execution_state
            self.serialization_settings = ctx.serialization_settings
            self.in_a_condition = ctx.in_a_condition
            self.output_metadata_tracker = ctx.output_metadata_tracker
            self.worker_queue = ctx.worker_queue

        def build(self) -> FlyteContext:
            return self._ctx._replace(
                file_access=self.file_access,
                flyte_client=self.flyte_client,
                compilation_state=self.compilation_state,
                execution_state=self.execution_state,
                serialization_settings=self.serialization_settings,
                in_a_condition=self.in_a_condition,
                output_metadata_tracker=self.output_metadata_tracker,
                worker_queue=self.worker_queue,
            )

        def enter_conditional_section(self) -> FlyteContext.Builder:
            self.in_a_condition = True
            return self

        def with_execution_state(self, es: ExecutionState) -> FlyteContext.Builder:
            self.execution_state = es
            return self

        def with_compilation_state(self, c: CompilationState) -> FlyteContext.Builder:
            self.compilation_state = c
            return self

        def with_new_compilation_state(self) -> FlyteContext.Builder:
            return self.with_compilation_state(self._ctx.new_compilation_state())

        def with_file_access(self, fa: FileAccessProvider) -> FlyteContext.Builder:
            self.file_access = fa
            return self

        def with_serialization_settings(self, ss: SerializationSettings) -> FlyteContext.Builder:
            self.serialization_settings = ss
            return self

        def with_client(self, c: Any) -> FlyteContext.Builder:
            self.flyte_client = c
            return self

        def with_output_metadata_tracker(self, t: Any) -> FlyteContext.Builder:
            self.output_metadata_tracker = t
            return self

        def with_worker_queue(self, wq: Any) -> FlyteContext.Builder:
            self.worker_queue = wq
            return self

        def new_compilation_state(self, prefix: str = "") -> CompilationState:
            return self._ctx.new_compilation_state(prefix)

        def new_execution_state(self, working_dir: str | None = None) -> ExecutionState:
            return self._ctx.new_execution_state(working_dir)


_local_sandbox: list[str] = []


def _local_sandbox_dir() -> str:
    """This process's scratch directory for local runs (created once, on first use)."""
    if not _local_sandbox:
        root = os.environ.get("FLYTE_LOCAL_SANDBOX_DIR")
        if root:
            os.makedirs(root, exist_ok=True)
            path = root
        else:
            path = tempfile.mkdtemp(prefix="flyte-")
        _local_sandbox.append(path)
    return _local_sandbox[0]


def _default_file_access() -> FileAccessProvider:
    from flyte_core.data.file_access import FileAccessProvider

    sandbox = _local_sandbox_dir()
    return FileAccessProvider(local_sandbox_dir=sandbox, raw_output_prefix=os.path.join(sandbox, "raw"))


def _default_user_space_params() -> ExecutionParameters:
    from flyte_core.values.identifier import WorkflowExecutionIdentifier

    sandbox = _local_sandbox_dir()
    return ExecutionParameters(
        execution_date=datetime.datetime.now(datetime.timezone.utc),
        tmp_dir=os.path.join(sandbox, "user_space"),
        stats=None,
        execution_id=WorkflowExecutionIdentifier(project="local", domain="local", name="local"),
        logging=logger,
        raw_output_prefix=os.path.join(sandbox, "raw"),
    )


def _initial_context() -> FlyteContext:
    sandbox = _local_sandbox_dir()
    state = _LazyParamsExecutionState(working_dir=os.path.join(sandbox, "engine_dir"))
    return FlyteContext(execution_state=state)


class _LazyParamsExecutionState(ExecutionState):
    """The root execution state: its ``ExecutionParameters`` are built on first access."""

    __slots__ = ()

    def __getattribute__(self, name: str) -> Any:
        if name == "user_space_params":
            params = object.__getattribute__(self, "user_space_params")
            if params is None:
                params = _default_user_space_params()
                object.__setattr__(self, "user_space_params", params)
            return params
        return object.__getattribute__(self, name)


_stack: contextvars.ContextVar[tuple[FlyteContext, ...]] = contextvars.ContextVar("flyte_context_stack")


class FlyteContextManager:
    """The stack of ``FlyteContext`` frames of the current thread / asyncio task."""

    @staticmethod
    def get_origin_stackframe(limit: int = 2) -> Any:
        import traceback

        return traceback.extract_stack(limit=limit)[0]

    @staticmethod
    def current_context() -> FlyteContext:
        """The innermost context (the process-wide root one when nothing was pushed)."""
        stack = _stack.get(None)
        if not stack:
            stack = (_initial_context(),)
            _stack.set(stack)
        return stack[-1]

    @staticmethod
    def push_context(ctx: FlyteContext, f: Any = None) -> FlyteContext:
        FlyteContextManager.current_context()
        _stack.set((*_stack.get(), ctx))
        return ctx

    @staticmethod
    def pop_context() -> FlyteContext:
        stack = _stack.get(None)
        if not stack or len(stack) == 1:
            raise AssertionError("cannot pop the root Flyte context")
        _stack.set(stack[:-1])
        return stack[-1]

    @staticmethod
    def size() -> int:
        return len(_stack.get(()))

    @staticmethod
    @contextmanager
    def with_context(b: FlyteContext.Builder | FlyteContext) -> Iterator[FlyteContext]:
        """Push the context built by ``b`` for the ``with`` block."""
        ctx = b.build() if isinstance(b, FlyteContext.Builder) else b
        FlyteContextManager.current_context()
        token = _stack.set((*_stack.get(), ctx))
        try:
            yield ctx
        finally:
            _stack.reset(token)

    @staticmethod
    def initialize() -> FlyteContext:
        """Reset this thread's stack to a fresh root context."""
        root = _initial_context()
        _stack.set((root,))
        return root

    @staticmethod
    def add_signal_handler(handler: Callable[[int, Any], None]) -> None:
        import signal

        signal.signal(signal.SIGINT, handler)


class FlyteEntities:
    """Every task, workflow and launch plan made in this process, in the order they were made.

    ``pyflyte serialize`` / ``package`` / ``register`` import the user's modules and register what this holds.
    """

    entities: list[Any] = []


def current_context() -> ExecutionParameters:
    """The running task's ``ExecutionParameters``: working directory, execution id, secrets, plugin attributes."""
    params = FlyteContextManager.current_context().user_space_params
    assert params is not None
    return params


def new_context() -> Iterator[FlyteContext]:
    """A ``with`` block under a fresh copy of the current context."""
    return FlyteContextManager.with_context(FlyteContextManager.current_context().new_builder())

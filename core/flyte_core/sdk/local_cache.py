"""The local cache: outputs of ``cache=True`` tasks run locally, kept across runs and processes.

A task called locally with ``cache=True, cache_version=...`` looks up its outputs by task name, cache
version and inputs before running, and stores them after. The store is one SQLite table (standard
library, WAL mode, a busy timeout) in ``~/.flyte/local-cache`` as in flytekit, or in
``$FLYTE_LOCAL_CACHE_DIR`` / the config file's ``[local] cache_dir`` when set. Several processes may
read and write it at once. A store that cannot be opened or read is reported once, as a warning, and
treated as empty: the cache never makes a run fail.

The key follows flytekit: the input ``LiteralMap`` without the ignored inputs, with every literal
that carries a ``hash`` (offloaded data, ``HashMethod``) reduced to that hash, serialized
deterministically; task name and cache version prefix it. Code is not part of the key: bump
``cache_version`` when a task's code changes, or run ``pyflyte local-cache clear``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from flyteidl.core import literals_pb2

__all__ = ["CACHE_LOCATION", "LOCAL_CACHE_DIR_ENV_VAR", "LocalTaskCache"]

CACHE_LOCATION = "~/.flyte/local-cache"
"""flytekit's default directory of the local cache."""

LOCAL_CACHE_DIR_ENV_VAR = "FLYTE_LOCAL_CACHE_DIR"
"""Where the local cache lives (``[local] cache_dir`` in a config file); default ``~/.flyte/local-cache``."""

_DB_NAME = "flyte-core-task-cache.sqlite"
_BUSY_TIMEOUT_S = 30.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS task_outputs (
    key TEXT PRIMARY KEY,
    task_name TEXT NOT NULL,
    cache_version TEXT NOT NULL,
    outputs BLOB NOT NULL,
    stored_at REAL NOT NULL
)
"""

_log = logging.getLogger("flyte_core.local_cache")


class LocalTaskCache:
    """The process-wide handle on the local cache store (flytekit's ``LocalTaskCache`` surface)."""

    _initialized: ClassVar[bool] = False
    _directory: ClassVar[Path | None] = None
    _env_location: ClassVar[str | None] = None
    _explicit: ClassVar[bool] = False
    _connection: ClassVar[sqlite3.Connection | None] = None
    _pid: ClassVar[int] = 0
    _broken: ClassVar[bool] = False
    _lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def initialize(cls, location: str | os.PathLike[str] | None = None) -> None:
        """Choose the cache directory (``location``, else the environment/config, else the default).

        The database is opened on first use; a directory given here wins over the environment.
        """
        with cls._lock:
            cls._close()
            cls._explicit = location is not None
            cls._env_location = os.environ.get(LOCAL_CACHE_DIR_ENV_VAR)
            cls._directory = Path(location if location is not None else _configured_directory()).expanduser()
            cls._broken = False
            cls._initialized = True

    @classmethod
    def location(cls) -> Path:
        """The cache directory in use (resolved on first call)."""
        cls._ensure_initialized()
        assert cls._directory is not None
        return cls._directory

    @classmethod
    def database_path(cls) -> Path:
        """The SQLite file holding the cached outputs."""
        return cls.location() / _DB_NAME

    @classmethod
    def get(
        cls,
        task_name: str,
        cache_version: str,
        input_literal_map: literals_pb2.LiteralMap,
        cache_ignore_input_vars: tuple[str, ...] = (),
    ) -> literals_pb2.LiteralMap | None:
        """The outputs stored for these inputs, or None (not stored, or the store is unusable)."""
        key = _cache_key(task_name, cache_version, input_literal_map, cache_ignore_input_vars)
        row = cls._run(
            f"read the cached outputs of task '{task_name}'",
            lambda db: db.execute("SELECT outputs FROM task_outputs WHERE key = ?", (key,)).fetchone(),
        )
        if row is None:
            return None
        from flyteidl.core import literals_pb2
        from google.protobuf.message import DecodeError

        try:
            return literals_pb2.LiteralMap.FromString(row[0])
        except DecodeError as exc:
            _log.warning(
                "the local cache entry of task '%s' (cache_version %r) in %s cannot be read (%s); "
                "running the task again",
                task_name,
                cache_version,
                cls.database_path(),
                exc,
            )
            return None

    @classmethod
    def set(
        cls,
        task_name: str,
        cache_version: str,
        input_literal_map: literals_pb2.LiteralMap,
        cache_ignore_input_vars: tuple[str, ...],
        value: literals_pb2.LiteralMap,
    ) -> None:
        """Store ``value`` as the outputs of ``task_name`` for these inputs (replacing what was stored)."""
        key = _cache_key(task_name, cache_version, input_literal_map, cache_ignore_input_vars)
        row = (key, task_name, cache_version, value.SerializeToString(), time.time())
        cls._run(
            f"store the outputs of task '{task_name}'",
            lambda db: db.execute(
                "INSERT OR REPLACE INTO task_outputs (key, task_name, cache_version, outputs, stored_at) "
                "VALUES (?, ?, ?, ?, ?)",
                row,
            ),
        )

    @classmethod
    def clear(cls) -> dict[str, int]:
        """Remove every stored output; return how many entries each task had.

        A store that cannot be read is deleted (its entries cannot be counted: the result is empty).
        """
        cls._ensure_initialized()
        with cls._lock:
            path = cls._db_path_locked()
            if not path.exists():
                return {}
            try:
                db = cls._open_locked()
                db.execute("BEGIN IMMEDIATE")
                try:
                    rows = db.execute("SELECT task_name, COUNT(*) FROM task_outputs GROUP BY task_name").fetchall()
                    db.execute("DELETE FROM task_outputs")
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                return {str(name): int(count) for name, count in rows}
            except sqlite3.DatabaseError as exc:
                _log.warning("the local cache %s cannot be read (%s); deleting it", path, exc)
                cls._close()
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                cls._broken = False
                return {}

    @classmethod
    def _ensure_initialized(cls) -> None:
        if not cls._initialized or (not cls._explicit and os.environ.get(LOCAL_CACHE_DIR_ENV_VAR) != cls._env_location):
            cls.initialize()

    @classmethod
    def _db_path_locked(cls) -> Path:
        assert cls._directory is not None
        return cls._directory / _DB_NAME

    @classmethod
    def _run(cls, what: str, operation: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run one statement on the store; any store problem is a warning (once) and a None result."""
        cls._ensure_initialized()
        with cls._lock:
            if cls._broken:
                return None
            try:
                return operation(cls._open_locked())
            except (sqlite3.Error, OSError) as exc:
                cls._broken = True
                cls._close()
                _log.warning(
                    "could not %s in the local cache %s: %s. The local cache is off for the rest of this process; "
                    "'pyflyte local-cache clear' resets it, FLYTE_LOCAL_CACHE_ENABLED=false turns it off.",
                    what,
                    cls._db_path_locked(),
                    exc,
                )
                return None

    @classmethod
    def _open_locked(cls) -> sqlite3.Connection:
        if cls._connection is not None and cls._pid == os.getpid():
            return cls._connection
        cls._connection = None  # a connection inherited through fork() must not be used
        path = cls._db_path_locked()
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
            _enable_wal(db)
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute(_SCHEMA)
        except BaseException:
            db.close()
            raise
        cls._connection, cls._pid = db, os.getpid()
        return db

    @classmethod
    def _close(cls) -> None:
        if cls._connection is not None and cls._pid == os.getpid():
            cls._connection.close()
        cls._connection = None


def _enable_wal(db: sqlite3.Connection) -> None:
    """Switch to WAL; another process switching at the same moment can make this busy, so retry."""
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _configured_directory() -> str:
    """``$FLYTE_LOCAL_CACHE_DIR``, else the config file's ``[local] cache_dir``, else flytekit's location."""
    from_env = os.environ.get(LOCAL_CACHE_DIR_ENV_VAR)
    if from_env:
        return from_env
    from flyte_core.config import LocalConfig

    from_config = getattr(LocalConfig.auto(), "cache_dir", None)
    return str(from_config) if from_config else CACHE_LOCATION


def _cache_key(
    task_name: str,
    cache_version: str,
    input_literal_map: literals_pb2.LiteralMap,
    cache_ignore_input_vars: tuple[str, ...],
) -> str:
    """A digest of task name, cache version and the inputs as flytekit keys them (see the module docstring)."""
    from flyteidl.core import literals_pb2

    keyed = literals_pb2.LiteralMap()
    for name, literal in input_literal_map.literals.items():
        if name not in cache_ignore_input_vars:
            keyed.literals[name].CopyFrom(_hash_placed(literal))
    digest = hashlib.sha256()
    for part in (task_name.encode(), cache_version.encode(), keyed.SerializeToString(deterministic=True)):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return f"{task_name}-{cache_version}-{digest.hexdigest()}"


def _hash_placed(literal: literals_pb2.Literal) -> literals_pb2.Literal:
    """The literal with every (nested) literal that has a ``hash`` replaced by ``Literal(hash=...)``."""
    placed = _placed_or_none(literal)
    return literal if placed is None else placed


def _placed_or_none(literal: literals_pb2.Literal) -> literals_pb2.Literal | None:
    """``_hash_placed(literal)``, or None when nothing in it carries a hash (the common case: no copy)."""
    from flyteidl.core import literals_pb2

    if literal.hash:
        return literals_pb2.Literal(hash=literal.hash)
    kind = literal.WhichOneof("value")
    if kind == "collection":
        items = list(literal.collection.literals)
        placed = [_placed_or_none(item) for item in items]
        if all(p is None for p in placed):
            return None
        literals = [item if p is None else p for item, p in zip(items, placed, strict=True)]
        return literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=literals))
    if kind == "map":
        entries = dict(literal.map.literals)
        placed_map = {name: _placed_or_none(item) for name, item in entries.items()}
        if all(p is None for p in placed_map.values()):
            return None
        merged = {name: entries[name] if p is None else p for name, p in placed_map.items()}
        return literals_pb2.Literal(map=literals_pb2.LiteralMap(literals=merged))
    return None

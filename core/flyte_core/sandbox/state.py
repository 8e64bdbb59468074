"""SandboxState: the control plane's SQLite store (WAL), safe from gRPC worker threads and the engine thread.

Each thread gets its own connection; a change of several rows happens inside :meth:`SandboxState.transaction`
(``BEGIN IMMEDIATE``, so writers queue instead of failing, with a generous ``busy_timeout``). Admin records
are stored whole, as serialized flyteidl messages, next to the indexed columns lists filter and sort on
(see :mod:`sandbox.filters`). ``meta.schema_version`` says which schema a file has; :data:`SCHEMA_VERSION`
is the one this code writes, and ``_MIGRATIONS`` brings older files up to it.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flyteidl.admin import project_pb2

from flyte_core.sandbox import filters
from flyte_core.sandbox.errors import InvalidArgument

SCHEMA_VERSION = 1
DEFAULT_PROJECT = "flytesnacks"
DOMAINS = ("development", "staging", "production")

_SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE projects (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL, state INTEGER NOT NULL,
    created_at REAL NOT NULL, updated_at REAL NOT NULL, record BLOB NOT NULL);
CREATE TABLE tasks (
    project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,
    created_at REAL NOT NULL, updated_at REAL NOT NULL, digest BLOB NOT NULL, record BLOB NOT NULL,
    PRIMARY KEY (project, domain, name, version));
CREATE TABLE workflows (
    project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,
    created_at REAL NOT NULL, updated_at REAL NOT NULL, digest BLOB NOT NULL, record BLOB NOT NULL,
    PRIMARY KEY (project, domain, name, version));
CREATE TABLE launch_plans (
    project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,
    created_at REAL NOT NULL, updated_at REAL NOT NULL, digest BLOB NOT NULL, record BLOB NOT NULL,
    state INTEGER NOT NULL, workflow_project TEXT, workflow_domain TEXT, workflow_name TEXT, workflow_version TEXT,
    PRIMARY KEY (project, domain, name, version));
CREATE INDEX launch_plans_active ON launch_plans (project, domain, name, state);
CREATE TABLE named_entity_metadata (
    resource_type INTEGER NOT NULL, project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL,
    state INTEGER NOT NULL, description TEXT NOT NULL, PRIMARY KEY (resource_type, project, domain, name));
CREATE TABLE description_entities (
    resource_type INTEGER NOT NULL, project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL,
    version TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL, record BLOB NOT NULL,
    PRIMARY KEY (resource_type, project, domain, name, version));
CREATE TABLE executions (
    project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL,
    phase TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL, started_at REAL, duration REAL,
    mode INTEGER NOT NULL, state INTEGER NOT NULL, principal TEXT NOT NULL, error_kind TEXT, error_code TEXT,
    abort_cause TEXT, launch_entity TEXT NOT NULL,
    launch_plan_project TEXT, launch_plan_domain TEXT, launch_plan_name TEXT, launch_plan_version TEXT,
    workflow_project TEXT, workflow_domain TEXT, workflow_name TEXT, workflow_version TEXT,
    task_project TEXT, task_domain TEXT, task_name TEXT, task_version TEXT,
    parent_project TEXT, parent_domain TEXT, parent_name TEXT, parent_node_id TEXT, nesting INTEGER NOT NULL,
    inputs_uri TEXT NOT NULL, user_inputs_uri TEXT NOT NULL,
    record BLOB NOT NULL, closure BLOB NOT NULL, resolved_spec BLOB NOT NULL,
    PRIMARY KEY (project, domain, name));
CREATE INDEX executions_parent ON executions (parent_project, parent_domain, parent_name, parent_node_id);
CREATE INDEX executions_phase ON executions (phase);
CREATE TABLE execution_tags (
    project TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX execution_tags_execution ON execution_tags (project, domain, name);
CREATE TABLE node_executions (
    project TEXT NOT NULL, domain TEXT NOT NULL, execution_name TEXT NOT NULL, node_id TEXT NOT NULL,
    parent_node_id TEXT, parent_task TEXT, phase TEXT NOT NULL,
    created_at REAL NOT NULL, updated_at REAL NOT NULL, started_at REAL, duration REAL,
    error_kind TEXT, error_code TEXT, cache_status TEXT, record BLOB NOT NULL, dynamic_closure BLOB,
    PRIMARY KEY (project, domain, execution_name, node_id));
CREATE INDEX node_executions_parent ON node_executions (project, domain, execution_name, parent_node_id);
CREATE INDEX node_executions_parent_task ON node_executions (parent_task);
CREATE TABLE task_executions (
    project TEXT NOT NULL, domain TEXT NOT NULL, execution_name TEXT NOT NULL, node_id TEXT NOT NULL,
    task_project TEXT NOT NULL, task_domain TEXT NOT NULL, task_name TEXT NOT NULL, task_version TEXT NOT NULL,
    retry_attempt INTEGER NOT NULL, phase TEXT NOT NULL, phase_version INTEGER NOT NULL,
    created_at REAL NOT NULL, updated_at REAL NOT NULL, started_at REAL, duration REAL, record BLOB NOT NULL,
    PRIMARY KEY (project, domain, execution_name, node_id, task_project, task_domain, task_name, task_version,
                 retry_attempt));
CREATE TABLE signals (
    project TEXT NOT NULL, domain TEXT NOT NULL, execution_name TEXT NOT NULL, signal_id TEXT NOT NULL,
    type BLOB NOT NULL, value BLOB, created_at REAL NOT NULL, updated_at REAL NOT NULL,
    PRIMARY KEY (project, domain, execution_name, signal_id));
CREATE TABLE task_cache (
    key TEXT PRIMARY KEY, task_name TEXT NOT NULL, cache_version TEXT NOT NULL, outputs BLOB NOT NULL,
    created_at REAL NOT NULL);
CREATE TABLE engine_state (
    project TEXT NOT NULL, domain TEXT NOT NULL, execution_name TEXT NOT NULL, state BLOB NOT NULL,
    updated_at REAL NOT NULL, PRIMARY KEY (project, domain, execution_name));
CREATE TABLE matchable_attributes (
    resource_type INTEGER NOT NULL, project TEXT NOT NULL, domain TEXT NOT NULL, workflow TEXT NOT NULL,
    launch_plan TEXT NOT NULL, record BLOB NOT NULL,
    PRIMARY KEY (resource_type, project, domain, workflow, launch_plan));
"""

_MIGRATIONS: dict[int, str] = {}
"""version -> SQL bringing a file from ``version - 1`` to ``version`` (none yet: version 1 is the first)."""


@dataclass(frozen=True)
class Page:
    """One page of a list: the rows and flyteadmin's next-page token (empty when the page was not full)."""

    rows: list[sqlite3.Row]
    token: str


class SandboxState:
    """The sandbox's SQLite file. Use from any thread; group multi-row changes in :meth:`transaction`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        with self.transaction() as db:
            self._create_or_migrate(db)
            self._seed_default_project(db)

    # -- connections and transactions ---------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA busy_timeout = 30000")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            self._local.db = db
            self._local.depth = 0
            with self._lock:
                self._connections.append(db)
        return db

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic change: committed when the block ends, rolled back if it raises. Nesting joins the outer one."""
        db = self._connection()
        if self._local.depth:
            self._local.depth += 1
            try:
                yield db
            finally:
                self._local.depth -= 1
            return
        db.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        else:
            db.execute("COMMIT")
        finally:
            self._local.depth = 0

    def one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        return self._connection().execute(sql, params).fetchone()  # type: ignore[no-any-return]

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self._connection().execute(sql, params).fetchall()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """One statement (atomic by itself); use :meth:`transaction` to group several."""
        return self._connection().execute(sql, params)

    def find(self, table: str, columns: str = "*", **where: Any) -> sqlite3.Row | None:
        """The row of ``table`` whose columns equal ``where`` (None when there is none)."""
        clause = " AND ".join(f"{name} = ?" for name in where) or "1"
        return self.one(f"SELECT {columns} FROM {table} WHERE {clause}", list(where.values()))

    def insert(self, table: str, *, replace: bool = False, **values: Any) -> None:
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        marks = ", ".join("?" for _ in values)
        self.execute(f"{verb} INTO {table} ({', '.join(values)}) VALUES ({marks})", list(values.values()))

    def update(self, table: str, where: dict[str, Any], **values: Any) -> int:
        """Set ``values`` on the rows matching ``where``; the number of rows changed."""
        assignments = ", ".join(f"{name} = ?" for name in values)
        clause = " AND ".join(f"{name} = ?" for name in where)
        cursor = self.execute(f"UPDATE {table} SET {assignments} WHERE {clause}", [*values.values(), *where.values()])
        return cursor.rowcount

    def close(self) -> None:
        """Close every thread's connection (the state is unusable afterwards)."""
        with self._lock:
            for db in self._connections:
                with contextlib.suppress(sqlite3.Error):
                    db.close()
            self._connections.clear()
        self._local = threading.local()

    # -- schema ------------------------------------------------------------------------------------------------

    def _create_or_migrate(self, db: sqlite3.Connection) -> None:
        exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
        if not exists:
            for statement in _SCHEMA_V1.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            return
        version = int(db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"the sandbox state {self.path} has schema version {version}, newer than this flyte-core "
                f"understands ({SCHEMA_VERSION}): upgrade flyte-core or use another state directory"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[target].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(target),))

    def schema_version(self) -> int:
        row = self.one("SELECT value FROM meta WHERE key = 'schema_version'")
        return int(row[0]) if row else 0

    def _seed_default_project(self, db: sqlite3.Connection) -> None:
        if db.execute("SELECT 1 FROM projects WHERE id = ?", (DEFAULT_PROJECT,)).fetchone():
            return
        self.save_project(project_pb2.Project(id=DEFAULT_PROJECT, name=DEFAULT_PROJECT, description=""))

    # -- projects ------------------------------------------------------------------------------------------------

    def project(self, project_id: str) -> project_pb2.Project | None:
        row = self.one("SELECT record FROM projects WHERE id = ?", (project_id,))
        return project_pb2.Project.FromString(row["record"]) if row else None

    def save_project(self, project: project_pb2.Project) -> None:
        """Insert or replace a project (its domains are the system's, filled in when read)."""
        stored = project_pb2.Project()
        stored.CopyFrom(project)
        del stored.domains[:]
        now = time.time()
        existing = self.one("SELECT created_at FROM projects WHERE id = ?", (project.id,))
        self.execute(
            "INSERT OR REPLACE INTO projects (id, name, description, state, created_at, updated_at, record) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                project.id,
                project.name,
                project.description,
                int(project.state),
                existing["created_at"] if existing else now,
                now,
                stored.SerializeToString(),
            ),
        )

    def check_project_domain(self, project: str, domain: str) -> None:
        """flyteadmin's check that a project exists, is active, and the domain is one of the system's."""
        if not project:
            raise InvalidArgument("missing project: every identifier needs a project, e.g. flytesnacks")
        if not domain:
            raise InvalidArgument("missing domain: every identifier needs a domain, e.g. development")
        stored = self.project(project)
        if stored is None:
            raise InvalidArgument(
                f"failed to validate that project [{project}] and domain [{domain}] are registered: project "
                f"'{project}' does not exist; create it with `pyflyte project create {project}` (RegisterProject) "
                f"or use {DEFAULT_PROJECT}"
            )
        if stored.state != project_pb2.Project.ACTIVE:
            raise InvalidArgument(f"project [{project}] is not active")
        if domain not in DOMAINS:
            raise InvalidArgument(f"domain [{domain}] is unrecognized by system (known: {', '.join(DOMAINS)})")

    # -- listing -------------------------------------------------------------------------------------------------

    def page(
        self,
        entity: str,
        *,
        select: str,
        base: str = "1",
        base_params: Sequence[Any] = (),
        filters_text: str = "",
        sort_by: object = None,
        token: str = "",
        limit: int,
        rpc: str,
        source: str | None = None,
        extra: list[filters.Condition] | None = None,
        default_sort: str = "created_at",
    ) -> Page:
        """A page of ``entity`` rows matching ``base`` and the request's filters, sorted and paginated as flyteadmin.

        ``limit`` 0 means no limit (only where flyteadmin allows it; callers check ``limit`` otherwise).
        """
        spec = filters.ENTITIES[entity]
        conditions = [*(extra or []), *filters.parse_filters(filters_text, spec)]
        where, params = filters.where_clause(conditions, spec)
        order = filters.order_clause(sort_by, spec, default_sort)
        offset = filters.page_offset(token, rpc)
        sql = f"SELECT {select} FROM {source or spec.table} WHERE ({base}) AND ({where}) ORDER BY {order}"
        sql += " LIMIT ? OFFSET ?"
        rows = self.all(sql, [*base_params, *params, limit if limit > 0 else -1, offset])
        return Page(rows, filters.next_token(offset, len(rows), limit))

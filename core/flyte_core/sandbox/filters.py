"""flyteadmin's list filters, sort keys and page tokens, compiled to SQL for :mod:`sandbox.state`.

A filter string is ``func(field,value)`` expressions joined by ``+``, e.g.
``eq(launch_plan.name,wf)+value_in(phase,RUNNING;QUEUED)+gte(created_at,2024-05-01T00:00:00Z)``;
functions are ``eq ne gt gte lt lte contains not_like value_in value_not_in`` (``not_value_in`` is
accepted as an alias). A field is a column of the listed entity or, with a prefix, of a related one
(``launch_plan.name``, ``execution_tag.key``). Timestamps are RFC 3339; durations are seconds or Go-style
(``1h2m3.5s``). Sorting is ``key`` + ASCENDING/DESCENDING over the same fields; without a sort, rows come in
creation order. The page token is the decimal offset of the next page, returned only when a page is full.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from flyte_core.sandbox.errors import InvalidArgument


@dataclass(frozen=True)
class Field:
    """A filterable field: its SQL expression and how its values are read."""

    sql: str
    kind: str = "text"  # text | int | time | duration
    group: str | None = None
    """Fields of a one-to-many relation (execution tags) are matched together in one ``EXISTS`` over ``group``."""


@dataclass(frozen=True)
class Entity:
    """What can be listed: the table, its fields and the prefixes by which other entities' fields are named."""

    name: str
    table: str
    fields: dict[str, Field]
    groups: dict[str, str] = field(default_factory=dict)
    """group -> ``EXISTS (SELECT 1 FROM ... WHERE <join> AND {conditions})`` template."""
    tiebreak: str = "rowid"
    """The column that orders rows with equal sort keys (creation order for tables)."""


@dataclass(frozen=True)
class Condition:
    function: str
    name: str
    field: Field
    values: tuple[object, ...]
    text: str


_SINGLE = {
    "eq": "=",
    "ne": "<>",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
    "contains": "LIKE",
    "not_like": "NOT LIKE",
}
_REPEATED = {"value_in": "IN", "value_not_in": "NOT IN", "not_value_in": "NOT IN"}
_SPLIT = re.compile(r"\+(?=\s*[a-z_]+\()")
_EXPRESSION = re.compile(r"^\s*([a-z_]+)\((.*)\)\s*$", re.DOTALL)
_GO_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def _identity_fields(prefix: str, table: str, columns: dict[str, str]) -> dict[str, Field]:
    return {f"{prefix}{name}": Field(f"{table}.{column}") for name, column in columns.items()}


def _times(table: str, **aliases: str) -> dict[str, Field]:
    return {alias: Field(f"{table}.{column}", "time") for alias, column in aliases.items()}


def _execution_field(table: str, column: str, kind: str = "text") -> Field:
    """A field of the execution a node or task execution belongs to (flyteadmin joins the executions table)."""
    return Field(
        f"(SELECT e.{column} FROM executions e WHERE e.project = {table}.project AND e.domain = {table}.domain "
        f"AND e.name = {table}.execution_name)",
        kind,
    )


def _named(table: str, *, with_state: bool = False) -> dict[str, Field]:
    fields = {
        "project": Field(f"{table}.project"),
        "domain": Field(f"{table}.domain"),
        "name": Field(f"{table}.name"),
        "version": Field(f"{table}.version"),
        **_times(table, created_at="created_at", updated_at="updated_at"),
    }
    if with_state:
        fields["state"] = Field(f"{table}.state", "int")
    return fields


_EXECUTIONS = Entity(
    "executions",
    "executions",
    {
        "project": Field("executions.project"),
        "domain": Field("executions.domain"),
        "name": Field("executions.name"),
        "phase": Field("executions.phase"),
        **_times(
            "executions",
            created_at="created_at",
            updated_at="updated_at",
            started_at="started_at",
            execution_created_at="created_at",
            execution_updated_at="updated_at",
        ),
        "duration": Field("executions.duration", "duration"),
        "mode": Field("executions.mode", "int"),
        "state": Field("executions.state", "int"),
        "user": Field("executions.principal"),
        "error_kind": Field("executions.error_kind"),
        "error_code": Field("executions.error_code"),
        "launch_entity": Field("executions.launch_entity"),
        "abort_cause": Field("executions.abort_cause"),
        **_identity_fields(
            "launch_plan.",
            "executions",
            {
                "project": "launch_plan_project",
                "domain": "launch_plan_domain",
                "name": "launch_plan_name",
                "version": "launch_plan_version",
            },
        ),
        **_identity_fields(
            "workflow.",
            "executions",
            {
                "project": "workflow_project",
                "domain": "workflow_domain",
                "name": "workflow_name",
                "version": "workflow_version",
            },
        ),
        **_identity_fields(
            "task.",
            "executions",
            {"project": "task_project", "domain": "task_domain", "name": "task_name", "version": "task_version"},
        ),
        "execution_tag.key": Field("t.key", group="tags"),
        "execution_tag.value": Field("t.value", group="tags"),
        "admin_tag.name": Field("t.key", group="tags"),
    },
    groups={
        "tags": "EXISTS (SELECT 1 FROM execution_tags t WHERE t.project = executions.project "
        "AND t.domain = executions.domain AND t.name = executions.name AND {conditions})"
    },
)

_NODE_EXECUTIONS = Entity(
    "node executions",
    "node_executions",
    {
        "node_id": Field("node_executions.node_id"),
        "phase": Field("node_executions.phase"),
        **_times(
            "node_executions",
            created_at="created_at",
            updated_at="updated_at",
            started_at="started_at",
            node_execution_created_at="created_at",
            node_execution_updated_at="updated_at",
        ),
        "duration": Field("node_executions.duration", "duration"),
        "error_kind": Field("node_executions.error_kind"),
        "error_code": Field("node_executions.error_code"),
        "cache_status": Field("node_executions.cache_status"),
        "execution.project": Field("node_executions.project"),
        "execution.domain": Field("node_executions.domain"),
        "execution.name": Field("node_executions.execution_name"),
        "execution.phase": _execution_field("node_executions", "phase"),
    },
)

_TASK_EXECUTIONS = Entity(
    "task executions",
    "task_executions",
    {
        "retry_attempt": Field("task_executions.retry_attempt", "int"),
        "phase": Field("task_executions.phase"),
        **_times(
            "task_executions",
            created_at="created_at",
            updated_at="updated_at",
            started_at="started_at",
            task_execution_created_at="created_at",
            task_execution_updated_at="updated_at",
        ),
        "duration": Field("task_executions.duration", "duration"),
        "node_id": Field("task_executions.node_id"),
        "node_execution.node_id": Field("task_executions.node_id"),
        **_identity_fields(
            "task.",
            "task_executions",
            {"project": "task_project", "domain": "task_domain", "name": "task_name", "version": "task_version"},
        ),
        "execution.project": Field("task_executions.project"),
        "execution.domain": Field("task_executions.domain"),
        "execution.name": Field("task_executions.execution_name"),
        "execution.phase": _execution_field("task_executions", "phase"),
    },
)

_TASKS = Entity("tasks", "tasks", _named("tasks"))
_WORKFLOWS = Entity("workflows", "workflows", _named("workflows"))
_LAUNCH_PLANS = Entity(
    "launch plans",
    "launch_plans",
    {
        **_named("launch_plans", with_state=True),
        **_identity_fields(
            "workflow.",
            "launch_plans",
            {
                "project": "workflow_project",
                "domain": "workflow_domain",
                "name": "workflow_name",
                "version": "workflow_version",
            },
        ),
    },
)
_NAMED_ENTITIES = Entity(
    "named entities",
    "names",
    {
        "project": Field("names.project"),
        "domain": Field("names.domain"),
        "name": Field("names.name"),
        "state": Field("names.state", "int"),
        "description": Field("names.description"),
        **_times("names", created_at="created_at", updated_at="created_at"),
    },
    tiebreak="name",
)
_PROJECTS = Entity(
    "projects",
    "projects",
    {
        "identifier": Field("projects.id"),
        "id": Field("projects.id"),
        "name": Field("projects.name"),
        "description": Field("projects.description"),
        "state": Field("projects.state", "int"),
        **_times("projects", created_at="created_at", updated_at="updated_at"),
    },
)
_SIGNALS = Entity(
    "signals",
    "signals",
    {
        "signal_id": Field("signals.signal_id"),
        **_times("signals", created_at="created_at", updated_at="updated_at"),
        "execution.project": Field("signals.project"),
        "execution.domain": Field("signals.domain"),
        "execution.name": Field("signals.execution_name"),
    },
)
_DESCRIPTION_ENTITIES = Entity("description entities", "description_entities", _named("description_entities"))

ENTITIES: dict[str, Entity] = {
    "execution": _EXECUTIONS,
    "node_execution": _NODE_EXECUTIONS,
    "task_execution": _TASK_EXECUTIONS,
    "task": _TASKS,
    "workflow": _WORKFLOWS,
    "launch_plan": _LAUNCH_PLANS,
    "named_entity": _NAMED_ENTITIES,
    "project": _PROJECTS,
    "signal": _SIGNALS,
    "description_entity": _DESCRIPTION_ENTITIES,
}


def parse_filters(text: str, entity: Entity) -> list[Condition]:
    """The conditions of a filter string; :class:`InvalidArgument` names the expression that is wrong."""
    if not text or not text.strip():
        return []
    conditions = []
    for expression in _SPLIT.split(text):
        conditions.append(_parse_expression(expression, entity))
    return conditions


def _parse_expression(expression: str, entity: Entity) -> Condition:
    match = _EXPRESSION.match(expression)
    if not match or "," not in match.group(2):
        raise InvalidArgument(
            f"invalid filter '{expression}': expected function(field,value) such as eq(name,my_wf), "
            "joined by '+' for several"
        )
    function, inner = match.group(1), match.group(2)
    name, raw = inner.split(",", 1)
    name = name.strip()
    raw = raw[1:] if raw.startswith(" ") else raw
    if function not in _SINGLE and function not in _REPEATED:
        known = ", ".join([*_SINGLE, "value_in", "value_not_in"])
        raise InvalidArgument(f"invalid filter '{expression}': unknown function '{function}' (known: {known})")
    target = _field(name, entity, expression)
    values = raw.split(";") if function in _REPEATED else [raw]
    if function in ("contains", "not_like") and target.kind != "text":
        raise InvalidArgument(f"invalid filter '{expression}': '{function}' applies to text fields, '{name}' is not")
    parsed = tuple(_value(value, target, name, expression) for value in values)
    return Condition(function, name, target, parsed, expression)


def _field(name: str, entity: Entity, expression: str) -> Field:
    own_prefix = entity.table.rstrip("s") + "."
    candidate = entity.fields.get(name) or (
        entity.fields.get(name[len(own_prefix) :]) if name.startswith(own_prefix) else None
    )
    if candidate is None:
        known = ", ".join(sorted(entity.fields))
        raise InvalidArgument(f"invalid filter '{expression}': {entity.name} have no field '{name}' (known: {known})")
    return candidate


def _value(value: str, target: Field, name: str, expression: str) -> object:
    value = value.strip()
    if target.kind == "int":
        try:
            return int(value)
        except ValueError:
            raise InvalidArgument(f"invalid filter '{expression}': '{name}' takes an integer, got '{value}'") from None
    if target.kind == "time":
        return parse_timestamp(value, f"invalid filter '{expression}'")
    if target.kind == "duration":
        return parse_duration(value, f"invalid filter '{expression}'")
    return value


def parse_timestamp(value: str, context: str) -> float:
    """Epoch seconds of an RFC 3339 timestamp (nanosecond fractions and ``Z`` accepted; naive means UTC)."""
    text = re.sub(r"(\.\d{6})\d+", r"\1", value.strip())
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidArgument(f"{context}: timestamp '{value}' must be RFC 3339, e.g. 2024-05-01T12:00:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


def parse_duration(value: str, context: str) -> float:
    """Seconds of ``12.5`` (seconds) or a Go duration such as ``1h30m`` / ``250ms``."""
    try:
        return float(value)
    except ValueError:
        pass
    parts = _GO_DURATION.findall(value)
    if not parts or "".join(number + unit for number, unit in parts) != value:
        raise InvalidArgument(f"{context}: duration '{value}' must be seconds or like 1h2m3s")
    return sum(float(number) * _DURATION_UNITS[unit] for number, unit in parts)


def where_clause(conditions: list[Condition], entity: Entity) -> tuple[str, list[object]]:
    """SQL (``a AND b ...``, or ``1`` when empty) and its parameters for these conditions."""
    plain: list[str] = []
    params: list[object] = []
    grouped: dict[str, tuple[list[str], list[object]]] = {}
    for condition in conditions:
        sql, values = _condition_sql(condition)
        if condition.field.group:
            parts, group_params = grouped.setdefault(condition.field.group, ([], []))
            parts.append(sql)
            group_params.extend(values)
        else:
            plain.append(sql)
            params.extend(values)
    for group, (parts, group_params) in grouped.items():
        plain.append(entity.groups[group].format(conditions=" AND ".join(parts)))
        params.extend(group_params)
    return (" AND ".join(plain) if plain else "1"), params


def _condition_sql(condition: Condition) -> tuple[str, list[object]]:
    column = condition.field.sql
    if condition.function in _REPEATED:
        marks = ", ".join("?" for _ in condition.values)
        return f"{column} {_REPEATED[condition.function]} ({marks})", list(condition.values)
    value = condition.values[0]
    if condition.function == "contains":
        escaped = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"{column} LIKE ? ESCAPE '\\'", [f"%{escaped}%"]
    if condition.function == "not_like":
        return f"{column} NOT LIKE ?", [value]
    return f"{column} {_SINGLE[condition.function]} ?", [value]


def order_clause(sort_by: object, entity: Entity, default: str = "created_at") -> str:
    """``ORDER BY`` for an ``admin.Sort`` (None or unset: ``default`` ascending), ties broken by creation."""
    key = getattr(sort_by, "key", "") if sort_by is not None else ""
    direction = getattr(sort_by, "direction", 0) if sort_by is not None else 1
    if sort_by is not None and not key:
        raise InvalidArgument("invalid sort: a sort needs a key such as created_at")
    key = key or default
    target = entity.fields.get(key)
    if target is None or target.group:
        known = ", ".join(sorted(name for name, f in entity.fields.items() if not f.group))
        raise InvalidArgument(f"invalid sort key '{key}' for {entity.name} (known: {known})")
    if direction not in (0, 1):
        raise InvalidArgument(f"invalid sort direction {direction} for key '{key}': use ASCENDING or DESCENDING")
    order = "DESC" if direction == 0 else "ASC"
    return f"{target.sql} {order}, {entity.table}.{entity.tiebreak} {order}"


def page_offset(token: str, rpc: str) -> int:
    """The offset a page token stands for (empty: 0)."""
    if not token:
        return 0
    try:
        offset = int(token)
    except ValueError:
        offset = -1
    if offset < 0:
        raise InvalidArgument(f"invalid pagination token '{token}' for {rpc}: pass the token of the previous page")
    return offset


def next_token(offset: int, count: int, limit: int) -> str:
    """flyteadmin's next-page token: the next offset when the page is full, else empty."""
    return str(offset + count) if limit > 0 and count == limit else ""


def check_limit(limit: int, rpc: str) -> None:
    if limit <= 0:
        raise InvalidArgument(f"invalid limit {limit} for {rpc}: pass a page size greater than 0")

"""The sandbox's execution pages (plain HTML), at the URLs Flyte clients print.

- ``/console``: the latest executions;
- ``/console/projects/<p>/domains/<d>/executions/<name>``: one execution — phase, times, what it ran,
  inputs, outputs or error, and every node with its attempts and their logs;
- ``/console/projects/<p>/domains/<d>/executions/<name>/logs/<node id>/<attempt>``: one attempt's log;
- ``/console/projects/<p>/domains/<d>/<task|workflow|launch_plan>/<name>/version/<version>``: an entity.

Every value shown comes from the control plane's records; everything is escaped.
"""

from __future__ import annotations

import datetime
import html
import re
import urllib.parse
from pathlib import Path
from typing import Any

from flyteidl.admin import execution_pb2, node_execution_pb2, task_execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2

_EXECUTION = re.compile(r"^/console/projects/([^/]+)/domains/([^/]+)/executions/([^/]+)/?$")
_LOG = re.compile(r"^/console/projects/([^/]+)/domains/([^/]+)/executions/([^/]+)/logs/(.+)/(\d+)$")
_ENTITY = re.compile(r"^/console/projects/([^/]+)/domains/([^/]+)/(task|workflow|launch_plan)/([^/]+)/version/([^/]+)$")
_WORKFLOW_PHASE = core_execution_pb2.WorkflowExecution.Phase
_NODE_PHASE = core_execution_pb2.NodeExecution.Phase
_TASK_PHASE = core_execution_pb2.TaskExecution.Phase
_HTML = "text/html; charset=utf-8"
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.SUCCEEDED { color: #087f23; } .FAILED, .TIMED_OUT { color: #b00020; } .RUNNING, .QUEUED { color: #1565c0; }
.ABORTED, .SKIPPED { color: #777; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; max-width: 100%; }
"""


class ConsolePages:
    """Renders the pages from a ``ControlPlane`` and the task logs under ``log_dir``."""

    def __init__(self, control_plane: Any, log_dir: Path) -> None:
        self._cp = control_plane
        self._log_dir = log_dir.resolve()

    def render(self, path: str, query: dict[str, str]) -> tuple[int, str, bytes] | None:
        if path.rstrip("/") == "/console":
            return self._executions()
        match = _LOG.match(path)
        if match:
            return self._log(*match.groups())
        match = _EXECUTION.match(path)
        if match:
            return self._execution(*match.groups())
        match = _ENTITY.match(path)
        if match:
            return self._entity(*match.groups())
        return None

    # -- pages -------------------------------------------------------------------------------------------------

    def _executions(self) -> tuple[int, str, bytes]:
        rows = self._cp.state.all(
            "SELECT project, domain, name, phase, created_at, launch_entity FROM executions "
            "ORDER BY created_at DESC LIMIT 100"
        )
        body = ["<h1>Executions</h1>", "<table><tr><th>execution</th><th>phase</th><th>created</th></tr>"]
        for row in rows:
            link = _execution_url(row["project"], row["domain"], row["name"])
            body.append(
                f"<tr><td><a href='{_attr(link)}'>{_text(row['project'])}/{_text(row['domain'])}/"
                f"{_text(row['name'])}</a></td>{_phase_cell(row['phase'])}<td>{_time(row['created_at'])}</td></tr>"
            )
        body.append("</table>")
        return 200, _HTML, _page("Executions", body)

    def _execution(self, project: str, domain: str, name: str) -> tuple[int, str, bytes]:
        execution_id = identifier_pb2.WorkflowExecutionIdentifier(project=project, domain=domain, name=name)
        try:
            execution: execution_pb2.Execution = self._cp.execution(execution_id)
        except Exception:
            return (
                404,
                _HTML,
                _page("Not found", [f"<p>No execution {_text(project)}/{_text(domain)}/{_text(name)}.</p>"]),
            )
        closure = execution.closure
        phase = _WORKFLOW_PHASE.Name(closure.phase)
        launched = execution.spec.launch_plan
        body = [
            f"<h1>Execution {_text(name)}</h1>",
            f"<p>{_text(project)} / {_text(domain)} &middot; <span class='{phase}'>{phase}</span></p>",
            "<table>",
            f"<tr><th>launched</th><td>{_text(identifier_pb2.ResourceType.Name(launched.resource_type).lower())} "
            f"{_text(launched.name)} (version {_text(launched.version)})</td></tr>",
            f"<tr><th>created</th><td>{_timestamp(closure.created_at)}</td></tr>",
            f"<tr><th>started</th><td>{_timestamp(closure.started_at)}</td></tr>",
            f"<tr><th>duration</th><td>{_duration(closure.duration)}</td></tr>",
            "</table>",
        ]
        if closure.HasField("error"):
            body.append(f"<h2>Error</h2><pre>{_text(closure.error.code)}: {_text(closure.error.message)}</pre>")
        if closure.abort_metadata.cause or closure.abort_cause:
            body.append(f"<h2>Aborted</h2><p>{_text(closure.abort_metadata.cause or closure.abort_cause)}</p>")
        inputs = self._execution_inputs(execution_id)
        body.append("<h2>Inputs</h2>" + _literal_table(inputs))
        outputs = self._cp.outputs(closure)
        if outputs is not None:
            body.append("<h2>Outputs</h2>" + _literal_table(outputs))
        body.append("<h2>Nodes</h2>")
        body.append(self._nodes_table(execution_id))
        return 200, _HTML, _page(f"Execution {name}", body)

    def _execution_inputs(self, execution_id: identifier_pb2.WorkflowExecutionIdentifier) -> literals_pb2.LiteralMap:
        row = self._cp.state.find(
            "executions", "inputs_uri", project=execution_id.project, domain=execution_id.domain, name=execution_id.name
        )
        try:
            return literals_pb2.LiteralMap.FromString(self._cp.blobs.read_bytes(row["inputs_uri"]))
        except Exception:
            return literals_pb2.LiteralMap()

    def _nodes_table(self, execution_id: identifier_pb2.WorkflowExecutionIdentifier) -> str:
        rows = self._cp.state.all(
            "SELECT record FROM node_executions WHERE project = ? AND domain = ? AND execution_name = ? "
            "ORDER BY created_at",
            (execution_id.project, execution_id.domain, execution_id.name),
        )
        lines = ["<table><tr><th>node</th><th>phase</th><th>started</th><th>duration</th><th>attempts</th></tr>"]
        for row in rows:
            node = node_execution_pb2.NodeExecution.FromString(row["record"])
            node_id = node.id.node_id
            if node_id in ("start-node", "end-node"):
                continue
            phase = _NODE_PHASE.Name(node.closure.phase)
            error = f"<pre>{_text(node.closure.error.message)}</pre>" if node.closure.HasField("error") else ""
            lines.append(
                f"<tr><td>{_text(node_id)}</td><td><span class='{phase}'>{phase}</span>{error}</td>"
                f"<td>{_timestamp(node.closure.started_at)}</td><td>{_duration(node.closure.duration)}</td>"
                f"<td>{self._attempts(execution_id, node_id)}</td></tr>"
            )
        lines.append("</table>")
        return "".join(lines)

    def _attempts(self, execution_id: identifier_pb2.WorkflowExecutionIdentifier, node_id: str) -> str:
        rows = self._cp.state.all(
            "SELECT record FROM task_executions WHERE project = ? AND domain = ? AND execution_name = ? "
            "AND node_id = ? ORDER BY retry_attempt",
            (execution_id.project, execution_id.domain, execution_id.name, node_id),
        )
        cells = []
        base = _execution_url(execution_id.project, execution_id.domain, execution_id.name)
        for row in rows:
            attempt = task_execution_pb2.TaskExecution.FromString(row["record"])
            number = attempt.id.retry_attempt
            phase = _TASK_PHASE.Name(attempt.closure.phase)
            link = f"{base}/logs/{node_id}/{number}"
            cells.append(f"#{number} <span class='{phase}'>{phase}</span> <a href='{_attr(link)}'>log</a>")
        return "<br>".join(cells)

    def _log(self, project: str, domain: str, name: str, node_id: str, attempt: str) -> tuple[int, str, bytes]:
        path = (self._log_dir / project / domain / name / node_id / f"{attempt}.log").resolve()
        if not path.is_relative_to(self._log_dir) or not path.is_file():
            return 404, "text/plain; charset=utf-8", f"no log for node {node_id} attempt {attempt}\n".encode()
        return 200, "text/plain; charset=utf-8", path.read_bytes()

    def _entity(self, project: str, domain: str, kind: str, name: str, version: str) -> tuple[int, str, bytes]:
        identifier = identifier_pb2.Identifier(project=project, domain=domain, name=name, version=version)
        getter = {"task": self._cp.task, "workflow": self._cp.workflow, "launch_plan": self._cp.launch_plan}[kind]
        try:
            record = getter(identifier)
        except Exception:
            return (
                404,
                _HTML,
                _page("Not found", [f"<p>No {kind.replace('_', ' ')} {_text(name)} version {_text(version)}.</p>"]),
            )
        from google.protobuf import json_format

        text = json_format.MessageToJson(record, indent=2)
        title = f"{kind.replace('_', ' ').capitalize()} {name}"
        return (
            200,
            _HTML,
            _page(title, [f"<h1>{_text(title)}</h1>", f"<p>version {_text(version)}</p>", f"<pre>{_text(text)}</pre>"]),
        )


def _execution_url(project: str, domain: str, name: str) -> str:
    quote = urllib.parse.quote
    return f"/console/projects/{quote(project)}/domains/{quote(domain)}/executions/{quote(name)}"


def _page(title: str, body: list[str]) -> bytes:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{_text(title)} · flyte-core sandbox</title>"
        f"<style>{_STYLE}</style></head><body>{''.join(body)}"
        "<p><a href='/console'>all executions</a></p></body></html>"
    ).encode()


def _text(value: Any) -> str:
    return html.escape(str(value), quote=False)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _phase_cell(phase: str) -> str:
    return f"<td><span class='{_attr(phase)}'>{_text(phase)}</span></td>"


def _time(seconds: float | None) -> str:
    if not seconds:
        return ""
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _timestamp(value: Any) -> str:
    return _time(value.seconds + value.nanos / 1e9) if value.seconds or value.nanos else ""


def _duration(value: Any) -> str:
    seconds = value.seconds + value.nanos / 1e9
    return f"{seconds:.2f} s" if seconds else ""


def _literal_table(literals: literals_pb2.LiteralMap) -> str:
    if not literals.literals:
        return "<p>none</p>"
    rows = "".join(
        f"<tr><th>{_text(name)}</th><td><pre>{_text(_literal_text(literal))}</pre></td></tr>"
        for name, literal in sorted(literals.literals.items())
    )
    return f"<table>{rows}</table>"


def _literal_text(literal: literals_pb2.Literal, limit: int = 2000) -> str:
    """A short readable form: primitives as values, collections and maps nested, anything else as JSON."""
    kind = literal.WhichOneof("value")
    if kind == "scalar":
        scalar = literal.scalar
        which = scalar.WhichOneof("value")
        if which == "primitive":
            primitive = scalar.primitive
            field = primitive.WhichOneof("value")
            if field == "datetime":
                return primitive.datetime.ToDatetime(datetime.timezone.utc).isoformat()
            if field == "duration":
                return str(primitive.duration.ToTimedelta())
            return repr(getattr(primitive, field)) if field else ""
        if which == "none_type":
            return "None"
        if which == "blob":
            return scalar.blob.uri
        if which == "structured_dataset":
            return scalar.structured_dataset.uri
        if which == "union":
            return _literal_text(scalar.union.value, limit)
    if kind == "collection":
        return "[" + ", ".join(_literal_text(item, limit) for item in literal.collection.literals) + "]"
    if kind == "map":
        items = ", ".join(f"{k!r}: {_literal_text(v, limit)}" for k, v in sorted(literal.map.literals.items()))
        return "{" + items + "}"
    from google.protobuf import json_format

    text = json_format.MessageToJson(literal, indent=None)
    return text if len(text) <= limit else text[:limit] + " ..."

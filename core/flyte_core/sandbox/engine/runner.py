"""One task attempt as a local process: what flytepropeller's container plugin and a pod do, on this machine.

The task template's container ``command + args`` (for a ``k8s_pod`` template, the primary container's) are
rendered with the attempt's paths (``{{.Input}}``, ``{{.OutputPrefix}}``... case-insensitive, ``{{.X}}`` or
``{{$X}}``), the first word is found in the ``bin/`` of the Python environment the image maps to, and the
process runs in its own process group and working directory, writing stdout and stderr to the attempt's
log. Its result is read as propeller reads it: ``error.pb`` (whatever the exit status) is the task's error,
``futures.pb`` makes it dynamic, ``outputs.pb`` must be there when the interface has outputs, and a
non-zero exit without ``error.pb`` is a system failure.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeAlias

from flyteidl.core import errors_pb2, execution_pb2, literals_pb2, tasks_pb2
from google.protobuf import json_format

if TYPE_CHECKING:
    from flyte_core.sandbox.blobs import BlobStore
    from flyte_core.sandbox.engine.host import EngineSettings

ExecutionError: TypeAlias = execution_pb2.ExecutionError

# Variables of a backend or of another attempt that must not leak from the sandbox's environment into a task's.
_BACKEND_VARIABLES = re.compile(
    r"^(FLYTE_INTERNAL_.*|FLYTE_ATTEMPT_NUMBER|FLYTE_K8S_ARRAY_INDEX|BATCH_JOB_ARRAY_INDEX_.*|_F_.*"
    # which control plane a task's FlyteRemote talks to: this sandbox (its config comes in extra_env)
    r"|_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE|FLYTE_PLATFORM_.*)$"
)


# -- the command line -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Container:
    """What runs: the command line, the container's environment and the image (to pick the environment)."""

    argv: list[str]
    env: list[tuple[str, str]]
    image: str


class TaskNotRunnable(Exception):
    """A task this engine cannot run as a process (no container, no primary container, no command)."""


def task_container(template: tasks_pb2.TaskTemplate) -> Container:
    """The command line of a task: its container's, or its pod's primary container's."""
    if template.HasField("container"):
        container = template.container
        argv = [*container.command, *container.args]
        if not argv:
            raise TaskNotRunnable(f"task '{template.id.name}': its container has neither command nor args")
        return Container(argv, [(kv.key, kv.value) for kv in container.env], container.image)
    if template.HasField("k8s_pod"):
        primary = template.config.get("primary_container_name", "")
        spec = json_format.MessageToDict(template.k8s_pod.pod_spec)
        containers = spec.get("containers") or []
        chosen = next((c for c in containers if c.get("name") == primary), None)
        if chosen is None:
            names = ", ".join(repr(c.get("name")) for c in containers) or "none"
            raise TaskNotRunnable(
                f"task '{template.id.name}': its pod has no primary container {primary!r} (containers: {names})"
            )
        argv = [str(a) for a in [*(chosen.get("command") or []), *(chosen.get("args") or [])]]
        if not argv:
            raise TaskNotRunnable(f"task '{template.id.name}': its primary container has neither command nor args")
        env = [(str(e.get("name")), str(e.get("value", ""))) for e in chosen.get("env") or [] if e.get("name")]
        return Container(argv, env, str(chosen.get("image", "")))
    raise TaskNotRunnable(
        f"task '{template.id.name}' of type '{template.type}' has no container or pod to run; the sandbox runs "
        "container tasks only"
    )


@dataclass(frozen=True)
class AttemptPaths:
    """The values of the template variables for one attempt (URIs a task process can read and write)."""

    input: str
    input_prefix: str
    output_prefix: str
    raw_output_prefix: str
    checkpoint_prefix: str
    previous_checkpoint_prefix: str
    per_retry_key: str
    namespace: str
    task_template_path: str = ""


def _variable(name: str) -> re.Pattern[str]:
    return re.compile(r"{{\s*[.$]" + name + r"\s*}}", re.IGNORECASE)


_INPUT = _variable("Input")
_INPUT_PREFIX = _variable("InputPrefix")
_OUTPUT_PREFIX = _variable("OutputPrefix")
_RAW_OUTPUT_PREFIX = _variable("RawOutputDataPrefix")
_PER_RETRY_KEY = _variable("PerRetryUniqueKey")
_TASK_TEMPLATE_PATH = _variable("TaskTemplatePath")
_PREVIOUS_CHECKPOINT = _variable("PrevCheckpointPrefix")
_CHECKPOINT = _variable("CheckpointOutputPrefix")
_NAMESPACE = _variable("Namespace")
_INPUT_VALUE = re.compile(r"{{\s*[.$]Inputs\.(?P<name>[^}\s]+)\s*}}", re.IGNORECASE)


class TemplateError(Exception):
    """A ``{{.Inputs.x}}`` that cannot be rendered."""


def render(args: Iterable[str], paths: AttemptPaths, inputs: literals_pb2.LiteralMap | None = None) -> list[str]:
    """The arguments with propeller's template variables replaced (``template.Render``)."""
    rendered = []
    for arg in args:
        value = _INPUT.sub(lambda _: paths.input, arg)
        value = _OUTPUT_PREFIX.sub(lambda _: paths.output_prefix, value)
        value = _INPUT_PREFIX.sub(lambda _: paths.input_prefix, value)
        value = _RAW_OUTPUT_PREFIX.sub(lambda _: paths.raw_output_prefix, value)
        value = _PREVIOUS_CHECKPOINT.sub(lambda _: paths.previous_checkpoint_prefix or '""', value)
        value = _CHECKPOINT.sub(lambda _: paths.checkpoint_prefix, value)
        value = _PER_RETRY_KEY.sub(lambda _: paths.per_retry_key, value)
        value = _TASK_TEMPLATE_PATH.sub(lambda _: paths.task_template_path, value)
        value = _NAMESPACE.sub(lambda _: paths.namespace, value)
        if inputs is not None:
            value = _INPUT_VALUE.sub(lambda m: _input_value(inputs, m.group("name"), m.group(0)), value)
        rendered.append(value)
    return rendered


_DEST_DIR_FLAGS = ("--dest-dir", "--dynamic-dest-dir")


def confine_dest_dirs(argv: list[str], work_dir: str) -> list[str]:
    """Absolute code directories (``--dest-dir /root``, flytekit's ``pyflyte register`` default) moved under the
    attempt's own directory: in a pod they are the container's private filesystem, here no two tasks may share
    one, nor write into this machine's ``/root``."""
    confined = list(argv)
    for index, arg in enumerate(confined[:-1]):
        if arg in _DEST_DIR_FLAGS and os.path.isabs(confined[index + 1]):
            confined[index + 1] = os.path.join(work_dir, confined[index + 1].lstrip("/"))
    return confined


def _input_value(inputs: literals_pb2.LiteralMap, name: str, template: str) -> str:
    if name not in inputs.literals:
        raise TemplateError(f"{template}: the task has no input '{name}'")
    return _literal_text(inputs.literals[name], template)


def _literal_text(literal: literals_pb2.Literal, template: str) -> str:
    kind = literal.WhichOneof("value")
    if kind == "collection":
        return "[" + ",".join(_literal_text(item, template) for item in literal.collection.literals) + "]"
    if kind == "scalar":
        scalar = literal.scalar
        which = scalar.WhichOneof("value")
        if which == "primitive":
            primitive = scalar.primitive
            field = primitive.WhichOneof("value")
            if field == "boolean":
                return "true" if primitive.boolean else "false"
            if field == "datetime":
                return str(primitive.datetime.ToJsonString())
            if field == "duration":
                return str(primitive.duration.ToJsonString())
            return str(getattr(primitive, field))
        if which == "blob":
            return str(scalar.blob.uri)
        if which == "schema":
            return str(scalar.schema.uri)
    raise TemplateError(f"{template}: only primitives, blobs, schemas and lists of them can be rendered")


def python_prefix(image: str, settings: EngineSettings) -> str:
    """The Python environment (a prefix with ``bin/``) the task's image maps to."""
    environments = settings.image_environments
    if image in environments:
        return environments[image]
    repository = image.split("@", 1)[0]
    name, _, tag = repository.rpartition(":")
    if name and "/" not in tag and name in environments:
        return environments[name]
    if repository in environments:
        return environments[repository]
    return settings.default_environment or sys.prefix


def resolve_executable(argv: list[str], prefix: str) -> list[str] | None:
    """``argv`` with its first word found in ``<prefix>/bin`` (else on PATH); None when it is nowhere."""
    program = argv[0]
    if os.sep in program:
        return argv if os.access(program, os.X_OK) else None
    candidate = Path(prefix) / "bin" / program
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return [str(candidate), *argv[1:]]
    found = shutil.which(program, path=_search_path(prefix))
    return None if found is None else [found, *argv[1:]]


def _search_path(prefix: str) -> str:
    return os.pathsep.join([str(Path(prefix) / "bin"), os.environ.get("PATH", os.defpath)])


def task_environment(
    *,
    prefix: str,
    container_env: Iterable[tuple[str, str]],
    execution_env: Iterable[tuple[str, str]],
    extra_env: Mapping[str, str],
    internal: Mapping[str, str],
) -> dict[str, str]:
    """A task process's environment: the sandbox's own (without a backend's variables), the container's, the
    execution's, the sandbox's extras, then what propeller injects (which nothing overrides)."""
    env = {k: v for k, v in os.environ.items() if not _BACKEND_VARIABLES.match(k)}
    env["PATH"] = _search_path(prefix)
    env.update(container_env)
    env.update(execution_env)
    env.update(extra_env)
    env.update(internal)
    return env


# -- the process --------------------------------------------------------------------------------------------------


class TaskProcess:
    """A running attempt: the process (leader of its own process group) and its log file."""

    def __init__(self, popen: subprocess.Popen[bytes], log: IO[bytes], identity: str | None) -> None:
        self.popen = popen
        self.log = log
        self.identity = identity

    @property
    def pid(self) -> int:
        return self.popen.pid

    @classmethod
    def start(cls, argv: list[str], env: Mapping[str, str], cwd: Path, log_path: Path, banner: str) -> TaskProcess:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(log_path, "ab")  # noqa: SIM115 - closed when the process ends
        try:
            log.write(banner.encode())
            log.flush()
            popen = subprocess.Popen(
                argv,
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except BaseException:
            log.close()
            raise
        return cls(popen, log, process_identity(popen.pid))

    def wait(self) -> int:
        """Wait for the process to end (from a waiter thread); its exit status."""
        code = self.popen.wait()
        with contextlib.suppress(OSError):
            self.log.close()
        return code

    def kill(self, grace: float) -> None:
        """End the attempt: SIGTERM to its process group, SIGKILL after ``grace`` seconds."""
        signal_group(self.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=grace)
        signal_group(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=max(grace, 1.0))


def signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def process_identity(pid: int) -> str | None:
    """What tells this process from a later one reusing its pid: its start time (None when unknown)."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        text = stat.read_text()
    except OSError:
        if Path("/proc/self/stat").exists():
            return None
        try:
            result = subprocess.run(["ps", "-o", "lstart=", "-p", str(pid)], capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.SubprocessError):
            return None
        started = result.stdout.strip()
        return f"ps:{started}" if result.returncode == 0 and started else None
    # Field 22 (starttime); the command name (field 2) may hold spaces and parentheses, so split after it.
    fields = text[text.rindex(")") + 2 :].split()
    return f"proc:{fields[19]}"


def kill_recorded(pid: int, identity: str | None, grace: float) -> bool:
    """Kill the process group of a process a previous engine started, if that very process still runs.

    Returns whether it was found (and killed)."""
    if identity is None or process_identity(pid) != identity:
        return False
    signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and process_identity(pid) == identity:
        time.sleep(0.05)
    signal_group(pid, signal.SIGKILL)
    return True


# -- the result ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptResult:
    """How an attempt ended: ``succeeded`` (outputs written), ``dynamic`` (futures written) or ``failed``."""

    outcome: str
    error: ExecutionError | None = None
    recoverable: bool = False


def read_result(
    blobs: BlobStore, output_prefix: str, exit_code: int, expects_outputs: bool, log_path: Path
) -> AttemptResult:
    """Read what the task process left in its output prefix, as propeller's output reader does."""
    error_uri = f"{output_prefix}/error.pb"
    if blobs.exists(error_uri):
        try:
            document = errors_pb2.ErrorDocument.FromString(blobs.read_bytes(error_uri))
        except Exception as exc:  # a corrupt error document is the system's problem, not the user's
            return AttemptResult(
                "failed",
                ExecutionError(
                    code="ErrorDocumentUnreadable", message=f"{error_uri}: {exc}", kind=ExecutionError.SYSTEM
                ),
                recoverable=True,
            )
        container_error = document.error
        error = ExecutionError(
            code=container_error.code,
            message=container_error.message,
            kind=container_error.origin,
            error_uri=error_uri,
        )
        if container_error.HasField("timestamp"):
            error.timestamp.CopyFrom(container_error.timestamp)
        error.worker = container_error.worker
        return AttemptResult("failed", error, container_error.kind == errors_pb2.ContainerError.RECOVERABLE)
    if exit_code != 0:
        return AttemptResult("failed", _exit_error(exit_code, log_path), recoverable=True)
    if blobs.exists(f"{output_prefix}/futures.pb"):
        return AttemptResult("dynamic")
    if expects_outputs and not blobs.exists(f"{output_prefix}/outputs.pb"):
        return AttemptResult(
            "failed",
            ExecutionError(
                code="OutputsNotFound",
                message=f"the task exited successfully but wrote no outputs.pb to {output_prefix}; see {log_path}",
                kind=ExecutionError.SYSTEM,
            ),
            recoverable=True,
        )
    return AttemptResult("succeeded")


def _exit_error(exit_code: int, log_path: Path) -> ExecutionError:
    if exit_code < 0:
        try:
            how = f"was killed by {signal.Signals(-exit_code).name}"
        except ValueError:
            how = f"was killed by signal {-exit_code}"
    else:
        how = f"exited with status {exit_code}"
    tail = _log_tail(log_path)
    message = f"the task process {how} without writing error.pb (log: {log_path})"
    if tail:
        message += "\n" + tail
    return ExecutionError(code="ProcessFailed", message=message, kind=ExecutionError.SYSTEM)


def _log_tail(log_path: Path, lines: int = 20, limit: int = 4000) -> str:
    try:
        with open(log_path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - limit))
            text = f.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def describe(argv: list[str], env: Mapping[str, Any]) -> str:
    """The banner a log starts with: what runs, and what the backend told it (nothing else of its environment:
    the log is served over HTTP)."""
    interesting = {k: v for k, v in env.items() if _BACKEND_VARIABLES.match(k) and not k.startswith("_F_")}
    return f"$ {' '.join(argv)}\n# env: {' '.join(f'{k}={v}' for k, v in sorted(interesting.items()))}\n"

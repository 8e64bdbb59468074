"""flyte-core's own client on the sandbox: every non-plugin compat example through FlyteRemote and through
``pyflyte run --remote --wait`` gives the local results, and ``run --remote`` sends what flytekit sends."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flyte_core.sandbox import lifecycle
from tests.compat.conftest import EXAMPLES, port_examples, rename_imports

pytestmark = pytest.mark.slow

CASES = json.loads((Path(__file__).parents[1] / "compat" / "expected" / "example_runs.json").read_text())
PYFLYTE = str(Path(sys.executable).parent / "pyflyte")
POLL = datetime.timedelta(milliseconds=200)


@pytest.fixture(scope="module")
def traced_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[lifecycle.RunningSandbox, Path]]:
    """A sandbox recording every request it receives; tasks run with flyte-core's environment."""
    directory = tmp_path_factory.mktemp("traced-sandbox")
    trace = directory / "rpcs.jsonl"
    args = ["--port", "0", "--http-port", "0", "--max-parallel", str(max(4, os.cpu_count() or 2))]
    running = lifecycle.start_in_background([*args, "--trace-rpcs", str(trace)], directory)
    yield running, trace
    lifecycle.stop(directory)


@pytest.fixture(scope="module")
def ported_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The compat examples with flytekit's module names replaced by flyte-core's, as a project root."""
    if not EXAMPLES.is_dir():
        pytest.skip(f"the shared compat examples are not available at {EXAMPLES}")
    return port_examples(tmp_path_factory.mktemp("ported"))


@pytest.fixture
def examples_importable(ported_project: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``examples.*`` importable from the ported copy, with nothing left from other imports of the examples
    (modules, launch plans cached by name)."""
    from flyte_core.sdk.launch_plan import LaunchPlan

    def forget() -> None:
        for name in [m for m in sys.modules if m == "examples" or m.startswith("examples.")]:
            del sys.modules[name]

    forget()
    monkeypatch.setattr(LaunchPlan, "CACHE", {})
    monkeypatch.syspath_prepend(str(ported_project))
    yield ported_project
    forget()


def _call(module: Any, expression: str) -> tuple[Any, dict[str, Any]]:
    """The entity and keyword arguments an example expression calls."""
    calls: list[tuple[Any, dict[str, Any]]] = []
    namespace = {
        name: (lambda entity: lambda **kwargs: calls.append((entity, kwargs)))(value)
        for name, value in vars(module).items()
        if hasattr(value, "python_interface")
    }
    types = {name: value for name, value in vars(module).items() if isinstance(value, type)}
    eval(expression, {**namespace, **types, "datetime": datetime})
    ((entity, kwargs),) = calls
    return entity, kwargs


def _values(result: Any) -> list[Any]:
    return [] if result is None else list(result) if isinstance(result, tuple) else [result]


def test_flyte_remote_runs_every_example_as_locally(traced_sandbox: Any, examples_importable: Path) -> None:
    """Every case is registered (fast), started at once, waited for, and compared with a local call."""
    import importlib

    from flyte_core.configuration import Config
    from flyte_core.remote import FlyteRemote

    sandbox, _ = traced_sandbox
    remote = FlyteRemote(Config.auto(str(sandbox.config_path)))
    started = []
    try:
        for case in CASES:
            module = importlib.import_module(f"examples.{case['module']}")
            entity, kwargs = _call(module, case["expression"])
            execution = remote.execute(entity, inputs=kwargs)
            started.append((case, entity, kwargs, execution))
        mismatches = []
        for case, entity, kwargs, execution in started:
            done = remote.wait(execution, timeout=180, poll_interval=POLL, sync_nodes=False)
            label = f"{case['module']}:{case['expression']}"
            if "error" in case:
                if done.is_successful:
                    mismatches.append(f"{label}: succeeded remotely, failed locally with {case['error']}")
                continue
            if not done.is_successful:
                mismatches.append(f"{label}: {done.phase_name}: {done.error.message[-500:]}")
                continue
            remote_values = [done.outputs[name] for name in entity.python_interface.outputs]
            local_values = _values(entity(**kwargs))
            if repr(remote_values) != repr(local_values):
                mismatches.append(f"{label}: remote {remote_values!r} != local {local_values!r}")
        assert not mismatches, "\n".join(mismatches)
    finally:
        remote.close()


def _cli_args(kwargs: dict[str, Any]) -> list[str] | None:
    """Keyword arguments as pyflyte run options, or None when one has no command-line form here."""
    args: list[str] = []
    for key, value in kwargs.items():
        if isinstance(value, bool):
            args.append(f"--{key}" if value else f"--no-{key}")
        elif isinstance(value, str | int | float):
            args += [f"--{key}", str(value)]
        elif isinstance(value, datetime.datetime):
            args += [f"--{key}", value.isoformat()]
        elif isinstance(value, list | dict) and all(isinstance(v, int | float | str) for v in value):
            args += [f"--{key}", json.dumps(value)]
        else:
            return None
    return args


def _last_line(text: str) -> str:
    return text.rstrip().splitlines()[-1] if text.strip() else ""


def test_pyflyte_run_remote_prints_what_a_local_run_prints(traced_sandbox: Any, examples_importable: Path) -> None:
    import importlib

    sandbox, _ = traced_sandbox
    env = {k: v for k, v in os.environ.items() if k != "_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE"}
    env.update(FLYTECTL_CONFIG=str(sandbox.config_path), FLYTE_LOCAL_CACHE_ENABLED="false")
    mismatches, ran = [], 0
    for case in CASES:
        if "error" in case:
            continue
        module = importlib.import_module(f"examples.{case['module']}")
        entity, kwargs = _call(module, case["expression"])
        args = _cli_args(kwargs)
        # pyflyte run names a launch plan by its name, anything else by its attribute
        attribute = getattr(entity, "name", "") if type(entity).__name__ == "LaunchPlan" else ""
        attribute = attribute or next(n for n, v in vars(module).items() if v is entity)
        if args is None:
            continue
        command = [f"examples/{case['module']}.py", attribute, *args]
        remote = subprocess.run(
            [PYFLYTE, "run", "--remote", "--wait", *command],
            capture_output=True, text=True, env=env, cwd=examples_importable, timeout=180,
        )  # fmt: skip
        local = subprocess.run(
            [PYFLYTE, "run", *command], capture_output=True, text=True, env=env, cwd=examples_importable, timeout=180
        )
        ran += 1
        if remote.returncode != 0 or _last_line(remote.stdout) != _last_line(local.stdout):
            mismatches.append(
                f"{' '.join(command)}: remote ({remote.returncode}) {_last_line(remote.stdout)!r} "
                f"{remote.stderr[-800:]} != local {_last_line(local.stdout)!r}"
            )
    assert ran >= 20
    assert not mismatches, "\n".join(mismatches)


# What legitimately differs between the two clients' requests: the code archive (its digest, name and
# location), the versions derived from it, the default image and SDK version, and server-made names.
_DIFFERENT_BY_NATURE = (
    "contentMd5",
    "filename",
    "version",
    "container.image",
    "container.args[2]",
    "runtime.version",
    "id.name",
)


def _requests(trace: Path, start: int) -> list[tuple[str, dict[str, Any]]]:
    lines = trace.read_text().splitlines()[start:]
    return [(entry["method"].rsplit("/", 1)[1], entry["request"]) for entry in map(json.loads, lines)]


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _flat(item, f"{prefix}.{key}".lstrip(".")).items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in _flat(item, f"{prefix}[{i}]").items()}
    return {prefix: value}


def test_run_remote_sends_the_rpcs_flytekit_sends(traced_sandbox: Any, flytekit_python: Path, tmp_path: Path) -> None:
    """The same workflow run with both clients' `pyflyte run --remote`: same RPCs, same order, same fields."""
    if not EXAMPLES.is_dir():
        pytest.skip(f"the shared compat examples are not available at {EXAMPLES}")
    sandbox, trace = traced_sandbox
    flytekit_root, ours_root = tmp_path / "flytekit", tmp_path / "ours"
    shutil.copytree(EXAMPLES, flytekit_root / "examples")
    shutil.copytree(EXAMPLES, ours_root / "examples")
    (ours_root / "examples" / "hello.py").write_text(rename_imports((EXAMPLES / "hello.py").read_text()))
    command = ["--config", str(sandbox.config_path), "run", "--remote", "examples/hello.py", "hello_wf", "--name", "b"]
    recorded = {}
    for who, pyflyte, root in (
        ("flytekit", str(flytekit_python.parent / "pyflyte"), flytekit_root),
        ("flyte-core", PYFLYTE, ours_root),
    ):
        start = len(trace.read_text().splitlines()) if trace.exists() else 0
        result = subprocess.run([pyflyte, *command], capture_output=True, text=True, cwd=root, timeout=120)
        assert result.returncode == 0, f"{who}: {result.stderr[-2000:]}"
        recorded[who] = _requests(trace, start)
    theirs, ours = recorded["flytekit"], recorded["flyte-core"]
    assert [m for m, _ in ours] == [m for m, _ in theirs]
    differences = []
    for (method, their_request), (_, our_request) in zip(theirs, ours, strict=True):
        mine, expected = _flat(our_request), _flat(their_request)
        for key in sorted(set(mine) | set(expected)):
            if mine.get(key) != expected.get(key) and not key.endswith(_DIFFERENT_BY_NATURE):
                differences.append(f"{method} {key}: flytekit {expected.get(key)!r}, flyte-core {mine.get(key)!r}")
    assert not differences, "\n".join(differences)
    upload = dict(ours)["CreateUploadLocation"]
    assert upload["filename"].startswith("fast") and upload["filename"].endswith(".tar.gz")
    assert upload["addContentMd5Metadata"] is True and "filenameRoot" not in upload

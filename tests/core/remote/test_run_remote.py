"""``pyflyte run --remote`` against a real sandbox: what it prints, what it sends, how it fails."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

PYFLYTE = str(Path(sys.executable).parent / "pyflyte")

WORKFLOWS = """
import typing

from flyte_core import task, workflow
from flyte_core.types.file.file import FlyteFile


@task
def greet(name: str) -> str:
    return f"hello {name}"


@workflow
def greet_wf(name: str = "world") -> str:
    return greet(name=name)


@task
def split(n: int) -> typing.Tuple[int, str]:
    return n * 2, str(n)


@task
def env_value(key: str) -> str:
    import os

    return os.environ.get(key, "unset")


@task
def size(f: FlyteFile) -> int:
    with open(f, "rb") as handle:
        return len(handle.read())


@task
def broken(x: int) -> int:
    if x:
        raise RuntimeError(f"cannot handle {x}")
    return x
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sandbox_config: Path) -> Path:
    """A project directory (the current one) holding ``flows_<test>.py``; its modules are forgotten after."""
    monkeypatch.chdir(tmp_path)
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if str(tmp_path) in str(getattr(sys.modules.get(name), "__file__", "") or ""):
            del sys.modules[name]
    if str(tmp_path) in sys.path:
        sys.path.remove(str(tmp_path))


def _write(directory: Path, name: str) -> str:
    (directory / name).write_text(textwrap.dedent(WORKFLOWS))
    return name


def _url(output: str) -> str:
    match = re.search(r"Go to (\S+) to see execution in the console", output)
    assert match, output
    return match.group(1)


def test_run_remote_wait_prints_the_url_and_the_outputs(workdir: Path, sandbox: Any) -> None:
    name = _write(workdir, "flows_cli.py")
    env = {k: v for k, v in os.environ.items() if k != "_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE"}
    env["FLYTECTL_CONFIG"] = str(sandbox.config_path)
    result = subprocess.run(
        [PYFLYTE, "run", "--remote", "--wait", name, "greet_wf", "--name", "remote"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Running Execution on Remote." in result.stdout
    url = _url(result.stdout)
    assert url.startswith(f"{sandbox.console_url}/projects/flytesnacks/domains/development/executions/")
    assert result.stdout.rstrip().splitlines()[-1] == "hello remote"
    assert "SUCCEEDED" in result.stderr  # the progress lines


def test_several_outputs_print_as_a_local_run_prints_them(workdir: Path, flyte_cli: Any) -> None:
    name = _write(workdir, "flows_tuple.py")
    remote = flyte_cli.invoke(["run", "--remote", "--wait", name, "split", "--n", "21"])
    local = flyte_cli.invoke(["run", name, "split", "--n", "21"])
    assert remote.exit_code == 0, remote.output
    assert remote.output.rstrip().splitlines()[-1] == local.output.rstrip().splitlines()[-1]
    assert local.output.rstrip().splitlines()[-1] == "DefaultNamedTupleOutput(o0=42, o1='21')"


def test_without_wait_it_returns_once_the_execution_is_created(workdir: Path, flyte_cli: Any, remote: Any) -> None:
    name = _write(workdir, "flows_nowait.py")
    result = flyte_cli.invoke(["run", "--remote", "--dump-snippet", name, "greet_wf", "--name", "later"])
    assert result.exit_code == 0, result.output
    execution_name = _url(result.output).rsplit("/", 1)[1]
    assert f'remote.fetch_execution(name="{execution_name}")' in result.output
    done = remote.wait(remote.fetch_execution(name=execution_name), timeout=60)
    assert done.outputs["o0"] == "hello later"


def test_run_options_go_into_the_execution_spec(workdir: Path, flyte_cli: Any, remote: Any) -> None:
    name = _write(workdir, "flows_spec.py")
    args = [
        "run", "--remote", "--wait", "--name", "spec-check", "--tags", "t1", "--tags", "t2",
        "--labels", "team=core", "--annotations", "note=hi", "--envvars", "GREETING=bonjour",
        "--service-account", "robot", "--overwrite-cache", "--cluster-pool", "pool-a",
        "--execution-cluster-label", "ecl-b", "--max-parallelism", "3",
        name, "env_value", "--key", "GREETING",
    ]  # fmt: skip
    result = flyte_cli.invoke(args)
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().splitlines()[-1] == "bonjour"
    spec = remote.fetch_execution(name="spec-check").spec
    assert list(spec.tags) == ["t1", "t2"]
    assert dict(spec.labels.values) == {"team": "core"}
    assert dict(spec.annotations.values) == {"note": "hi"}
    assert [(kv.key, kv.value) for kv in spec.envs.values] == [("GREETING", "bonjour")]
    assert spec.security_context.run_as.k8s_service_account == "robot"
    assert spec.overwrite_cache
    assert spec.cluster_assignment.cluster_pool_name == "pool-a"
    assert spec.execution_cluster_label.value == "ecl-b"
    assert spec.max_parallelism == 3


def test_a_local_file_input_is_uploaded(workdir: Path, flyte_cli: Any) -> None:
    name = _write(workdir, "flows_file.py")
    (workdir / "data.bin").write_bytes(b"x" * 1234)
    result = flyte_cli.invoke(["run", "--remote", "--wait", name, "size", "--f", "data.bin"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().splitlines()[-1] == "1234"


def test_a_failing_execution_exits_1_with_the_users_error(workdir: Path, flyte_cli: Any) -> None:
    name = _write(workdir, "flows_fail.py")
    result = flyte_cli.invoke(["run", "--remote", "--wait", name, "broken", "--x", "3"])
    assert result.exit_code == 1
    assert "FAILED" in result.output and "cannot handle 3" in result.output
    assert "Traceback (most recent call last):\n  File" not in result.output.split("Error:")[0]


def test_an_unreachable_control_plane_is_one_clear_line(
    workdir: Path, flyte_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = _write(workdir, "flows_down.py")
    config = workdir / "down.yaml"
    config.write_text("admin:\n  endpoint: dns:///127.0.0.1:1\n  insecure: true\n")
    monkeypatch.setenv("FLYTECTL_CONFIG", str(config))
    result = flyte_cli.invoke(["run", "--remote", name, "greet_wf"])
    assert result.exit_code == 1
    assert "127.0.0.1:1" in result.output
    assert "Traceback" not in result.output

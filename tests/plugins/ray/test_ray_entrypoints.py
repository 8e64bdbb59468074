"""Ray tasks through the commands that run them: ``pyflyte run`` and the container entrypoint ``pyflyte-execute``.

Each command runs in a subprocess that attaches to the tests' shared Ray head (FLYTE_RAY_HOME is inherited), or to
the address RAY_ADDRESS / ``RayJobConfig(address=...)`` gives.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flyte_plugin_ray import head as ray_head
from flyteidl.core import errors_pb2, execution_pb2, literals_pb2

from flyte_core.config.images import ImageConfig
from flyte_core.config.serialization import SerializationSettings
from flyte_core.idl.translator import get_serializable
from tests.compat.conftest import EXAMPLES, port_examples

BIN = Path(sys.executable).parent
SETTINGS = SerializationSettings(
    image_config=ImageConfig.auto(img_name="ghcr.io/example/img:v1"), project="p", domain="d", version="v1"
)
PROJECT = Path(__file__).parent / "project"


@pytest.fixture(scope="module")
def source_root(tmp_path_factory: pytest.TempPathFactory, ray_head_home: Path) -> Path:
    """The ported compat examples plus this suite's ``ray_tasks.py``, as a project root."""
    if not EXAMPLES.is_dir():
        pytest.skip(f"the shared compat examples are not available at {EXAMPLES}")
    root = port_examples(tmp_path_factory.mktemp("ray-entrypoints"))
    shutil.copy(PROJECT / "ray_tasks.py", root / "ray_tasks.py")
    return root


def _environment(**extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("_F_", "FLYTE_INTERNAL", "BATCH_JOB"))}
    return {**environ, "FLYTE_LOCAL_CACHE_ENABLED": "false", **extra}


def _pyflyte(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "pyflyte"), *args], cwd=root, capture_output=True, text=True, env=_environment(**env), timeout=120
    )


def test_pyflyte_run_runs_the_example_on_the_head(source_root: Path) -> None:
    result = _pyflyte(source_root, "run", "examples/ray_task.py", "ray_wf", "--n", "5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "30"
    assert "Connecting to existing Ray cluster" in result.stderr


def test_pyflyte_run_reports_a_failing_remote_function_without_a_traceback(source_root: Path) -> None:
    result = _pyflyte(source_root, "run", "ray_tasks.py", "failing", "--n", "3")
    assert result.returncode == 1
    assert "remote function refused n=3" in result.stderr
    assert "Traceback (most recent call last)" not in result.stderr.split("ray::explode")[0]


def test_ray_address_is_where_a_task_connects(source_root: Path, tmp_path: Path) -> None:
    """RAY_ADDRESS (with Ray's own auth settings) wins over the head of FLYTE_RAY_HOME, which is empty here."""
    head = ray_head.find_running()
    assert head is not None
    env = {"FLYTE_RAY_HOME": str(tmp_path), "RAY_ADDRESS": head.address, **head.client_environment()}
    result = _pyflyte(source_root, "run", "ray_tasks.py", "sum_of_squares", "--n", "3", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "5"
    assert f"Connecting to existing Ray cluster at address: {head.address}" in result.stderr


def test_the_configured_address_is_where_a_task_connects(source_root: Path, tmp_path: Path) -> None:
    head = ray_head.find_running()
    assert head is not None
    module = tmp_path / "addressed.py"
    module.write_text(
        "import ray\n"
        "from flyte_core import task\n"
        "from flyte_plugin_ray import RayJobConfig\n\n"
        f"@task(task_config=RayJobConfig(worker_node_config=[], address={head.address!r}))\n"
        "def where() -> str:\n"
        "    return ray.get_runtime_context().gcs_address\n"
    )
    env = {"FLYTE_RAY_HOME": str(tmp_path), **head.client_environment()}
    result = _pyflyte(tmp_path, "run", "addressed.py", "where", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == head.address


def _execute(task: Any, inputs: literals_pb2.LiteralMap, work: Path, root: Path) -> Path:
    """Run the task's serialized container command as Flyte would; its output prefix."""
    spec = get_serializable({}, SETTINGS, task)
    assert spec.template.type == "ray"
    work.mkdir(parents=True)
    (work / "inputs.pb").write_bytes(inputs.SerializeToString())
    substitutions = {
        "{{.input}}": str(work / "inputs.pb"),
        "{{.outputPrefix}}": str(work / "out"),
        "{{.rawOutputDataPrefix}}": str(work / "raw"),
        "{{.checkpointOutputPrefix}}": str(work / "checkpoint"),
        "{{.prevCheckpointPrefix}}": "",
    }
    args = [substitutions.get(a, a) for a in spec.template.container.args]
    command = [str(BIN / args[0]), *args[1:]]
    result = subprocess.run(command, cwd=root, env=_environment(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return work / "out"


def _integer_inputs(**values: int) -> literals_pb2.LiteralMap:
    return literals_pb2.LiteralMap(
        literals={
            k: literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=v)))
            for k, v in values.items()
        }
    )


@pytest.fixture(scope="module")
def ported(source_root: Path) -> Any:
    """The ported modules, imported from the source root (to serialize their tasks)."""
    sys.path.insert(0, str(source_root))
    try:
        import examples.ray_task
        import ray_tasks

        yield examples.ray_task, ray_tasks
    finally:
        sys.path.remove(str(source_root))
        for name in [m for m in sys.modules if m in ("ray_tasks", "examples") or m.startswith("examples.")]:
            del sys.modules[name]


def test_pyflyte_execute_runs_the_example_task_on_ray(ported: Any, source_root: Path, tmp_path: Path) -> None:
    example, _ = ported
    out = _execute(example.ray_sum, _integer_inputs(n=5), tmp_path / "ray_sum", source_root)
    outputs = literals_pb2.LiteralMap.FromString((out / "outputs.pb").read_bytes())
    assert outputs.literals["o0"].scalar.primitive.integer == 30


def test_pyflyte_execute_writes_the_remote_functions_error_to_error_pb(
    ported: Any, source_root: Path, tmp_path: Path
) -> None:
    _, ray_tasks = ported
    out = _execute(ray_tasks.failing, _integer_inputs(n=9), tmp_path / "failing", source_root)
    assert sorted(os.listdir(out)) == ["error.pb"]
    error = errors_pb2.ErrorDocument.FromString((out / "error.pb").read_bytes()).error
    assert "remote function refused n=9" in error.message
    assert error.kind == errors_pb2.ContainerError.NON_RECOVERABLE
    assert error.origin == execution_pb2.ExecutionError.USER

"""Ray tasks run locally on a real Ray: a driver is connected before the function and disconnected after.

The tests attach to the tests' shared head (``pyflyte ray start``, see conftest); the last one starts a Ray
runtime of its own, as a task does when no head runs.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import ray
from flyte_plugin_ray import head as ray_head
from flyte_plugin_ray.session import driver_runtime_env

from tests.compat.conftest import EXAMPLES, port_examples

PROJECT = Path(__file__).parent / "project"


def _import_fresh(root: Path, name: str) -> Iterator[ModuleType]:
    top = name.split(".")[0]

    def forget() -> None:
        for module in [m for m in sys.modules if m == top or m.startswith(top + ".")]:
            del sys.modules[module]

    forget()
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(root))
        forget()


@pytest.fixture(scope="module")
def ray_tasks(ray_head_home: Path) -> Iterator[ModuleType]:
    yield from _import_fresh(PROJECT, "ray_tasks")


@pytest.fixture(scope="module")
def ray_example(ray_head_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The shared compat example ``ray_task``, ported (``flytekitplugins.ray`` -> ``flyte_plugin_ray``)."""
    if not EXAMPLES.is_dir():
        pytest.skip(f"the shared compat examples are not available at {EXAMPLES}")
    yield from _import_fresh(port_examples(tmp_path_factory.mktemp("ray-example")), "examples.ray_task")


@pytest.fixture(autouse=True)
def _no_local_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_ENABLED", "false")


def test_the_ported_example_gives_flytekits_result(ray_example: ModuleType) -> None:
    assert ray_example.ray_wf(n=5) == 30
    assert not ray.is_initialized(), "the task disconnected its driver"


def test_remote_functions_run_in_ray_worker_processes(ray_tasks: ModuleType) -> None:
    driver, worker, _, _ = ray_tasks.remote_process(name="HOME")
    assert driver == str(os.getpid())
    assert worker != driver
    assert ray_head.find_running() is not None, "attached to the tests' shared head, which is still running"


def test_runtime_env_env_vars_reach_remote_functions(ray_tasks: ModuleType) -> None:
    assert "FLYTE_RAY_TEST_VAR" not in os.environ
    assert ray_tasks.remote_process(name="FLYTE_RAY_TEST_VAR")[-1] == "set"


def test_a_failing_remote_function_fails_the_task_with_its_message(ray_tasks: ModuleType) -> None:
    with pytest.raises(ValueError, match="remote function refused n=7") as failure:
        ray_tasks.failing(n=7)
    assert "in explode" in str(failure.value), "with the remote function's traceback"
    assert not ray.is_initialized(), "the driver is disconnected when the task fails too"


def test_a_workflow_of_ray_tasks_runs(ray_tasks: ModuleType) -> None:
    assert ray_tasks.squares_wf(n=4) == 14


def test_a_driver_connected_by_the_user_is_used_and_left_connected(ray_tasks: ModuleType) -> None:
    running = ray_head.find_running()
    assert running is not None
    from flyte_plugin_ray.session import _reload_auth_settings

    saved = {k: os.environ.get(k) for k in running.client_environment()}
    os.environ.update(running.client_environment())
    _reload_auth_settings()
    ray.init(address=running.address)
    try:
        assert ray_tasks.sum_of_squares(n=3) == 5
        assert ray.is_initialized()
    finally:
        ray.shutdown()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def test_pip_is_left_out_of_a_local_runtime_env_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    runtime_env = {"pip": ["numpy==1.26.4"], "env_vars": {"A": "1"}, "working_dir": "."}
    with caplog.at_level(logging.WARNING, logger="flyte_core"):
        applied = driver_runtime_env("t_pip_warning", runtime_env, local=True)
    assert applied == {"env_vars": {"A": "1"}, "working_dir": "."}
    assert "runtime_env pip not applied" in caplog.text
    assert "FLYTE_RAY_RUNTIME_ENV=all" in caplog.text


def test_flyte_ray_runtime_env_all_applies_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_RAY_RUNTIME_ENV", "all")
    runtime_env = {"pip": ["numpy==1.26.4"]}
    assert driver_runtime_env("t", runtime_env, local=True) == runtime_env


def test_in_a_container_the_working_directory_is_shipped_to_the_workers(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    applied = driver_runtime_env("t", {"env_vars": {"A": "1"}}, local=False)
    assert applied is not None
    assert applied["env_vars"] == {"A": "1"}
    assert applied["working_dir"] == str(tmp_path)
    assert "fast*.tar.gz" in applied["excludes"]


def test_in_a_ray_job_only_the_working_directory_is_added(monkeypatch, tmp_path) -> None:
    """On a Flyte cluster KubeRay applies the job's runtime_env; the driver adds its code, as flytekit does."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAY_JOB_CONFIG_JSON_ENV_VAR", "{}")
    applied = driver_runtime_env("t", {"pip": ["x"], "env_vars": {"A": "1"}}, local=False)
    assert applied == {
        "working_dir": str(tmp_path),
        "excludes": ["script_mode.tar.gz", "fast*.tar.gz", ".python_history"],
    }


@pytest.mark.slow
def test_without_a_head_a_task_starts_a_runtime_of_its_own_and_stops_it(
    ray_tasks: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FLYTE_RAY_HOME", str(tmp_path))  # no head there
    driver, worker, raylet, _ = ray_tasks.remote_process(name="HOME")
    assert worker != driver
    assert not ray.is_initialized()
    running = ray_head.find_running(ray_head.home())
    assert running is None
    deadline = time.monotonic() + 20
    while _alive(int(raylet)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(int(raylet)), "the task's own Ray runtime (its raylet) was shut down"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:3]

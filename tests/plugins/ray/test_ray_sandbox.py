"""Ray tasks on the sandbox: registered and started with FlyteRemote, run as the sandbox runs any task (its
container command in a local process), attached to the tests' shared Ray head."""

from __future__ import annotations

import datetime
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flyte_plugin_ray import head as ray_head

from flyte_core.sandbox import lifecycle
from tests.compat.conftest import EXAMPLES, port_examples

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).parent / "project"
POLL = datetime.timedelta(milliseconds=200)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory, ray_head_home: Path) -> Iterator[lifecycle.RunningSandbox]:
    """A sandbox on free ports; its task processes inherit FLYTE_RAY_HOME, so Ray tasks attach to the head."""
    directory = tmp_path_factory.mktemp("ray-sandbox")
    running = lifecycle.start_in_background(["--port", "0", "--http-port", "0"], directory)
    yield running
    lifecycle.stop(directory)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The ported example and this suite's ``ray_tasks`` imported from a project root, as a user's code."""
    if not EXAMPLES.is_dir():
        pytest.skip(f"the shared compat examples are not available at {EXAMPLES}")
    root = port_examples(tmp_path_factory.mktemp("ray-sandbox-project"))
    shutil.copy(PROJECT / "ray_tasks.py", root / "ray_tasks.py")

    def forget() -> None:
        for name in [m for m in sys.modules if m in ("ray_tasks", "examples") or m.startswith("examples.")]:
            del sys.modules[name]

    forget()
    sys.path.insert(0, str(root))
    try:
        import examples.ray_task
        import ray_tasks

        yield examples.ray_task, ray_tasks
    finally:
        sys.path.remove(str(root))
        forget()


@pytest.fixture(scope="module")
def remote(sandbox: lifecycle.RunningSandbox) -> Iterator[Any]:
    from flyte_core.configuration import Config
    from flyte_core.remote import FlyteRemote

    client = FlyteRemote(Config.auto(str(sandbox.config_path)))
    yield client
    client.close()


def test_the_example_workflow_runs_on_the_sandbox(remote: Any, project: Any) -> None:
    example, ray_tasks = project
    head = ray_head.find_running()
    assert head is not None
    workflow_run = remote.execute(example.ray_wf, inputs={"n": 5})
    address_run = remote.execute(ray_tasks.cluster_address, inputs={})
    failing_run = remote.execute(ray_tasks.failing, inputs={"n": 11})
    done = remote.wait(workflow_run, timeout=180, poll_interval=POLL, sync_nodes=False)
    assert done.is_successful, done.error.message[-2000:] if done.error else done.phase_name
    assert done.outputs["o0"] == 30

    attached = remote.wait(address_run, timeout=180, poll_interval=POLL, sync_nodes=False)
    assert attached.is_successful, attached.error.message[-2000:] if attached.error else attached.phase_name
    assert attached.outputs["o0"] == head.address, "the sandbox's task attached to the head of 'pyflyte ray start'"

    failed = remote.wait(failing_run, timeout=180, poll_interval=POLL, sync_nodes=False)
    assert not failed.is_successful
    assert "remote function refused n=11" in failed.error.message

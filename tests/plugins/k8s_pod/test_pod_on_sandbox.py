"""Pod tasks on the sandbox: registered as 'sidecar' tasks, run as their primary container, node overrides kept."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from flyte_core.configuration import Config
from flyte_core.remote import FlyteRemote
from flyte_core.sandbox import lifecycle

pytestmark = pytest.mark.slow

PYFLYTE = str(Path(sys.executable).parent / "pyflyte")

FLOWS = """
    import warnings

    from kubernetes.client import V1Container, V1PodSpec

    from flyte_core import PodTemplate, task, workflow

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        from flyte_plugin_k8s_pod import Pod


    @task(
        task_config=Pod(
            pod_spec=V1PodSpec(containers=[V1Container(name="primary"), V1Container(name="helper", image="busybox")]),
            primary_container_name="primary",
            labels={"kind": "legacy"},
        )
    )
    def add_ten(x: int) -> int:
        return x + 10


    @workflow
    def pod_wf(x: int = 1) -> int:
        first = add_ten(x=x)
        return add_ten(x=first).with_overrides(
            pod_template=PodTemplate(primary_container_name="primary", labels={"override": "yes"})
        )
"""


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lifecycle.RunningSandbox]:
    directory = tmp_path_factory.mktemp("pod-sandbox")
    running = lifecycle.start_in_background(["--port", "0", "--http-port", "0"], directory)
    yield running
    lifecycle.stop(directory)


def test_a_pod_workflow_with_a_pod_template_override_runs_on_the_sandbox(
    sandbox: lifecycle.RunningSandbox, tmp_path: Path
) -> None:
    (tmp_path / "flows.py").write_text(textwrap.dedent(FLOWS))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE", "_FLYTE"))}
    command = [PYFLYTE, "-c", str(sandbox.config_path), "run", "--remote", "--wait", "flows.py", "pod_wf", "--x", "5"]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "25"

    remote = FlyteRemote(Config.auto(str(sandbox.config_path)), "flytesnacks", "development")
    (execution,) = remote.recent_executions(limit=1)
    execution = remote.sync(execution, sync_nodes=True)
    assert [execution.node_executions[n].outputs["o0"] for n in ("n0", "n1")] == [15, 25]
    workflow = remote.fetch_workflow(name="flows.pod_wf", version=execution.spec.launch_plan.version)
    overrides = {n.id: n.task_node.overrides for n in workflow.template.nodes}
    assert not overrides["n0"].HasField("pod_template")
    assert overrides["n1"].pod_template.metadata.labels["override"] == "yes"
    task = remote.fetch_task(name="flows.add_ten", version=execution.spec.launch_plan.version)
    assert task.template.type == "sidecar" and task.template.metadata.pod_template_name == ""
    assert task.template.k8s_pod.metadata.labels["kind"] == "legacy"

"""Locally a Pod task runs its function, as flytekit does: the pod spec matters only on a cluster."""

from __future__ import annotations

import logging
import warnings

from kubernetes.client import V1Container, V1PodSpec

from flyte_core import task, workflow

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)
    from flyte_plugin_k8s_pod import Pod

_POD = Pod(
    pod_spec=V1PodSpec(containers=[V1Container(name="primary"), V1Container(name="helper", image="busybox:1.36")]),
    primary_container_name="primary",
)


def test_a_pod_task_runs_its_function_locally_and_says_the_pod_is_ignored(pod_plugin, caplog) -> None:
    @task(task_config=_POD)
    def add_ten(x: int) -> int:
        return x + 10

    with caplog.at_level(logging.WARNING, logger="flyte_core"):
        assert add_ten(x=1) == 11
    assert "Running pod task" in caplog.text and "its pod spec is ignored" in caplog.text


def test_a_pod_task_runs_inside_a_local_workflow(pod_plugin) -> None:
    @task(task_config=_POD)
    def double(x: int) -> int:
        return 2 * x

    @workflow
    def wf(x: int = 3) -> int:
        return double(x=double(x=x))

    assert wf() == 12
    assert wf(x=1) == 4

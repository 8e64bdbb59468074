"""Mistakes in a Pod task are reported when the task is decorated, naming the task, the value and the fix."""

from __future__ import annotations

import warnings

import pytest
from kubernetes.client import V1Container, V1PodSpec, V1ResourceRequirements

from flyte_core import PodTemplate, Resources, task
from flyte_core.exceptions.user import FlyteValidationException

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)
    from flyte_plugin_k8s_pod import Pod


def _spec(**resources: dict[str, str]) -> V1PodSpec:
    return V1PodSpec(containers=[V1Container(name="primary", resources=V1ResourceRequirements(**resources))])


def test_an_invalid_quantity_in_the_pod_spec_names_the_task_container_and_resource(pod_plugin) -> None:
    with pytest.raises(FlyteValidationException) as raised:

        @task(task_config=Pod(pod_spec=_spec(limits={"cpu": "lots"}), primary_container_name="primary"))
        def hungry(x: int) -> int:
            return x

    message = str(raised.value)
    assert "hungry" in message
    assert "container 'primary' resources.limits['cpu']='lots' is not a Kubernetes quantity" in message
    assert "'500m'" in message


def test_an_invalid_quantity_in_the_task_resources_is_refused(pod_plugin) -> None:
    with pytest.raises(FlyteValidationException, match=r"requests mem='a lot' is not a Kubernetes quantity"):

        @task(task_config=Pod(pod_spec=_spec(), primary_container_name="primary"), requests=Resources(mem="a lot"))
        def greedy(x: int) -> int:
            return x


def test_valid_quantities_are_accepted(pod_plugin) -> None:
    with pytest.warns(UserWarning, match="replace all resources"):

        @task(
            task_config=Pod(pod_spec=_spec(requests={"cpu": "500m", "memory": "1.5Gi"})),
            limits=Resources(cpu=2, mem="2G", ephemeral_storage="1e3"),
        )
        def fine(x: int) -> int:
            return x

    assert fine.name.endswith("fine")


def test_a_pod_and_a_pod_template_together_are_refused(pod_plugin) -> None:
    with pytest.raises(FlyteValidationException, match=r"both task_config=Pod\(\.\.\.\) and pod_template"):

        @task(task_config=Pod(pod_spec=_spec(), primary_container_name="primary"), pod_template=PodTemplate())
        def twice(x: int) -> int:
            return x


def test_a_pod_needs_a_pod_spec_and_a_primary_container_name() -> None:
    with pytest.raises(FlyteValidationException, match="A pod spec cannot be undefined"):
        Pod(pod_spec=None, primary_container_name="primary")  # type: ignore[arg-type]
    with pytest.raises(FlyteValidationException, match="must be a kubernetes.client.V1PodSpec, got dict"):
        Pod(pod_spec={"containers": []}, primary_container_name="primary")  # type: ignore[arg-type]
    with pytest.raises(FlyteValidationException, match="A primary container name cannot be undefined"):
        Pod(pod_spec=_spec(), primary_container_name="")
    with pytest.raises(FlyteValidationException, match="labels must be a dict of strings to strings"):
        Pod(pod_spec=_spec(), labels={"n": 1})  # type: ignore[dict-item]


def test_importing_pod_warns_that_pod_template_is_the_supported_way() -> None:
    import flyte_plugin_k8s_pod

    vars(flyte_plugin_k8s_pod).pop("Pod", None)
    with pytest.warns(FutureWarning, match=r"use @task\(pod_template=PodTemplate"):
        from flyte_plugin_k8s_pod import Pod as pod_class
    assert pod_class is Pod


def test_a_pod_function_task_needs_a_pod() -> None:
    from flyte_plugin_k8s_pod import PodFunctionTask

    def f(x: int) -> int:
        return x

    with pytest.raises(FlyteValidationException, match=r"PodFunctionTask needs task_config=Pod\(\.\.\.\), got dict"):
        PodFunctionTask({"pod_spec": None}, f)  # type: ignore[arg-type]

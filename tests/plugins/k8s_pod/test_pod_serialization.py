"""Pod tasks serialize as flytekitplugins-pod 1.16 serialized them: a 'sidecar' task, its container in the pod."""

from __future__ import annotations

import pathlib
import warnings

import pytest
from kubernetes.client import V1Container, V1EnvVar, V1PodSpec, V1ResourceRequirements, V1Volume

from flyte_core import Resources, task
from tests.compat.goldens import assert_api_serialize_matches, assert_pyflyte_serialize_matches, ported_project

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)
    from flyte_plugin_k8s_pod import Pod, PodFunctionTask


@pytest.fixture(scope="module")
def source_root(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return ported_project(tmp_path_factory.mktemp("pod-serialize"))


def test_pyflyte_serialize_writes_what_flytekitplugins_pod_wrote(source_root: pathlib.Path, tmp_path) -> None:
    assert_pyflyte_serialize_matches("pod_plugin", source_root, tmp_path)


def test_the_api_with_fixed_settings_writes_what_flytekitplugins_pod_wrote(source_root: pathlib.Path, tmp_path) -> None:
    assert_api_serialize_matches(["pod_plugin"], source_root, tmp_path)


def _containers(pod) -> dict[str, dict]:
    from google.protobuf import json_format

    spec = json_format.MessageToDict(pod.pod_spec)
    return {c["name"]: c for c in spec["containers"]}


def test_a_pod_task_is_a_sidecar_task_without_a_container(pod_plugin, settings) -> None:
    @task(task_config=Pod(pod_spec=V1PodSpec(containers=[V1Container(name="main")]), primary_container_name="main"))
    def t(x: int) -> int:
        return x

    assert isinstance(t, PodFunctionTask)
    assert (t.task_type, t.task_type_version) == ("sidecar", 2)
    assert t.get_container(settings) is None
    assert t.get_config(settings) == {"primary_container_name": "main"}


def test_the_primary_container_is_added_when_the_pod_spec_lacks_it(pod_plugin, settings) -> None:
    spec = V1PodSpec(containers=[V1Container(name="helper", image="busybox:1.36")])

    @task(task_config=Pod(pod_spec=spec, primary_container_name="primary", annotations={"a": "b"}))
    def t(x: int) -> int:
        return x

    pod = t.get_k8s_pod(settings)
    containers = _containers(pod)
    assert list(containers) == ["helper", "primary"]
    assert containers["primary"]["image"] == "ghcr.io/example/img:v1"
    assert containers["primary"]["args"][0] == "pyflyte-execute"
    assert dict(pod.metadata.annotations) == {"a": "b"}
    assert [c.name for c in spec.containers] == ["helper"], "the user's pod spec is left as it was"


def test_task_image_env_and_resources_replace_the_primary_containers_own(pod_plugin, settings) -> None:
    primary = V1Container(
        name="primary",
        image="their/image:1",
        command=["sleep"],
        env=[V1EnvVar(name="OLD", value="1")],
        resources=V1ResourceRequirements(limits={"cpu": "4"}),
    )
    spec = V1PodSpec(containers=[primary], volumes=[V1Volume(name="scratch")])
    with pytest.warns(UserWarning, match="replace all resources of the pod spec's primary container 'primary'"):

        @task(
            task_config=Pod(pod_spec=spec, primary_container_name="primary"),
            environment={"NEW": "2"},
            requests=Resources(cpu="1", mem="1Gi"),
        )
        def t(x: int) -> int:
            return x

    container = _containers(t.get_k8s_pod(settings))["primary"]
    assert container["image"] == "ghcr.io/example/img:v1"
    assert container["command"] == []
    assert container["env"] == [{"name": "NEW", "value": "2"}]
    assert container["resources"] == {"limits": {}, "requests": {"cpu": "1", "memory": "1Gi"}}


def test_the_pod_specs_resources_stay_when_the_task_sets_none(pod_plugin, settings) -> None:
    primary = V1Container(name="primary", resources=V1ResourceRequirements(requests={"cpu": "500m"}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")

        @task(task_config=Pod(pod_spec=V1PodSpec(containers=[primary]), primary_container_name="primary"))
        def t(x: int) -> int:
            return x

    assert _containers(t.get_k8s_pod(settings))["primary"]["resources"] == {"requests": {"cpu": "500m"}}

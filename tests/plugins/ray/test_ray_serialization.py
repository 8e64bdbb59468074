"""Ray tasks serialize as flytekitplugins-ray 1.16 serialized them: task type 'ray', a RayJob in ``custom``."""

from __future__ import annotations

import base64
import json
import pathlib
from typing import Any

import pytest
from flyte_plugin_ray import AutoscalerOptionsConfig, HeadNodeConfig, RayFunctionTask, RayJobConfig, WorkerNodeConfig
from kubernetes.client import V1Container, V1PodSpec, V1Toleration

from flyte_core import PodTemplate, Resources, task
from tests.compat.goldens import assert_api_serialize_matches, assert_pyflyte_serialize_matches, ported_project

# What flytekitplugins-ray 1.16.31 wrote as ``custom`` for each config of CASES (made with flytekit installed).
FLYTEKIT_CUSTOM = json.loads((pathlib.Path(__file__).parent / "flytekit_custom.json").read_text())


@pytest.fixture(scope="module")
def source_root(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return ported_project(tmp_path_factory.mktemp("ray-serialize"))


def test_pyflyte_serialize_writes_what_flytekitplugins_ray_wrote(source_root: pathlib.Path, tmp_path) -> None:
    assert_pyflyte_serialize_matches("ray_task", source_root, tmp_path)


def test_the_api_with_fixed_settings_writes_what_flytekitplugins_ray_wrote(source_root: pathlib.Path, tmp_path) -> None:
    assert_api_serialize_matches(["ray_task"], source_root, tmp_path)


CASES: dict[str, Any] = {
    "minimal": lambda: RayJobConfig(worker_node_config=[WorkerNodeConfig("g", 1)]),
    "clamped": lambda: RayJobConfig(
        worker_node_config=[
            WorkerNodeConfig("g", 3, min_replicas=5, max_replicas=2, ray_start_params={"a": "b"}),
            WorkerNodeConfig("h", 0),
        ],
        head_node_config=HeadNodeConfig(),
    ),
    "resources": lambda: RayJobConfig(
        worker_node_config=[
            WorkerNodeConfig("g", 1, requests=Resources(cpu="2", mem="4Gi"), limits=Resources(gpu="1"))
        ],
        head_node_config=HeadNodeConfig(limits=Resources(cpu="1", ephemeral_storage="1Gi")),
    ),
    "requests_only": lambda: RayJobConfig(worker_node_config=[WorkerNodeConfig("g", 1, requests=Resources(cpu="2"))]),
    "pod_template": lambda: RayJobConfig(
        worker_node_config=[
            WorkerNodeConfig(
                "g",
                1,
                pod_template=PodTemplate(
                    pod_spec=V1PodSpec(
                        containers=[V1Container(name="ray-worker", image="x")],
                        tolerations=[V1Toleration(key="k", value="v")],
                    ),
                    labels={"l": "1"},
                ),
            )
        ],
        head_node_config=HeadNodeConfig(
            pod_template=PodTemplate(primary_container_name="ray-head", annotations={"a": "b"})
        ),
    ),
    "autoscaler": lambda: RayJobConfig(
        worker_node_config=[WorkerNodeConfig("g", 1)],
        enable_autoscaling=True,
        autoscaler_options=AutoscalerOptionsConfig(
            upscaling_mode=AutoscalerOptionsConfig.UpscalingMode.AGGRESSIVE,
            idle_timeout_seconds=30,
            env={"A": "1"},
            image="img",
            requests=Resources(cpu="1", mem="1Gi"),
            limits=Resources(mem="2Gi", cpu="2"),
        ),
    ),
    "autoscaler_empty": lambda: RayJobConfig(
        worker_node_config=[WorkerNodeConfig("g", 1)], autoscaler_options=AutoscalerOptionsConfig()
    ),
    "runtime_env": lambda: RayJobConfig(
        worker_node_config=[],
        runtime_env={"env_vars": {"B": "x", "A": "é"}, "pip": ["a", "b"], "working_dir": "."},
        ttl_seconds_after_finished=0,
        address="ray://x:1",
    ),
    "empty_env": lambda: RayJobConfig(worker_node_config=[WorkerNodeConfig("g", 1)], runtime_env={}),
}


def test_every_case_has_flytekits_custom() -> None:
    assert sorted(CASES) == sorted(FLYTEKIT_CUSTOM)


@pytest.mark.parametrize("case", sorted(CASES))
def test_custom_is_the_ray_job_flytekitplugins_ray_writes(case: str, ray_plugin, settings) -> None:
    @task(task_config=CASES[case]())
    def t(x: int) -> int:
        return x

    assert isinstance(t, RayFunctionTask)
    assert t.task_type == "ray"
    assert t.get_custom(settings) == FLYTEKIT_CUSTOM[case]


def test_a_ray_task_keeps_its_container_and_resources(ray_plugin, settings) -> None:
    @task(task_config=RayJobConfig(worker_node_config=[]), requests=Resources(cpu="1"), environment={"E": "1"})
    def t(x: int) -> int:
        return x

    container = t.get_container(settings)
    assert container.args[0] == "pyflyte-execute"
    assert "task-name" in container.args
    assert [(e.key, e.value) for e in container.env] == [("E", "1")]
    assert [r.value for r in container.resources.requests] == ["1"]


def test_the_runtime_env_is_sent_as_base64_json_and_as_yaml(ray_plugin, settings) -> None:
    runtime_env = {"pip": ["numpy==1.26.4"], "env_vars": {"K": "v"}}

    @task(task_config=RayJobConfig(worker_node_config=[], runtime_env=runtime_env))
    def t() -> None: ...

    custom = t.get_custom(settings)
    assert json.loads(base64.b64decode(custom["runtimeEnv"])) == runtime_env
    assert custom["runtimeEnvYaml"] == "env_vars:\n  K: v\npip:\n- numpy==1.26.4\n"


def test_cluster_lifetime_settings_are_sent(ray_plugin, settings) -> None:
    config = RayJobConfig(worker_node_config=[], shutdown_after_job_finishes=True, ttl_seconds_after_finished=60)

    @task(task_config=config)
    def t() -> None: ...

    custom = t.get_custom(settings)
    assert (custom["shutdownAfterJobFinishes"], custom["ttlSecondsAfterFinished"]) == (True, 60)

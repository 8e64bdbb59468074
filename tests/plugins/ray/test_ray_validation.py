"""Mistakes in a Ray task's config are refused when the task is decorated, saying what was expected."""

from __future__ import annotations

from typing import Any

import pytest
from flyte_plugin_ray import HeadNodeConfig, RayFunctionTask, RayJobConfig, WorkerNodeConfig

from flyte_core import PodTemplate, Resources, task
from flyte_core.exceptions.user import FlyteValidationException


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: RayJobConfig(worker_node_config=WorkerNodeConfig("g", 1)), "must be a list of WorkerNodeConfig"),
        (lambda: RayJobConfig(worker_node_config=[{"group_name": "g"}]), "must be a list of WorkerNodeConfig"),
        (
            lambda: RayJobConfig(worker_node_config=[WorkerNodeConfig("g", 1), WorkerNodeConfig("g", 2)]),
            "distinct names; repeated: ['g']",
        ),
        (lambda: WorkerNodeConfig("g", -1), "replicas must be a whole number >= 0, got -1"),
        (lambda: WorkerNodeConfig("g", 1, max_replicas="4"), "max_replicas must be a whole number >= 0"),
        (lambda: WorkerNodeConfig("", 1), "group_name must be a non-empty string"),
        (lambda: HeadNodeConfig(ray_start_params={"num-cpus": 1}), "ray_start_params must be a dict of strings"),
        (lambda: HeadNodeConfig(requests={"cpu": "1"}), "requests must be Resources(cpu=..., mem=...)"),
        (
            lambda: WorkerNodeConfig(
                "g", 1, pod_template=PodTemplate(), requests=Resources(cpu="1"), limits=Resources(cpu="1")
            ),
            "either pod_template or requests/limits",
        ),
        (lambda: RayJobConfig(worker_node_config=[], runtime_env=["pip"]), "runtime_env must be a dict"),
        (lambda: RayJobConfig(worker_node_config=[], runtime_env={"x": object()}), "JSON-serializable"),
        (lambda: RayJobConfig(worker_node_config=[], ttl_seconds_after_finished=-5), "seconds >= 0, got -5"),
        (lambda: RayJobConfig(worker_node_config=[], head_node_config={}), "must be a HeadNodeConfig"),
    ],
)
def test_a_bad_config_is_refused_saying_what_was_expected(make: Any, message: str) -> None:
    with pytest.raises(FlyteValidationException) as refused:
        make()
    assert message in str(refused.value)


def test_a_pod_template_given_with_requests_is_not_used_and_a_warning_says_so() -> None:
    with pytest.warns(UserWarning, match="pod_template is not used"):
        HeadNodeConfig(pod_template=PodTemplate(), requests=Resources(cpu="1"))


def test_flytekits_positional_arguments_keep_their_meaning() -> None:
    worker = WorkerNodeConfig("g", 2, 1, 4, {"a": "b"})
    assert (worker.group_name, worker.replicas, worker.min_replicas, worker.max_replicas) == ("g", 2, 1, 4)
    config = RayJobConfig([worker], HeadNodeConfig({"log-color": "True"}), True)
    assert config.enable_autoscaling is True
    assert config.head_node_config is not None and config.head_node_config.ray_start_params == {"log-color": "True"}


def test_a_ray_function_task_needs_a_ray_job_config() -> None:
    with pytest.raises(FlyteValidationException, match="needs task_config=RayJobConfig"):
        RayFunctionTask(task_config=object(), task_function=lambda: None)  # type: ignore[arg-type]


def test_a_node_with_tuple_resources_is_refused_when_serialized(ray_plugin, settings) -> None:
    @task(task_config=RayJobConfig(worker_node_config=[WorkerNodeConfig("g", 1, requests=Resources(cpu=("1", "2")))]))
    def t() -> None: ...

    with pytest.raises(FlyteValidationException, match="single values, not"):
        t.get_custom(settings)

"""Ray tasks the plugin's tests run locally, through pyflyte-execute and on the sandbox."""

import os

import ray
from flyte_plugin_ray import RayJobConfig, WorkerNodeConfig

from flyte_core import task, workflow

WORKERS = [WorkerNodeConfig(group_name="workers", replicas=1)]


@ray.remote
def square(x: int) -> int:
    return x * x


@ray.remote
def where(name: str) -> tuple[int, int, str]:
    """The worker's pid, its parent's pid (the raylet) and the environment variable ``name``."""
    return os.getpid(), os.getppid(), os.environ.get(name, "")


@ray.remote
def explode(n: int) -> int:
    raise ValueError(f"remote function refused n={n}")


@task(task_config=RayJobConfig(worker_node_config=WORKERS))
def sum_of_squares(n: int) -> int:
    return sum(ray.get([square.remote(i) for i in range(n)]))


@task(task_config=RayJobConfig(worker_node_config=WORKERS, runtime_env={"env_vars": {"FLYTE_RAY_TEST_VAR": "set"}}))
def remote_process(name: str) -> list[str]:
    pid, parent, value = ray.get(where.remote(name))
    return [str(os.getpid()), str(pid), str(parent), value]


@task(task_config=RayJobConfig(worker_node_config=WORKERS))
def failing(n: int) -> int:
    return ray.get(explode.remote(n))


@task(task_config=RayJobConfig(worker_node_config=WORKERS))
def cluster_address() -> str:
    """The address of the Ray cluster the task's driver is connected to."""
    return ray.get_runtime_context().gcs_address


@workflow
def squares_wf(n: int = 4) -> int:
    return sum_of_squares(n=n)

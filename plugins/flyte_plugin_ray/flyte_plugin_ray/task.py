"""``RayJobConfig`` and friends: flytekitplugins-ray's ``task_config``, and ``RayFunctionTask``, the ``ray`` task.

``@task(task_config=RayJobConfig(...))`` serializes as flytekitplugins-ray 1.16 does: task type ``ray``, the
task's usual container, and ``custom`` holding a flyteidl ``RayJob`` (the KubeRay cluster: head and worker
groups with their ``ray start`` parameters and pods, autoscaling, the job's runtime_env as base64 JSON and as
YAML, what happens to the cluster after the job).

Running the task connects a Ray driver before the function and disconnects it after (``session.py`` decides
where: the config's address, ``RAY_ADDRESS``, the head of ``pyflyte ray start``, or a new local runtime).
``ray`` is imported only then; serializing needs only flyteidl and yaml.
"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar

from flyte_core.exceptions.user import FlyteValidationException
from flyte_core.sdk.pod_template import PodTemplate
from flyte_core.sdk.python_function_task import PythonFunctionTask
from flyte_core.sdk.resources import Resources

if TYPE_CHECKING:
    from flyteidl.core import tasks_pb2
    from flyteidl.plugins import ray_pb2

    from flyte_core.config.serialization import SerializationSettings
    from flyte_core.context import ExecutionParameters, FlyteContext
    from flyte_plugin_ray.session import RaySession

__all__ = ["AutoscalerOptionsConfig", "HeadNodeConfig", "RayFunctionTask", "RayJobConfig", "WorkerNodeConfig"]

TASK_TYPE = "ray"
# The container names KubeRay's pods get, used when a node config gives requests/limits instead of a pod template.
_HEAD_CONTAINER = "ray-head"
_WORKER_CONTAINER = "ray-worker"


def _check_pod(owner: str, pod_template: PodTemplate | None, requests: Any, limits: Any) -> None:
    if pod_template is not None and not isinstance(pod_template, PodTemplate):
        raise FlyteValidationException(
            f"{owner} pod_template must be a PodTemplate(pod_spec=...), got {type(pod_template).__name__}"
        )
    for name, value in (("requests", requests), ("limits", limits)):
        if value is not None and not isinstance(value, Resources):
            raise FlyteValidationException(
                f"{owner} {name} must be Resources(cpu=..., mem=...), got {type(value).__name__} {value!r:.60}"
            )
    if pod_template is not None and requests is not None and limits is not None:
        raise FlyteValidationException(
            f"{owner}: give either pod_template or requests/limits, not both (the resources become the node's pod)"
        )
    if pod_template is not None and (requests is not None or limits is not None):
        warnings.warn(
            f"{owner}: with requests or limits the node's pod is made of them and pod_template is not used "
            "(as in flytekitplugins-ray); give the resources in the pod template's container instead",
            UserWarning,
            stacklevel=4,
        )


def _check_params(owner: str, params: Any) -> None:
    if params is not None and not (
        isinstance(params, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
    ):
        raise FlyteValidationException(
            f"{owner} ray_start_params must be a dict of strings to strings (as 'ray start --KEY=VALUE'), "
            f"got {params!r:.80}"
        )


@dataclass
class HeadNodeConfig:
    """The Ray head: ``ray start`` parameters and its pod (a pod template, or just requests/limits)."""

    ray_start_params: dict[str, str] | None = None
    pod_template: PodTemplate | None = None
    requests: Resources | None = None
    limits: Resources | None = None

    def __post_init__(self) -> None:
        _check_params("HeadNodeConfig", self.ray_start_params)
        _check_pod("HeadNodeConfig", self.pod_template, self.requests, self.limits)


@dataclass
class WorkerNodeConfig:
    """A group of Ray workers: its size (``min_replicas <= replicas <= max_replicas``), parameters and pod."""

    group_name: str
    replicas: int
    min_replicas: int | None = None
    max_replicas: int | None = None
    ray_start_params: dict[str, str] | None = None
    pod_template: PodTemplate | None = None
    requests: Resources | None = None
    limits: Resources | None = None

    def __post_init__(self) -> None:
        owner = f"WorkerNodeConfig {self.group_name!r}"
        if not isinstance(self.group_name, str) or not self.group_name:
            raise FlyteValidationException(
                f"WorkerNodeConfig group_name must be a non-empty string, got {self.group_name!r}"
            )
        for name in ("replicas", "min_replicas", "max_replicas"):
            value = getattr(self, name)
            if value is None and name != "replicas":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise FlyteValidationException(f"{owner} {name} must be a whole number >= 0, got {value!r}")
        _check_params(owner, self.ray_start_params)
        _check_pod(owner, self.pod_template, self.requests, self.limits)


class UpscalingMode:
    """flyteidl's ``AutoscalerOptions.UpscalingMode`` values, by name."""

    UNSPECIFIED = 0
    DEFAULT = 1
    AGGRESSIVE = 2
    CONSERVATIVE = 3


@dataclass
class AutoscalerOptionsConfig:
    """The Ray autoscaler's options on KubeRay (used with ``RayJobConfig(enable_autoscaling=True)``)."""

    UpscalingMode: ClassVar[type[UpscalingMode]]  # set below: AutoscalerOptionsConfig.UpscalingMode.AGGRESSIVE...

    upscaling_mode: int | None = None
    idle_timeout_seconds: int | None = None
    env: dict[str, str] | None = None
    image: str | None = None
    requests: Resources | None = None
    limits: Resources | None = None


AutoscalerOptionsConfig.UpscalingMode = UpscalingMode


@dataclass
class RayJobConfig:
    """A Ray task's cluster (head and worker groups) and job (runtime_env, address, clean-up)."""

    worker_node_config: list[WorkerNodeConfig]
    head_node_config: HeadNodeConfig | None = None
    enable_autoscaling: bool = False
    autoscaler_options: AutoscalerOptionsConfig | None = None
    runtime_env: dict[str, Any] | None = None
    address: str | None = None
    shutdown_after_job_finishes: bool = False
    ttl_seconds_after_finished: int | None = None

    def __post_init__(self) -> None:
        workers = self.worker_node_config
        if not isinstance(workers, list | tuple) or not all(isinstance(w, WorkerNodeConfig) for w in workers):
            raise FlyteValidationException(
                "RayJobConfig worker_node_config must be a list of WorkerNodeConfig(group_name=..., replicas=...), "
                f"got {workers!r:.80}"
            )
        names = [w.group_name for w in workers]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise FlyteValidationException(
                f"RayJobConfig worker groups must have distinct names; repeated: {duplicates}"
            )
        if self.head_node_config is not None and not isinstance(self.head_node_config, HeadNodeConfig):
            raise FlyteValidationException(
                f"RayJobConfig head_node_config must be a HeadNodeConfig, got {type(self.head_node_config).__name__}"
            )
        if self.autoscaler_options is not None and not isinstance(self.autoscaler_options, AutoscalerOptionsConfig):
            raise FlyteValidationException(
                "RayJobConfig autoscaler_options must be an AutoscalerOptionsConfig, "
                f"got {type(self.autoscaler_options).__name__}"
            )
        if self.runtime_env is not None:
            if not isinstance(self.runtime_env, dict):
                raise FlyteValidationException(
                    "RayJobConfig runtime_env must be a dict such as {'pip': [...], 'env_vars': {...}}, "
                    f"got {type(self.runtime_env).__name__} {self.runtime_env!r:.80}"
                )
            try:
                json.dumps(self.runtime_env)
            except (TypeError, ValueError) as exc:
                raise FlyteValidationException(f"RayJobConfig runtime_env must be JSON-serializable: {exc}") from exc
        if self.address is not None and not isinstance(self.address, str):
            raise FlyteValidationException(
                f"RayJobConfig address must be a string such as 'ray://host:10001', got {self.address!r:.80}"
            )
        ttl = self.ttl_seconds_after_finished
        if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0):
            raise FlyteValidationException(f"RayJobConfig ttl_seconds_after_finished must be seconds >= 0, got {ttl!r}")


class RayFunctionTask(PythonFunctionTask[RayJobConfig]):
    """The task ``@task(task_config=RayJobConfig(...))`` builds: a ``ray`` task whose function is a Ray driver."""

    def __init__(self, task_config: RayJobConfig, task_function: Callable[..., Any], **kwargs: Any) -> None:
        if not isinstance(task_config, RayJobConfig):
            raise FlyteValidationException(
                f"RayFunctionTask needs task_config=RayJobConfig(...), got {type(task_config).__name__}"
            )
        super().__init__(task_config=task_config, task_function=task_function, task_type=TASK_TYPE, **kwargs)
        self._ray_session: RaySession | None = None

    @property
    def ray_config(self) -> RayJobConfig:
        """The task's ``RayJobConfig``."""
        return self.task_config  # type: ignore[no-any-return]

    # --- running: a Ray driver around the function ------------------------------------------------------------

    def pre_execute(self, user_params: ExecutionParameters | None) -> ExecutionParameters | None:
        """Connect to Ray (see ``session.connect``) before the inputs are converted and the function runs."""
        from flyte_core.context import FlyteContextManager
        from flyte_plugin_ray.session import connect

        state = FlyteContextManager.current_context().execution_state
        local = state is None or state.is_local_execution()
        self._ray_session = connect(self.name, self.ray_config, local=local)
        return user_params

    def post_execute(self, user_params: ExecutionParameters | None, rval: Any) -> Any:
        """Disconnect from Ray (shutting a runtime this task started down); the result is returned as it is."""
        self._end_ray_session()
        return rval

    def dispatch_execute(self, ctx: FlyteContext, input_literal_map: Any) -> Any:
        """As any task; a failing function skips ``post_execute``, so the Ray session is ended here then."""
        try:
            return super().dispatch_execute(ctx, input_literal_map)
        finally:
            self._end_ray_session()

    def _end_ray_session(self) -> None:
        session, self._ray_session = self._ray_session, None
        if session is not None:
            session.close()

    # --- serializing: the KubeRay job ------------------------------------------------------------------------

    def get_custom(self, settings: SerializationSettings) -> dict[str, Any] | None:
        """The flyteidl ``RayJob`` as a JSON dict, as flytekitplugins-ray writes it."""
        from google.protobuf.json_format import MessageToDict

        return MessageToDict(ray_job(self.ray_config))


def ray_job(config: RayJobConfig) -> ray_pb2.RayJob:
    """flyteidl's ``RayJob`` for a config: what KubeRay is asked to run."""
    import yaml
    from flyteidl.plugins import ray_pb2

    job = ray_pb2.RayJob(
        shutdown_after_job_finishes=config.shutdown_after_job_finishes,
        ttl_seconds_after_finished=config.ttl_seconds_after_finished or 0,
    )
    if config.runtime_env:
        # KubeRay < 1.1 reads base64 JSON; newer ones read the YAML.
        job.runtime_env = base64.b64encode(json.dumps(config.runtime_env).encode()).decode()
        job.runtime_env_yaml = yaml.dump(config.runtime_env)
    cluster = job.ray_cluster
    cluster.enable_autoscaling = bool(config.enable_autoscaling)
    head = config.head_node_config
    if head is not None:
        cluster.head_group_spec.SetInParent()
        cluster.head_group_spec.ray_start_params.update(head.ray_start_params or {})
        pod = _node_pod(head.pod_template, head.requests, head.limits, _HEAD_CONTAINER)
        if pod is not None:
            cluster.head_group_spec.k8s_pod.CopyFrom(pod)
    for worker in config.worker_node_config:
        replicas = worker.replicas
        group = cluster.worker_group_spec.add(
            group_name=worker.group_name,
            replicas=replicas,
            # KubeRay needs min <= replicas <= max: a bound on the wrong side of replicas becomes replicas.
            min_replicas=replicas if worker.min_replicas is None else min(replicas, worker.min_replicas),
            max_replicas=replicas if worker.max_replicas is None else max(replicas, worker.max_replicas),
        )
        group.ray_start_params.update(worker.ray_start_params or {})
        pod = _node_pod(worker.pod_template, worker.requests, worker.limits, _WORKER_CONTAINER)
        if pod is not None:
            group.k8s_pod.CopyFrom(pod)
    options = config.autoscaler_options
    if options is not None:
        autoscaler = cluster.autoscaler_options
        autoscaler.SetInParent()
        autoscaler.upscaling_mode = options.upscaling_mode or 0
        autoscaler.idle_timeout_seconds = options.idle_timeout_seconds or 0
        autoscaler.image = options.image or ""
        for key, value in (options.env or {}).items():
            autoscaler.env.add(key=key, value=value)
        _add_resources(autoscaler.resources, options.requests, options.limits)
    return job


def _node_pod(
    pod_template: PodTemplate | None, requests: Resources | None, limits: Resources | None, container: str
) -> tasks_pb2.K8sPod | None:
    """A head or worker group's pod: a one-container pod of its requests/limits, else its pod template."""
    from flyte_core.idl.pod import pod_to_idl

    if requests is not None or limits is not None:
        asked = {"requests": _k8s_quantities(requests), "limits": _k8s_quantities(limits)}
        # Either side alone sets both, as a Kubernetes container with only one of them behaves.
        resources = {"requests": asked["requests"] or asked["limits"], "limits": asked["limits"] or asked["requests"]}
        spec = {"containers": [{"name": container, "resources": resources}]}
        return pod_to_idl(spec, primary_container_name=PodTemplate.primary_container_name)
    if pod_template is None:
        return None
    return pod_to_idl(
        _pod_spec_json(pod_template.pod_spec),
        labels=pod_template.labels,
        annotations=pod_template.annotations,
        primary_container_name=pod_template.primary_container_name,
    )


def _pod_spec_json(pod_spec: Any) -> dict[str, Any]:
    if pod_spec is None:
        return {}
    if isinstance(pod_spec, dict):
        return dict(json.loads(json.dumps(pod_spec)))
    from kubernetes.client import ApiClient

    return dict(ApiClient().sanitize_for_serialization(pod_spec))  # type: ignore[no-untyped-call]


_K8S_NAMES = {"cpu": "cpu", "mem": "memory", "gpu": "nvidia.com/gpu", "ephemeral_storage": "ephemeral-storage"}


def _k8s_quantities(resources: Resources | None) -> dict[str, Any]:
    """``Resources(cpu="1", mem="2Gi")`` -> ``{"cpu": "1", "memory": "2Gi"}`` (a container's requests or limits)."""
    if resources is None:
        return {}
    quantities = {}
    for resource in fields(resources):
        value = getattr(resources, resource.name)
        if isinstance(value, list | tuple):
            raise FlyteValidationException(
                f"{resources}: a Ray node's requests and limits take single values, not (request, limit) pairs"
            )
        if value is not None:
            quantities[_K8S_NAMES[resource.name]] = value
    return quantities


def _add_resources(target: tasks_pb2.Resources, requests: Resources | None, limits: Resources | None) -> None:
    """flyteidl ``Resources`` entries in the order flytekitplugins-ray writes them (cpu, memory, gpu, storage)."""
    from flyte_core.idl.container import OVERRIDE_RESOURCE_FIELDS

    target.SetInParent()
    for side, entries in ((requests, target.requests), (limits, target.limits)):
        if side is None:
            continue
        for attr, name in OVERRIDE_RESOURCE_FIELDS:
            value = getattr(side, attr)
            if isinstance(value, list | tuple):
                raise FlyteValidationException(
                    f"{side}: the autoscaler's requests and limits take single values, not (request, limit) pairs"
                )
            if value is not None:
                entries.add(name=name, value=str(value))

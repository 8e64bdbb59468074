"""``Spark``: flytekitplugins-spark's ``task_config``, and ``PysparkFunctionTask``, the ``spark`` task it makes.

``@task(task_config=Spark(spark_conf=..., hadoop_conf=...))`` serializes as flytekitplugins-spark 1.16 does: task
type ``spark``, the task's container as usual, and ``custom`` holding a flyteidl ``SparkJob`` (the Spark and
Hadoop configuration, the Python interpreter of the executors, the driver's main application file and the
driver/executor pod templates) for the Spark operator. ``DatabricksV2`` (task type ``databricks``) and the
deprecated ``Databricks`` add ``databricksConf`` / ``databricksInstance``.

Locally (and in a container not started by ``spark-submit``, such as the sandbox's) the function runs with a
``local[*]`` SparkSession built from the task's configuration; ``current_context().spark_session`` is that
session. ``pyspark`` is imported only when a Spark task executes.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flyte_core.exceptions.user import FlyteValidationException
from flyte_core.loggers import logger
from flyte_core.sdk.pod_template import PRIMARY_CONTAINER_DEFAULT_NAME, PodTemplate
from flyte_core.sdk.python_function_task import PythonFunctionTask

if TYPE_CHECKING:
    from flyteidl.core import tasks_pb2

    from flyte_core.config.serialization import SerializationSettings
    from flyte_core.context import ExecutionParameters, FlyteContext

__all__ = ["Databricks", "DatabricksV2", "PysparkFunctionTask", "Spark"]

SPARK_TASK_TYPE = "spark"
DATABRICKS_TASK_TYPE = "databricks"

# What flytekitplugins-spark gives an ImageSpec without a base image: its Spark image, whose interpreter and
# entrypoint script are at these paths.
_SPARK_BASE_IMAGE = "cr.flyte.org/flyteorg/flytekit:spark-{suffix}"
_SPARK_IMAGE_PYTHON = "/usr/bin/python3"
_SPARK_IMAGE_ENTRYPOINT = "local:///usr/local/bin/entrypoint.py"

_CONF_KEY = re.compile(r"^\S+$")


@dataclass
class Spark:
    """The Spark job of a task: Spark and Hadoop configuration, interpreter, main file, driver and executor pods.

    Args:
        spark_conf: Spark properties (``{"spark.executor.instances": "2"}``), for the cluster and the local session.
        hadoop_conf: Hadoop properties (``{"fs.s3a.impl": ...}``); a local session gets them as ``spark.hadoop.*``.
        executor_path: the Python interpreter of the driver and executors (default: the task's interpreter).
        applications_path: the driver's main application file (default: ``local://<venv>/bin/entrypoint.py``).
        driver_pod: a ``PodTemplate`` for the driver pod.
        executor_pod: a ``PodTemplate`` for the executor pods.
    """

    spark_conf: dict[str, str] | None = None
    hadoop_conf: dict[str, str] | None = None
    executor_path: str | None = None
    applications_path: str | None = None
    driver_pod: PodTemplate | None = None
    executor_pod: PodTemplate | None = None

    def __post_init__(self) -> None:
        for name in ("spark_conf", "hadoop_conf"):
            value = getattr(self, name)
            if value is None:
                setattr(self, name, {})
                continue
            if not isinstance(value, dict):
                raise FlyteValidationException(
                    f"Spark {name} must be a dict of property names to values, got {type(value).__name__} {value!r:.80}"
                )
            for key in value:
                if not isinstance(key, str) or not _CONF_KEY.match(key):
                    raise FlyteValidationException(
                        f"Spark {name} key {key!r} is not a property name (a string without spaces, "
                        "e.g. 'spark.executor.instances')"
                    )
        for name in ("driver_pod", "executor_pod"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, PodTemplate):
                raise FlyteValidationException(
                    f"Spark {name} must be a PodTemplate(pod_spec=V1PodSpec(...)), got {type(value).__name__} "
                    f"{value!r:.80}"
                )
        for name in ("executor_path", "applications_path"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise FlyteValidationException(f"Spark {name} must be a non-empty path, got {value!r}")


@dataclass
class DatabricksV2(Spark):
    """A Spark job run on Databricks (task type ``databricks``): ``databricks_conf`` is a Jobs API 2.1 request.

    Args:
        databricks_conf: the Databricks job configuration (``new_cluster``, ``existing_cluster_id``...).
        databricks_instance: the workspace's domain, ``<account>.cloud.databricks.com``.
    """

    databricks_conf: dict[str, Any] | None = None
    databricks_instance: str | None = None


@dataclass
class Databricks(DatabricksV2):
    """Deprecated (flytekitplugins-spark): a ``spark`` task with Databricks settings; use ``DatabricksV2``."""

    def __post_init__(self) -> None:
        super().__post_init__()
        logger.warning("Databricks is deprecated: use DatabricksV2 (task type 'databricks') instead.")


def properties_as_strings(name: str, conf: dict[str, Any]) -> dict[str, str]:
    """Spark/Hadoop properties as strings (flyteidl's maps are ``string -> string``)."""
    result = {}
    for key, value in conf.items():
        if isinstance(value, bool):
            value = str(value).lower()
        elif not isinstance(value, str | int | float):
            raise FlyteValidationException(
                f"Spark {name}[{key!r}] must be a string (or a number), got {type(value).__name__} {value!r:.80}"
            )
        result[key] = str(value)
    return result


def _pod_spec_json(pod_spec: Any) -> dict[str, Any]:
    """A pod spec as Kubernetes JSON (camelCase keys), as the Spark operator reads it."""
    if pod_spec is None:
        return {}
    if isinstance(pod_spec, dict):
        return copy.deepcopy(pod_spec)
    from kubernetes.client import ApiClient

    return dict(ApiClient().sanitize_for_serialization(pod_spec))


class PysparkFunctionTask(PythonFunctionTask[Spark]):
    """The task ``@task(task_config=Spark(...))`` builds: a ``spark`` task run by the Spark operator on a cluster."""

    def __init__(
        self, task_config: Spark, task_function: Callable[..., Any], container_image: Any = None, **kwargs: Any
    ) -> None:
        if not isinstance(task_config, Spark):
            raise FlyteValidationException(
                f"PysparkFunctionTask needs task_config=Spark(...), got {type(task_config).__name__} "
                f"{task_config!r:.80}"
            )
        self._default_executor_path = task_config.executor_path
        self._default_applications_path = task_config.applications_path
        container_image = self._with_spark_base_image(container_image)
        on_databricks = isinstance(task_config, DatabricksV2) and not isinstance(task_config, Databricks)
        task_type = DATABRICKS_TASK_TYPE if on_databricks else SPARK_TASK_TYPE
        super().__init__(
            task_config=task_config,
            task_function=task_function,
            task_type=task_type,
            container_image=container_image,
            **kwargs,
        )
        for name in ("spark_conf", "hadoop_conf"):
            try:
                properties_as_strings(name, getattr(task_config, name))
            except FlyteValidationException as exc:
                raise FlyteValidationException(f"task '{self.name}': {exc}") from None
        self._owns_session = False
        self.sess: Any = None

    def _with_spark_base_image(self, container_image: Any) -> Any:
        """An ``ImageSpec`` without a base image builds on flytekit's Spark image, as flytekitplugins-spark does."""
        from flyte_core.sdk.image_spec import ImageSpec

        if not isinstance(container_image, ImageSpec) or container_image.base_image is not None:
            return container_image
        from flyte_core.config.images import DefaultImages

        changes: dict[str, Any] = {"base_image": _SPARK_BASE_IMAGE.format(suffix=DefaultImages.get_version_suffix())}
        if container_image.builder in (None, "default"):
            changes["python_exec"] = _SPARK_IMAGE_PYTHON  # install into the Spark image's own interpreter
        self._default_executor_path = self._default_executor_path or _SPARK_IMAGE_PYTHON
        self._default_applications_path = self._default_applications_path or _SPARK_IMAGE_ENTRYPOINT
        return dataclasses.replace(container_image, **changes)

    @property
    def spark_config(self) -> Spark:
        """The task's ``Spark`` (its ``task_config``)."""
        assert self.task_config is not None
        return self.task_config

    def spark_job(self, settings: SerializationSettings) -> Any:
        """The flyteidl ``SparkJob`` the Spark operator runs for this task."""
        from flyteidl.plugins import spark_pb2

        config = self.spark_config
        job = spark_pb2.SparkJob(
            applicationType=spark_pb2.SparkApplication.PYTHON,
            mainApplicationFile=self._default_applications_path or f"local://{settings.entrypoint_settings.path}",
            executorPath=self._default_executor_path or settings.python_interpreter,
            sparkConf=properties_as_strings("spark_conf", config.spark_conf or {}),
            hadoopConf=properties_as_strings("hadoop_conf", config.hadoop_conf or {}),
        )
        job.databricksConf.SetInParent()  # flytekit always writes it, empty for Spark tasks
        if isinstance(config, DatabricksV2):
            job.databricksConf.update(config.databricks_conf or {})
            job.databricksInstance = config.databricks_instance or ""
        for field, template in (("driverPod", config.driver_pod), ("executorPod", config.executor_pod)):
            if template is not None:
                getattr(job, field).CopyFrom(self._k8s_pod(template))
        return job

    def get_custom(self, settings: SerializationSettings) -> dict[str, Any]:
        from google.protobuf import json_format

        return json_format.MessageToDict(self.spark_job(settings))

    def _k8s_pod(self, template: PodTemplate) -> tasks_pb2.K8sPod:
        """A driver/executor pod template as the Spark operator gets it: its own spec, labels and annotations."""
        from flyte_core.idl.pod import pod_to_idl

        task_primary = self.pod_template.primary_container_name if self.pod_template else PRIMARY_CONTAINER_DEFAULT_NAME
        if template.primary_container_name != task_primary:
            logger.warning(
                "task '%s': the Spark pod template's primary container name '%s' differs from the task's ('%s'); "
                "the task's is used",
                self.name,
                template.primary_container_name,
                task_primary,
            )
        return pod_to_idl(
            _pod_spec_json(template.pod_spec),
            labels=template.labels,
            annotations=template.annotations,
            primary_container_name=template.primary_container_name,
        )

    def pre_execute(self, user_params: ExecutionParameters | None) -> ExecutionParameters | None:
        """Start (or join) the task's SparkSession and make it ``current_context().spark_session``."""
        from flyte_core.context import ExecutionParameters
        from flyte_plugin_spark import session

        execution_id = getattr(user_params, "execution_id", None)
        self.sess, self._owns_session = session.start_task_session(self, execution_id)
        return ExecutionParameters.new_builder(user_params).add_attr("SPARK_SESSION", self.sess).build()

    def dispatch_execute(self, ctx: FlyteContext, input_literal_map: Any) -> Any:
        """Run the task; then stop the SparkSession it started, also when it fails.

        Not in ``post_execute``: outputs (a Spark DataFrame written as parquet) are converted after it.
        """
        try:
            return super().dispatch_execute(ctx, input_literal_map)
        finally:
            if self._owns_session and self.sess is not None:
                from flyte_plugin_spark import session

                session.stop(self.sess)
            self.sess, self._owns_session = None, False

    def execute(self, **kwargs: Any) -> Any:
        """Run the function; a failed Spark job is reported with the error the Python worker raised."""
        from flyte_plugin_spark.errors import SparkJobError, worker_error

        try:
            return super().execute(**kwargs)
        except Exception as exc:
            found = worker_error(exc)
            if found is None:
                raise
            raise SparkJobError(f"Spark job failed in task '{self.name}': {found}") from exc


PySparkFunctionTask = PysparkFunctionTask
"""The name the issue tracker and docs use; the same class as flytekitplugins-spark's ``PysparkFunctionTask``."""

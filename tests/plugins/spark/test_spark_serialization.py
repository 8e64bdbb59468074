"""Spark tasks serialize as flytekitplugins-spark 1.16 serialized them: a 'spark' task, a SparkJob in custom."""

from __future__ import annotations

import pathlib

import pytest
from flyte_plugin_spark import Databricks, DatabricksV2, PysparkFunctionTask, Spark
from kubernetes.client import V1Container, V1PodSpec, V1Toleration

from flyte_core import PodTemplate, task
from flyte_core.exceptions.user import FlyteValidationException
from tests.compat.goldens import assert_api_serialize_matches, assert_pyflyte_serialize_matches, ported_project


@pytest.fixture(scope="module")
def source_root(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return ported_project(tmp_path_factory.mktemp("spark-serialize"))


def test_pyflyte_serialize_writes_what_flytekitplugins_spark_wrote(source_root: pathlib.Path, tmp_path) -> None:
    assert_pyflyte_serialize_matches("spark_task", source_root, tmp_path)


def test_the_api_with_fixed_settings_writes_what_flytekitplugins_spark_wrote(source_root, tmp_path) -> None:
    assert_api_serialize_matches(["spark_task"], source_root, tmp_path)


def test_the_main_application_file_is_the_entrypoint_of_the_tasks_environment(spark_plugin, settings) -> None:
    @task(task_config=Spark(spark_conf={"spark.executor.instances": "2"}))
    def t(x: int) -> int:
        return x

    assert isinstance(t, PysparkFunctionTask)
    assert t.task_type == "spark"
    custom = t.get_custom(settings)
    assert custom == {
        "mainApplicationFile": "local:///opt/venv/bin/entrypoint.py",
        "executorPath": "/opt/venv/bin/python3",
        "sparkConf": {"spark.executor.instances": "2"},
        "databricksConf": {},
    }
    assert t.get_container(settings).args[0] == "pyflyte-execute"


def test_driver_and_executor_pods_are_written_as_their_templates(spark_plugin, settings) -> None:
    driver = PodTemplate(
        pod_spec=V1PodSpec(containers=[V1Container(name="primary")], tolerations=[V1Toleration(key="gpu")]),
        labels={"role": "driver"},
    )
    executor = PodTemplate(primary_container_name="primary", annotations={"a": "b"})

    @task(task_config=Spark(driver_pod=driver, executor_pod=executor, applications_path="local:///app.py"))
    def t(x: int) -> int:
        return x

    custom = t.get_custom(settings)
    assert custom["mainApplicationFile"] == "local:///app.py"
    assert custom["driverPod"]["metadata"] == {"labels": {"role": "driver"}}
    assert custom["driverPod"]["podSpec"] == {"containers": [{"name": "primary"}], "tolerations": [{"key": "gpu"}]}
    assert custom["driverPod"]["primaryContainerName"] == "primary"
    assert custom["executorPod"]["metadata"] == {"annotations": {"a": "b"}}


def test_databricks_tasks_carry_their_databricks_settings(spark_plugin, settings) -> None:
    conf = {"run_name": "r", "new_cluster": {"num_workers": 2}}

    @task(task_config=DatabricksV2(databricks_conf=conf, databricks_instance="x.cloud.databricks.com"))
    def on_databricks(x: int) -> int:
        return x

    @task(task_config=Databricks(databricks_conf=conf))
    def legacy(x: int) -> int:
        return x

    assert on_databricks.task_type == "databricks"
    custom = on_databricks.get_custom(settings)
    assert custom["databricksConf"] == {"run_name": "r", "new_cluster": {"num_workers": 2.0}}
    assert custom["databricksInstance"] == "x.cloud.databricks.com"
    assert legacy.task_type == "spark"


def test_mistakes_in_a_spark_config_are_reported_when_the_task_is_decorated(spark_plugin) -> None:
    with pytest.raises(FlyteValidationException, match="spark_conf must be a dict"):
        Spark(spark_conf=["spark.executor.instances=2"])  # type: ignore[arg-type]
    with pytest.raises(FlyteValidationException, match="key 'spark executor' is not a property name"):
        Spark(spark_conf={"spark executor": "2"})
    with pytest.raises(FlyteValidationException, match=r"driver_pod must be a PodTemplate"):
        Spark(driver_pod={"containers": []})  # type: ignore[arg-type]
    with pytest.raises(FlyteValidationException, match=r"task '.*bad': Spark spark_conf\['spark.x'\] must be a string"):

        @task(task_config=Spark(spark_conf={"spark.x": ["a"]}))  # type: ignore[dict-item]
        def bad(x: int) -> int:
            return x

    @task(task_config=Spark(spark_conf={"spark.executor.instances": 2, "spark.dynamicAllocation.enabled": True}))  # type: ignore[dict-item]
    def numbers(x: int) -> int:
        return x

    assert numbers.spark_job(_settings()).sparkConf["spark.dynamicAllocation.enabled"] == "true"


def _settings():
    from flyte_core.config.serialization import SerializationSettings

    return SerializationSettings.for_image("ghcr.io/example/img:v1", version="v1")

"""``pyflyte pod render FILE TASK`` prints the pod Flyte would run for a Pod or pod_template task."""

from __future__ import annotations

import itertools
import textwrap

import pytest
import yaml

_COUNTER = itertools.count()

_TASKS = """
import warnings

from kubernetes.client import V1Container, V1PodSpec, V1ResourceRequirements

from flyte_core import PodTemplate, Resources, task

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)
    from flyte_plugin_k8s_pod import Pod


@task(
    task_config=Pod(
        pod_spec=V1PodSpec(
            containers=[V1Container(name="helper", image="busybox:1.36")], termination_grace_period_seconds=30
        ),
        labels={"team": "ml"},
    ),
    environment={"MODE": "fast"},
    requests=Resources(cpu="1", mem="1Gi"),
)
def legacy(x: int) -> int:
    return x


@task(
    pod_template=PodTemplate(
        pod_spec=V1PodSpec(
            containers=[V1Container(name="main", resources=V1ResourceRequirements(limits={"cpu": "2"}))]
        ),
        primary_container_name="main",
        annotations={"note": "hi"},
    )
)
def templated(x: int) -> int:
    return x


@task
def plain(x: int) -> int:
    return x


not_a_task = 3
"""


@pytest.fixture
def tasks_file(tmp_path, monkeypatch) -> str:
    """A file of tasks under a fresh module name in the current directory (imported once per test)."""
    monkeypatch.chdir(tmp_path)
    name = f"pod_tasks_{next(_COUNTER)}.py"
    (tmp_path / name).write_text(textwrap.dedent(_TASKS))
    return name


def _primary(manifest: dict, name: str) -> dict:
    return next(c for c in manifest["spec"]["containers"] if c["name"] == name)


def test_render_prints_a_pod_tasks_pod_with_the_task_container_filled_in(pod_plugin, flyte_cli, tasks_file) -> None:
    result = flyte_cli.invoke(["pod", "render", tasks_file, "legacy", "--image", "ghcr.io/org/app:v2"])
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load(result.stdout)
    assert (manifest["apiVersion"], manifest["kind"]) == ("v1", "Pod")
    assert manifest["metadata"] == {"labels": {"team": "ml"}}
    assert manifest["spec"]["terminationGracePeriodSeconds"] == 30
    primary = _primary(manifest, "primary")
    assert primary["image"] == "ghcr.io/org/app:v2"
    module = tasks_file.removesuffix(".py")
    assert primary["args"][0] == "pyflyte-execute"
    assert primary["args"][-4:] == ["task-module", module, "task-name", "legacy"]
    assert primary["env"] == [{"name": "MODE", "value": "fast"}]
    assert primary["resources"] == {"limits": {}, "requests": {"cpu": "1", "memory": "1Gi"}}
    assert _primary(manifest, "helper")["image"] == "busybox:1.36"


def test_render_prints_a_pod_template_tasks_pod(pod_plugin, flyte_cli, tasks_file) -> None:
    result = flyte_cli.invoke(["pod", "render", tasks_file, "templated"])
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load(result.stdout)
    assert manifest["metadata"] == {"annotations": {"note": "hi"}}
    main = _primary(manifest, "main")
    assert main["image"], "the default image is filled in"
    assert main["resources"] == {"limits": {"cpu": "2"}}
    assert "pyflyte-execute" in main["args"]


def test_render_a_task_without_a_pod_says_how_to_give_it_one(pod_plugin, flyte_cli, tasks_file) -> None:
    result = flyte_cli.invoke(["pod", "render", tasks_file, "plain"])
    assert result.exit_code == 1
    assert "task 'plain'" in result.output and "has no pod" in result.output
    assert "pod_template=PodTemplate" in result.output
    assert "Traceback" not in result.output


def test_render_an_unknown_task_lists_the_tasks_in_the_file(pod_plugin, flyte_cli, tasks_file) -> None:
    result = flyte_cli.invoke(["pod", "render", tasks_file, "nope"])
    assert result.exit_code == 1
    assert "'nope' is not defined" in result.output
    assert "tasks there: legacy, plain, templated" in result.output
    result = flyte_cli.invoke(["pod", "render", tasks_file, "not_a_task"])
    assert "'not_a_task' is not a task" in result.output


def test_render_a_missing_file_names_it(pod_plugin, flyte_cli, tmp_path) -> None:
    result = flyte_cli.invoke(["pod", "render", str(tmp_path / "missing.py"), "t"])
    assert result.exit_code == 1
    assert "missing.py' does not exist" in result.output
    assert "Traceback" not in result.output

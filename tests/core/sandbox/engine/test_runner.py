"""The pieces of a task attempt: template variables, the image's environment, the pod's primary container, names."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from flyteidl.core import literals_pb2, tasks_pb2
from google.protobuf import struct_pb2

from flyte_core.sandbox.engine import naming, runner
from flyte_core.sandbox.engine.host import EngineSettings

PATHS = runner.AttemptPaths(
    input="file:///b/n0/data/inputs.pb",
    input_prefix="file:///b/n0/data",
    output_prefix="file:///b/n0/data/1",
    raw_output_prefix="file:///r/n0/1",
    checkpoint_prefix="file:///r/n0/1/_flytecheckpoints",
    previous_checkpoint_prefix="",
    per_retry_key="e1_n0_1",
    namespace="p-d",
)


def test_template_variables_are_rendered_case_insensitively_in_both_forms() -> None:
    args = [
        "--inputs",
        "{{.input}}",
        "--output-prefix",
        "{{ .OutputPrefix }}",
        "{{$rawOutputDataPrefix}}",
        "x{{.InputPrefix}}",
    ]
    assert runner.render(args, PATHS) == [
        "--inputs",
        "file:///b/n0/data/inputs.pb",
        "--output-prefix",
        "file:///b/n0/data/1",
        "file:///r/n0/1",
        "xfile:///b/n0/data",
    ]


def test_the_previous_checkpoint_is_an_empty_quoted_string_on_the_first_attempt() -> None:
    rendered = runner.render(
        ["{{.prevCheckpointPrefix}}", "{{.checkpointOutputPrefix}}", "{{.PerRetryUniqueKey}}"], PATHS
    )
    assert rendered == ['""', "file:///r/n0/1/_flytecheckpoints", "e1_n0_1"]


def test_unknown_templates_are_left_alone_and_input_values_are_rendered() -> None:
    inputs = literals_pb2.LiteralMap()
    inputs.literals["n"].scalar.primitive.integer = 3
    inputs.literals["flag"].scalar.primitive.boolean = True
    assert runner.render(["{{ .remote_package_path }}", "{{.Inputs.n}}-{{.inputs.flag}}"], PATHS, inputs) == [
        "{{ .remote_package_path }}",
        "3-true",
    ]
    with pytest.raises(runner.TemplateError, match="no input 'missing'"):
        runner.render(["{{.Inputs.missing}}"], PATHS, inputs)


def _settings(**kwargs: object) -> EngineSettings:
    return EngineSettings(max_parallel_tasks=1, log_dir=Path("/tmp/logs"), **kwargs)  # type: ignore[arg-type]


def test_an_image_maps_to_its_environment_by_full_name_then_by_repository() -> None:
    settings = _settings(image_environments={"repo/img:v2": "/envs/v2", "repo/img": "/envs/any", "reg:5000/x": "/x"})
    assert runner.python_prefix("repo/img:v2", settings) == "/envs/v2"
    assert runner.python_prefix("repo/img:v1", settings) == "/envs/any"
    assert runner.python_prefix("reg:5000/x:latest", settings) == "/x"
    assert runner.python_prefix("other:v1", settings) == sys.prefix
    assert runner.python_prefix("other:v1", _settings(default_environment="/envs/default")) == "/envs/default"


def test_the_command_is_found_in_the_environments_bin(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    script = tmp_path / "bin" / "pyflyte-execute"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    assert runner.resolve_executable(["pyflyte-execute", "--x"], str(tmp_path)) == [str(script), "--x"]
    assert runner.resolve_executable(["no-such-command-anywhere"], str(tmp_path)) is None


def test_a_pod_task_runs_its_primary_containers_command() -> None:
    pod_spec = struct_pb2.Struct()
    pod_spec.update(
        {
            "containers": [
                {"name": "sidecar", "args": ["sleep", "1"]},
                {
                    "name": "main",
                    "image": "img:v1",
                    "args": ["pyflyte-execute", "--inputs", "{{.input}}"],
                    "env": [{"name": "A", "value": "1"}],
                },
            ]
        }
    )
    template = tasks_pb2.TaskTemplate(
        k8s_pod=tasks_pb2.K8sPod(pod_spec=pod_spec), config={"primary_container_name": "main"}
    )
    container = runner.task_container(template)
    assert container.argv == ["pyflyte-execute", "--inputs", "{{.input}}"]
    assert container.env == [("A", "1")]
    assert container.image == "img:v1"
    template.config["primary_container_name"] = "missing"
    with pytest.raises(runner.TaskNotRunnable, match="no primary container 'missing'"):
        runner.task_container(template)


def test_nested_node_ids_are_propellers_lineage_ids_hashed_past_20_bytes() -> None:
    assert naming.unique_node_id("n0") == "n0"
    assert naming.unique_node_id("n1", "n0", 0) == "n0-0-n1"
    long_id = naming.unique_node_id("start-node", "n0-0-n12", 3)
    assert long_id == naming.fixed_length_unique_id_for_parts(20, "n0-0-n12", "3", "start-node")
    assert long_id.startswith("f") and len(long_id) == 8
    assert naming.unique_node_id("a-very-long-node-id-indeed") != "a-very-long-node-id-indeed"
    assert naming.per_retry_unique_key("e1", "n0", 2) == "e1_n0_2"


def test_absolute_code_directories_stay_inside_the_attempts_directory() -> None:
    argv = ["pyflyte-fast-execute", "--additional-distribution", "/b/fast1.tar.gz", "--dest-dir", "/root", "--",
            "pyflyte-execute", "--dynamic-dest-dir", "/opt/code", "--resolver", "r"]  # fmt: skip
    confined = runner.confine_dest_dirs(argv, "/work/flyte-task-1")
    assert confined[4] == "/work/flyte-task-1/root"
    assert confined[8] == "/work/flyte-task-1/opt/code"
    assert runner.confine_dest_dirs(["x", "--dest-dir", "."], "/w") == ["x", "--dest-dir", "."]


def test_a_task_talks_to_this_sandbox_whatever_the_sandbox_was_started_with(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE", "/elsewhere/config.yaml")  # pyflyte -c X sandbox start
    monkeypatch.setenv("FLYTE_PLATFORM_URL", "flyte.example.com:443")
    monkeypatch.setenv("KEEP_ME", "yes")
    env = runner.task_environment(
        prefix=sys.prefix,
        container_env=[],
        execution_env=[],
        extra_env={"FLYTECTL_CONFIG": "/sandbox/config.yaml"},
        internal={},
    )
    assert "_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE" not in env and "FLYTE_PLATFORM_URL" not in env
    assert env["FLYTECTL_CONFIG"] == "/sandbox/config.yaml" and env["KEEP_ME"] == "yes"

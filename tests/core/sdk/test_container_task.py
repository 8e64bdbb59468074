"""ContainerTask: raw-container tasks, their serialization data and local runs through Docker.

There is no container engine here: local runs are checked against a stand-in ``docker`` module whose
"containers" run the command as a local process with the bound paths mapped (the Docker SDK calls and
their arguments are what flytekit makes).
"""

from __future__ import annotations

import datetime
import pathlib
import subprocess
import sys
import types
from typing import Any

import pytest

from flyte_core import ContainerTask, Resources, Secret, kwtypes, workflow
from flyte_core.types.file import FlyteFile


def _multiply() -> ContainerTask:
    return ContainerTask(
        name="multiply",
        image="alpine:3.19",
        input_data_dir="/var/inputs",
        output_data_dir="/var/outputs",
        inputs=kwtypes(a=int, b=int),
        outputs=kwtypes(product=int, first=str, positive=bool, took=datetime.timedelta),
        command=[
            "sh",
            "-c",
            'expr "$1" \\* "$2" > /var/outputs/product; printf %s "$1" > /var/outputs/first; '
            "printf false > /var/outputs/positive; printf 0:01:30 > /var/outputs/took",
            "sh",
            "{{.inputs.a}}",
            "{{.inputs.b}}",
        ],
    )


class _LocalEngine:
    """A stand-in Docker client: runs the command on this machine with bind targets replaced by host paths."""

    def __init__(self) -> None:
        self.runs: list[dict[str, Any]] = []
        self.pulled: list[str] = []
        self.images = types.SimpleNamespace(list=lambda filters: [], pull=self.pulled.append)
        self.containers = types.SimpleNamespace(run=self._run)

    def _run(self, image: str, command: list[str], remove: bool, volumes: dict[str, Any], detach: bool) -> Any:
        self.runs.append({"image": image, "command": list(command), "volumes": dict(volumes)})
        mapped = []
        for word in command:
            for host, bind in volumes.items():
                word = word.replace(bind["bind"], host)
            mapped.append(word)
        result = subprocess.run(mapped, capture_output=True, text=True, check=False)
        return types.SimpleNamespace(wait=lambda: {"StatusCode": result.returncode}, logs=lambda stream: [])


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> _LocalEngine:
    client = _LocalEngine()

    class DockerException(Exception):
        pass

    module = types.ModuleType("docker")
    module.from_env = lambda: client  # type: ignore[attr-defined]
    module.errors = types.SimpleNamespace(DockerException=DockerException)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "docker", module)
    return client


def test_container_task_is_a_raw_container_task_with_its_interface() -> None:
    task = _multiply()
    assert task.task_type == "raw-container"
    assert task.name == "multiply"
    assert task.python_interface.inputs == {"a": int, "b": int}
    assert list(task.python_interface.outputs) == ["product", "first", "positive", "took"]
    assert task.image == "alpine:3.19"


def test_data_loading_config_names_the_exchange_directories() -> None:
    config = _multiply().data_loading_config()
    assert (config.input_path, config.output_path, config.enabled) == ("/var/inputs", "/var/outputs", True)
    assert config.format == ContainerTask.MetadataFormat.JSON.value


def test_resources_and_pod_template_name_are_kept_for_serialization() -> None:
    task = ContainerTask(
        name="sized",
        image="alpine:3.19",
        command=["true"],
        resources=Resources(cpu=("1", "2"), mem="1Gi"),
        pod_template_name="big",
    )
    assert task.resources.requests == Resources(cpu="1", mem="1Gi")
    assert task.resources.limits == Resources(cpu="2")
    assert task.metadata.pod_template_name == "big"


def test_resources_with_requests_or_limits_is_refused() -> None:
    with pytest.raises(ValueError, match="can not be used together"):
        ContainerTask(name="x", image="i:1", command=["true"], resources=Resources(cpu="1"), limits=Resources(cpu="1"))


def test_secret_requests_must_be_secrets() -> None:
    task = ContainerTask(name="s", image="i:1", command=["true"], secret_requests=[Secret(group="g", key="k")])
    assert task.security_context.secrets[0].key == "k"
    with pytest.raises(AssertionError, match="should be of type flyte_core.Secret"):
        ContainerTask(name="s", image="i:1", command=["true"], secret_requests=["g/k"])  # type: ignore[list-item]


def test_local_run_without_docker_says_a_container_runtime_is_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "docker", None)
    with pytest.raises(
        ImportError, match="ContainerTask 'multiply' runs its image locally with Docker.*pip install docker"
    ):
        _multiply()(a=2, b=3)


def test_local_run_without_a_docker_engine_keeps_dockers_error_type(engine: _LocalEngine) -> None:
    docker = sys.modules["docker"]

    def unreachable() -> Any:
        raise docker.errors.DockerException("Error while fetching server API version")  # type: ignore[attr-defined]

    docker.from_env = unreachable  # type: ignore[attr-defined]
    with pytest.raises(docker.errors.DockerException, match="'multiply' needs a running Docker engine"):  # type: ignore[attr-defined]
        _multiply()(a=2, b=3)


def test_local_run_renders_input_templates_and_reads_typed_outputs(engine: _LocalEngine) -> None:
    outputs = _multiply()(a=6, b=7)
    assert outputs == (42, "6", False, datetime.timedelta(minutes=1, seconds=30))
    (run,) = engine.runs
    assert run["image"] == "alpine:3.19"
    assert run["command"][-2:] == ["6", "7"]
    assert [v["bind"] for v in run["volumes"].values()] == ["/var/outputs"]
    assert engine.pulled == ["alpine:3.19"]


def test_file_inputs_are_bound_under_the_input_directory(engine: _LocalEngine, tmp_path: pathlib.Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("payload")
    task = ContainerTask(
        name="copy",
        image="alpine:3.19",
        input_data_dir="/var/inputs",
        output_data_dir="/var/outputs",
        inputs=kwtypes(infile=FlyteFile),
        outputs=kwtypes(text=str),
        command=["cp", "/var/inputs/infile", "/var/outputs/text"],
    )
    assert task(infile=str(source)) == "payload"
    binds = {v["bind"] for v in engine.runs[0]["volumes"].values()}
    assert binds == {"/var/inputs/infile", "/var/outputs"}


def test_file_inputs_in_template_syntax_are_refused(engine: _LocalEngine, tmp_path: pathlib.Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("x")
    task = ContainerTask(
        name="templated_file",
        image="alpine:3.19",
        input_data_dir="/var/inputs",
        inputs=kwtypes(infile=FlyteFile),
        command=["cat", "{{.inputs.infile}}"],
    )
    with pytest.raises(AssertionError, match="use a path-like syntax, such as: /var/inputs/infile"):
        task(infile=str(source))


def test_missing_output_file_names_the_output(engine: _LocalEngine) -> None:
    task = ContainerTask(
        name="silent", image="alpine:3.19", output_data_dir="/var/outputs", outputs=kwtypes(n=int), command=["true"]
    )
    with pytest.raises(FileNotFoundError, match="ContainerTask 'silent' output 'n': the container wrote no file"):
        task()


def test_container_task_in_a_workflow_is_a_node() -> None:
    task = _multiply()

    @workflow
    def wf(a: int) -> int:
        return task(a=a, b=2).product

    (node,) = wf.nodes
    assert node.flyte_entity is task
    assert [b.var for b in node.bindings] == ["a", "b"]

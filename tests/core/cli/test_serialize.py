"""``pyflyte serialize`` and ``pyflyte package``: files, names, fast registration, options and user errors.

Each command runs as a subprocess, as a user runs it: serialization registers every entity the process made.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest
from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2

PYFLYTE = str(Path(sys.executable).parent / "pyflyte")

APP = '''
    from flyte_core import task, workflow


    @task(container_image="{{.image.trainer.fqn}}:{{.image.trainer.version}}")
    def train(x: int) -> int:
        """Train on x."""
        return x + 1


    @task
    def report(x: int) -> str:
        return str(x)


    @workflow
    def pipeline(x: int = 1) -> str:
        return report(x=train(x=x))
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "flows.py").write_text(textwrap.dedent(APP))
    (tmp_path / "out").mkdir()
    return tmp_path


def pyflyte(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "FLYTE_SDK_WORKFLOW_PACKAGES"}
    return subprocess.run([PYFLYTE, *args], cwd=cwd, capture_output=True, text=True, env={**environment, **env})


IMAGES = ("--image", "ghcr.io/acme/app:v1", "--image", "trainer=ghcr.io/acme/trainer:v7")


def test_serialize_writes_one_numbered_file_per_entity_in_registration_order(project: Path) -> None:
    result = pyflyte(project, "--pkgs", "app", "serialize", *IMAGES, "workflows", "-f", "out")
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(project / "out")) == [
        "0_app.flows.train_1.pb",
        "1_app.flows.report_1.pb",
        "2_app.flows.pipeline_2.pb",
        "3_app.flows.pipeline_3.pb",
    ]
    train = task_pb2.TaskSpec.FromString((project / "out" / "0_app.flows.train_1.pb").read_bytes())
    assert train.template.container.image == "ghcr.io/acme/trainer:v7"
    assert train.template.container.args[-4:] == ["task-module", "app.flows", "task-name", "train"]
    assert train.template.id.project == train.template.id.version == ""  # filled in at registration
    assert train.description.short_description == "Train on x."
    report = task_pb2.TaskSpec.FromString((project / "out" / "1_app.flows.report_1.pb").read_bytes())
    assert report.template.container.image == "ghcr.io/acme/app:v1"
    spec = workflow_pb2.WorkflowSpec.FromString((project / "out" / "2_app.flows.pipeline_2.pb").read_bytes())
    assert [n.task_node.reference_id.name for n in spec.template.nodes] == ["app.flows.train", "app.flows.report"]
    lp = launch_plan_pb2.LaunchPlan.FromString((project / "out" / "3_app.flows.pipeline_3.pb").read_bytes())
    assert lp.spec.default_inputs.parameters["x"].default.scalar.primitive.integer == 1
    assert "app.flows.pipeline -> 2_app.flows.pipeline_2.pb" in result.stderr


def test_serialize_fast_writes_the_code_archive_and_commands_that_unpack_it(project: Path) -> None:
    result = pyflyte(
        project, "--pkgs", "app", "serialize", *IMAGES, "--env", "STAGE=dev", "fast", "workflows", "-f", "out"
    )
    assert result.returncode == 0, result.stderr
    archives = [f for f in os.listdir(project / "out") if f.endswith(".tar.gz")]
    assert len(archives) == 1 and archives[0].startswith("fast")
    with tarfile.open(project / "out" / archives[0]) as tar:
        assert "app/flows.py" in tar.getnames()
    train = task_pb2.TaskSpec.FromString((project / "out" / "0_app.flows.train_1.pb").read_bytes())
    assert list(train.template.container.args[:6]) == [
        "pyflyte-fast-execute",
        "--additional-distribution",
        "{{ .remote_package_path }}",
        "--dest-dir",
        "{{ .dest_dir }}",
        "--",
    ]
    assert train.template.container.args[6] == "pyflyte-execute"
    assert {(e.key, e.value) for e in train.template.container.env} == {("STAGE", "dev")}


def test_packages_come_from_the_environment_when_not_given(project: Path) -> None:
    result = pyflyte(project, "serialize", *IMAGES, "workflows", "-f", "out", FLYTE_SDK_WORKFLOW_PACKAGES="app.flows")
    assert result.returncode == 0, result.stderr
    assert len(os.listdir(project / "out")) == 4


def test_serialize_without_packages_says_how_to_give_them(project: Path) -> None:
    result = pyflyte(project, "serialize", "workflows", "-f", "out")
    assert result.returncode == 2
    assert "no packages to look for entities in" in result.stderr
    assert "pyflyte --pkgs my_package serialize workflows" in result.stderr


def test_an_unknown_package_is_a_one_line_error(project: Path) -> None:
    result = pyflyte(project, "--pkgs", "nowhere", "serialize", "workflows", "-f", "out")
    assert result.returncode == 1
    assert "no module or package 'nowhere'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_module_failing_at_import_is_named_with_its_line(project: Path) -> None:
    (project / "app" / "broken.py").write_text("from flyte_core import task\n\nvalue = 1 / 0\n")
    result = pyflyte(project, "--pkgs", "app", "serialize", "workflows", "-f", "out")
    assert result.returncode == 1
    assert "broken.py:3: ZeroDivisionError: division by zero" in result.stderr
    assert "Traceback" not in result.stderr
    verbose = pyflyte(project, "-v", "--pkgs", "app", "serialize", "workflows", "-f", "out")
    assert "Traceback" in verbose.stderr


def test_an_image_reference_the_configuration_lacks_is_explained(project: Path) -> None:
    result = pyflyte(project, "--pkgs", "app", "serialize", "--image", "ghcr.io/acme/app:v1", "workflows", "-f", "out")
    assert result.returncode == 1
    assert "refers to the image 'trainer', which the image configuration does not define" in result.stderr
    assert "--image trainer=<image>" in result.stderr


def test_package_builds_a_registrable_archive(project: Path) -> None:
    result = pyflyte(project, "--pkgs", "app", "package", *IMAGES)
    assert result.returncode == 0, result.stderr
    with tarfile.open(project / "flyte-package.tgz") as tar:
        assert sorted(tar.getnames()) == sorted(
            [
                "0_app.flows.train_1.pb",
                "1_app.flows.report_1.pb",
                "2_app.flows.pipeline_2.pb",
                "3_app.flows.pipeline_3.pb",
            ]
        )
    again = pyflyte(project, "--pkgs", "app", "package", *IMAGES)
    assert again.returncode == 2
    assert "already exists: give -f to overwrite it" in again.stderr


def test_package_with_code_carries_the_archive_and_the_destination(project: Path) -> None:
    result = pyflyte(
        project, "--pkgs", "app", "package", *IMAGES, "--copy", "all", "-d", "/app/src", "-o", "pkg.tgz", "-f"
    )
    assert result.returncode == 0, result.stderr
    with tarfile.open(project / "pkg.tgz") as tar:
        names = tar.getnames()
        archive = next(n for n in names if n.startswith("fast") and n.endswith(".tar.gz"))
        train = task_pb2.TaskSpec.FromString(tar.extractfile("0_app.flows.train_1.pb").read())  # type: ignore[union-attr]
    assert archive
    args = list(train.template.container.args)
    assert args[:5] == [
        "pyflyte-fast-execute",
        "--additional-distribution",
        "{{ .remote_package_path }}",
        "--dest-dir",
        "/app/src",
    ]

"""``pyflyte-fast-execute``: the archive fast_package makes is unpacked and the task command runs with it."""

from __future__ import annotations

import io
import sys
import tarfile
import textwrap
from pathlib import Path

from flyteidl.core import dynamic_job_pb2

from flyte_core.config import ImageConfig, SerializationSettings
from flyte_core.packaging import fast_package
from tests.core.bin.conftest import Project, http_server, to_literal_map, to_python

CODE = """
    from flyte_core import dynamic, task


    @task
    def add(x: int, y: int) -> int:
        return x + y


    @dynamic
    def adds(n: int) -> list[int]:
        return [add(x=i, y=i) for i in range(n)]
"""
DEFAULT_RESOLVER = "flytekit.core.python_auto_container.default_task_resolver"


def _archive(tmp_path: Path) -> Path:
    """The project's source as fast registration ships it: only the archive leaves the machine."""
    source = tmp_path / "source"
    (source / "app").mkdir(parents=True)
    (source / "app" / "__init__.py").write_text("")
    (source / "app" / "tasks.py").write_text(textwrap.dedent(CODE))
    return fast_package(source, tmp_path / "dist")


def _container(tmp_path: Path) -> Project:
    """An empty working directory: the code comes from the archive only."""
    workdir = tmp_path / "container"
    workdir.mkdir()
    return Project(workdir)


def _task_command(project: Project, task: str, **inputs: tuple[object, object]) -> list[str]:
    (project.root / "inputs.pb").write_bytes(to_literal_map(inputs).SerializeToString())
    return [
        "pyflyte-execute",
        "--inputs",
        "inputs.pb",
        "--output-prefix",
        "out",
        "--resolver",
        DEFAULT_RESOLVER,
        "--",
        "task-module",
        "app.tasks",
        "task-name",
        task,
    ]


def test_the_packaged_code_is_unpacked_and_its_task_runs(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    project = _container(tmp_path)
    command = _task_command(project, "add", x=(2, int), y=(40, int))
    result = project.run(
        "pyflyte-fast-execute", "--additional-distribution", archive, "--dest-dir", "code", "--", *command
    )
    assert result.returncode == 0, result.stderr
    assert (project.root / "code" / "app" / "tasks.py").is_file()
    assert to_python(project.outputs().literals["o0"], int) == 42


def test_a_remote_archive_is_downloaded_through_the_file_access_provider(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    project = _container(tmp_path)
    command = _task_command(project, "add", x=(1, int), y=(2, int))
    with http_server(archive.parent) as url:
        distribution = f"{url}/{archive.name}"
        result = project.run("pyflyte-fast-execute", "--additional-distribution", distribution, "--", *command)
    assert result.returncode == 0, result.stderr
    assert (project.root / "app" / "tasks.py").is_file()  # the default destination: the working directory
    assert to_python(project.outputs().literals["o0"], int) == 3


def test_dynamic_tasks_reuse_the_distribution_for_the_tasks_they_create(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    project = _container(tmp_path)
    command = _task_command(project, "adds", n=(2, int))
    settings = SerializationSettings(image_config=ImageConfig.auto(img_name="repo/img:v1"), project="p", domain="d")
    result = project.run(
        "pyflyte-fast-execute",
        "--additional-distribution",
        f"file://{archive}",
        "--dest-dir",
        "code",
        "--",
        *command,
        env={"_F_SS_C": settings.serialized_context},
    )
    assert result.returncode == 0, result.stderr
    spec = dynamic_job_pb2.DynamicJobSpec.FromString((project.root / "out" / "futures.pb").read_bytes())
    args = list(spec.tasks[0].container.args)
    assert args[:5] == ["pyflyte-fast-execute", "--additional-distribution", f"file://{archive}", "--dest-dir", "code"]


def test_the_exit_status_and_pythonpath_reach_the_command(tmp_path: Path) -> None:
    project = _container(tmp_path)
    script = "import os, sys; print(os.environ['PYTHONPATH']); sys.exit(3)"
    result = project.run(
        "pyflyte-fast-execute", "--dest-dir", "lib", "--", sys.executable, "-c", script, env={"PYTHONPATH": "/x"}
    )
    assert result.returncode == 3
    assert result.stdout.strip() == f"{project.root / 'lib'}:/x"


def test_a_missing_archive_is_one_line(tmp_path: Path) -> None:
    project = _container(tmp_path)
    result = project.run(
        "pyflyte-fast-execute", "--additional-distribution", tmp_path / "fastnothing.tar.gz", "--", "true"
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"pyflyte-fast-execute: error: task execution code was not found at '{tmp_path / 'fastnothing.tar.gz'}'"
    ]


def test_an_archive_writing_outside_the_destination_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "fastevil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        data = b"print('escaped')\n"
        info = tarfile.TarInfo("../escaped.py")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    project = _container(tmp_path)
    result = project.run(
        "pyflyte-fast-execute", "--additional-distribution", archive, "--dest-dir", "code", "--", "true"
    )
    assert result.returncode == 1
    assert "refusing to unpack 'fastevil.tar.gz'" in result.stderr
    assert not (project.root / "escaped.py").exists()

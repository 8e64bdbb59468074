"""The built distributions, installed as users install them: ``python -m build`` for flyte-core and each plugin,
then the wheels (not editable) with the ``[all]`` extra in a fresh virtual environment, used from a directory
outside the repository: ``pyflyte --version``, ``pyflyte plugins``, a local run and a sandbox run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flyte_core import __version__

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]
PROJECTS = {
    "flyte_core": ROOT,
    **{path.name: path for path in sorted((ROOT / "plugins").glob("*")) if (path / "pyproject.toml").exists()},
}


@dataclass(frozen=True)
class Installed:
    """A fresh virtual environment holding the wheels, and a project directory outside the repository."""

    bin: Path
    project: Path
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / args[0]), *args[1:]]
        return subprocess.run(
            command, cwd=self.project, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel and an sdist of each distribution (the wheel built from the sdist, as ``build`` does)."""
    out = tmp_path_factory.mktemp("dist")
    for project in PROJECTS.values():
        built = subprocess.run(
            [sys.executable, "-m", "build", "--outdir", str(out), str(project)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert built.returncode == 0, f"building {project} failed:\n{built.stdout[-3000:]}\n{built.stderr[-3000:]}"
    return out


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """``pip install 'flyte_core-<v>-py3-none-any.whl[all]'`` with the plugin wheels, in a new venv."""
    home = tmp_path_factory.mktemp("wheel-user")
    environment = home / "venv"
    venv.create(environment, with_pip=True)
    bin_dir = environment / "bin"
    wheels = sorted(dist.glob("*.whl"))
    core = next(wheel for wheel in wheels if wheel.name.startswith("flyte_core-"))
    plugins = [str(wheel) for wheel in wheels if wheel != core]
    pip = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", f"{core}[all]", *plugins],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert pip.returncode == 0, pip.stderr[-3000:]
    project = home / "project"
    project.mkdir()
    for example in ("hello.py", "pipeline.py"):
        shutil.copy(ROOT / "examples" / example, project / example)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLYTE_", "FLYTECTL", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(
        HOME=str(home),
        PATH=os.pathsep.join([str(bin_dir), "/usr/local/bin", "/usr/bin", "/bin"]),
        FLYTE_CACHE_DIR=str(home / "cache"),
    )
    return Installed(bin=bin_dir, project=project, env=env)


def _source_files(package: Path) -> set[str]:
    """What a package directory ships: every file but bytecode and developer notes."""
    return {
        path.relative_to(package.parent).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".md"
    }


@pytest.mark.parametrize("name", PROJECTS)
def test_each_distribution_builds_a_wheel_and_an_sdist_of_the_one_version(dist: Path, name: str) -> None:
    assert (dist / f"{name}-{__version__}-py3-none-any.whl").is_file()
    assert (dist / f"{name}-{__version__}.tar.gz").is_file()


@pytest.mark.parametrize("name", PROJECTS)
def test_a_wheel_holds_every_module_and_data_file_of_its_package(dist: Path, name: str) -> None:
    package = PROJECTS[name] / ("core" if name == "flyte_core" else "") / name
    with zipfile.ZipFile(dist / f"{name}-{__version__}-py3-none-any.whl") as wheel:
        shipped = {item for item in wheel.namelist() if not item.split("/")[0].endswith(".dist-info")}
    assert shipped == _source_files(package)


def test_a_plugin_sdist_carries_the_version_file_itself_not_a_link(dist: Path) -> None:
    with tarfile.open(dist / f"flyte_plugin_ray-{__version__}.tar.gz") as sdist:
        member = sdist.getmember(f"flyte_plugin_ray-{__version__}/flyte_plugin_ray/_version.py")
        assert member.isfile()


def test_the_installed_wheels_are_what_runs_not_the_repository(installed: Installed) -> None:
    result = installed.run("python", "-c", "import flyte_core, flyte_plugin_ray; print(flyte_core.__file__)")
    assert result.returncode == 0, result.stderr
    location = Path(result.stdout.strip())
    assert location.is_relative_to(installed.bin.parent) and "site-packages" in location.parts


def test_version_and_plugins_show_every_distribution_at_the_one_version(installed: Installed) -> None:
    version = installed.run("pyflyte", "--version")
    assert version.returncode == 0, version.stderr
    lines = version.stdout.splitlines()
    plugins = ["flyte-plugin-k8s-pod", "flyte-plugin-ray", "flyte-plugin-s3", "flyte-plugin-spark"]
    assert lines[:5] == [f"{name} {__version__}" for name in ["flyte-core", *plugins]]
    assert lines[5].startswith("Python ") and str(installed.bin) in lines[5]
    listed = installed.run("pyflyte", "plugins", "--json")
    assert listed.returncode == 0, listed.stderr
    third_party = [entry for entry in json.loads(listed.stdout) if entry["distribution"] != "flyte-core"]
    assert sorted(entry["distribution"] for entry in third_party) == plugins
    assert {(entry["version"], entry["status"]) for entry in third_party} == {(__version__, "active")}


def test_a_local_run_works_from_the_wheels(installed: Installed) -> None:
    result = installed.run("pyflyte", "run", "hello.py", "hello_wf", "--name", "wheel")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "hello wheel"


@pytest.fixture(scope="module")
def sandbox(installed: Installed) -> Iterator[Path]:
    state = installed.project.parent / "sandbox"
    started = installed.run("pyflyte", "sandbox", "start", "--state-dir", str(state), "--port", "0", "--http-port", "0")
    assert started.returncode == 0, started.stderr
    yield state / "config.yaml"
    installed.run("pyflyte", "sandbox", "stop", "--state-dir", str(state))


def test_a_sandbox_run_works_from_the_wheels_and_its_console_page_opens(installed: Installed, sandbox: Path) -> None:
    args = ("pipeline.py", "pipeline", "--xs", "[1, 2, 3]", "--label", "wheel")
    result = installed.run("pyflyte", "-c", str(sandbox), "run", "--remote", "--wait", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    local = installed.run("pyflyte", "run", *args)
    assert result.stdout.splitlines()[-1] == local.stdout.splitlines()[-1]
    url = re.search(r"Go to (\S+) to see execution", result.stdout)
    assert url is not None, result.stdout
    with urllib.request.urlopen(url[1], timeout=30) as page:
        assert page.status == 200
        assert url[1].rsplit("/", 1)[-1] in page.read().decode()

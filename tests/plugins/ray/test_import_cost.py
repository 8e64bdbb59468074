"""ray is imported only when a Ray task runs (or by the head process): not by flyte_core, pyflyte or the plugin."""

from __future__ import annotations

import json
import os
import subprocess

from tests.core.test_import_cost import PYFLYTE, _imported_modules, _loaded_modules


def _ray(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] == "ray")


def test_import_flyte_core_and_the_plugin_imports_no_ray() -> None:
    modules = _loaded_modules("import flyte_core, flyte_plugin_ray, flyte_plugin_ray.plugin")
    assert _ray(modules) == []
    assert {"flyte_plugin_ray.task", "flyte_plugin_ray.cli"} & modules == set()


def test_pyflyte_help_imports_no_ray() -> None:
    modules = _imported_modules(PYFLYTE, "--help")
    assert "flyte_plugin_ray.plugin" in modules
    assert _ray(modules) == []
    assert "flyte_plugin_ray.cli" not in modules


def test_pyflyte_ray_help_imports_no_ray() -> None:
    assert _ray(_imported_modules(PYFLYTE, "ray", "--help")) == []
    for command in ("ray", "ray start", "ray status"):
        args = [*command.split(), "--help"]
        # sys.modules after the command (loaded through importlib); its help text is kept off stdout
        modules = _loaded_modules(
            "import contextlib, io; from flyte_core.cli.main import pyflyte; "
            "quiet = contextlib.redirect_stdout(io.StringIO()); quiet.__enter__(); "
            f"pyflyte.main({args!r}, standalone_mode=False); quiet.__exit__(None, None, None)"
        )
        assert "flyte_plugin_ray.cli" in modules
        assert _ray(modules) == [], command


def test_defining_and_serializing_a_ray_task_imports_no_ray() -> None:
    statement = (
        "from flyte_core import task; from flyte_plugin_ray import RayJobConfig, WorkerNodeConfig; "
        "t = task(task_config=RayJobConfig(worker_node_config=[WorkerNodeConfig('g', 1)], "
        "runtime_env={'pip': ['x']}))(lambda: None); t.get_custom(None)"
    )
    modules = _loaded_modules(statement)
    assert "flyte_plugin_ray.task" in modules
    assert _ray(modules) == []


def test_pyflyte_plugins_lists_the_plugin_and_its_hooks() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE_")}
    result = subprocess.run([PYFLYTE, "plugins", "--json"], capture_output=True, text=True, env=env, check=True)
    rows = json.loads(result.stdout)
    rows = rows["plugins"] if isinstance(rows, dict) else rows
    ray_row = next(row for row in rows if row["name"] == "ray")
    assert ray_row["distribution"] == "flyte-plugin-ray"
    assert ray_row["status"] == "active"
    assert set(ray_row["hooks"]) == {"task_types", "subcommands"}

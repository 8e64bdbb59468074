"""The installed distribution: listed by ``pyflyte plugins``, and light to load (kubernetes only when needed)."""

from __future__ import annotations

import json
import os
import subprocess

from tests.core.test_import_cost import PYFLYTE, _heavy, _loaded_modules


def test_pyflyte_plugins_lists_the_plugin_and_its_hooks() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE_")}
    result = subprocess.run([PYFLYTE, "plugins", "--json"], capture_output=True, text=True, env=env, check=True)
    rows = json.loads(result.stdout)
    rows = rows["plugins"] if isinstance(rows, dict) else rows
    pod = next(row for row in rows if row["name"] == "k8s_pod")
    assert pod["distribution"] == "flyte-plugin-k8s-pod"
    assert pod["version"] == "0.1.0"
    assert pod["status"] == "active"
    assert set(pod["hooks"]) == {"task_types", "subcommands"}


def test_loading_the_plugin_imports_neither_kubernetes_nor_its_task_module() -> None:
    modules = _loaded_modules("import flyte_plugin_k8s_pod, flyte_plugin_k8s_pod.plugin")
    assert _heavy(modules) == []
    assert {"flyte_plugin_k8s_pod.task", "flyte_plugin_k8s_pod.cli"} & modules == set()


def test_importing_pod_does_not_import_kubernetes() -> None:
    modules = _loaded_modules("import warnings; warnings.simplefilter('ignore'); from flyte_plugin_k8s_pod import Pod")
    assert "flyte_plugin_k8s_pod.task" in modules
    assert not any(m == "kubernetes" or m.startswith("kubernetes.") for m in modules)


def _pyflyte_modules(*args: str) -> set[str]:
    """Modules loaded by ``pyflyte ARGS`` in a fresh interpreter (``sys.modules``: commands load via importlib).

    The command's own output is kept off stdout, where the module names are read (``pyflyte --help`` lists a
    command named ``ray``, which would read as the module).
    """
    return _loaded_modules(
        "import contextlib, io; from flyte_core.cli.main import pyflyte; "
        "quiet = contextlib.redirect_stdout(io.StringIO()); quiet.__enter__(); "
        f"pyflyte.main({list(args)!r}, standalone_mode=False); quiet.__exit__(None, None, None)"
    )


def test_pyflyte_help_lists_pod_without_importing_it_or_kubernetes() -> None:
    modules = _pyflyte_modules("--help")
    assert "flyte_plugin_k8s_pod.plugin" in modules
    assert _heavy(modules) == []
    assert {"flyte_plugin_k8s_pod.task", "flyte_plugin_k8s_pod.cli"} & modules == set()


def test_pyflyte_pod_help_imports_the_command_but_not_kubernetes() -> None:
    modules = _pyflyte_modules("pod", "render", "--help")
    assert "flyte_plugin_k8s_pod.cli" in modules
    assert not any(m == "kubernetes" or m.startswith("kubernetes.") for m in modules)

"""pyspark (and py4j) are imported only when a Spark task runs or a Spark DataFrame is converted."""

from __future__ import annotations

import json
import os
import subprocess

from tests.core.test_import_cost import PYFLYTE, _heavy, _imported_modules, _loaded_modules

SPARK_STACK = ("pyspark", "py4j")
PLUGIN_MODULES = {"flyte_plugin_spark.task", "flyte_plugin_spark.cli", "flyte_plugin_spark.dataframe"}


def _spark_stack(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in SPARK_STACK)


def test_import_flyte_core_and_the_plugin_imports_no_spark() -> None:
    modules = _loaded_modules("import flyte_core, flyte_plugin_spark, flyte_plugin_spark.plugin")
    assert _spark_stack(modules) == []
    assert _heavy(modules) == []
    assert PLUGIN_MODULES & modules == set()


def test_pyflyte_help_lists_spark_without_importing_it_or_pyspark() -> None:
    modules = _imported_modules(PYFLYTE, "--help")
    assert "flyte_plugin_spark.plugin" in modules
    assert _spark_stack(modules) == []
    assert PLUGIN_MODULES & modules == set()


def test_pyflyte_spark_help_imports_the_command_but_not_pyspark() -> None:
    # sys.modules of a fresh interpreter: the command module is loaded through importlib
    modules = _loaded_modules(
        "from flyte_core.cli.main import pyflyte; pyflyte.main(['spark', 'conf', '--help'], standalone_mode=False)"
    )
    assert "flyte_plugin_spark.cli" in modules
    assert _spark_stack(modules) == []


def test_decorating_a_spark_task_imports_no_spark() -> None:
    source = (
        "from flyte_core import task\nfrom flyte_plugin_spark import Spark\n"
        "@task(task_config=Spark(spark_conf={'spark.executor.instances': '2'}))\n"
        "def t(x: int) -> int:\n    return x\n"
        "assert type(t).__name__ == 'PysparkFunctionTask'\n"
    )
    modules = _loaded_modules(f"exec({source!r})")
    assert "flyte_plugin_spark.task" in modules
    assert _spark_stack(modules) == []


def test_a_spark_dataframe_annotation_loads_the_transformer() -> None:
    statement = (
        "import pyspark.sql; from flyte_core.extend import TypeEngine; "
        "print(TypeEngine.to_literal_type(pyspark.sql.DataFrame))"
    )
    assert "flyte_plugin_spark.dataframe" in _loaded_modules(statement)


def test_pyflyte_plugins_lists_the_plugin_and_its_hooks() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE_")}
    result = subprocess.run([PYFLYTE, "plugins", "--json"], capture_output=True, text=True, env=env, check=True)
    rows = json.loads(result.stdout)
    rows = rows["plugins"] if isinstance(rows, dict) else rows
    spark = next(row for row in rows if row["name"] == "spark")
    assert (spark["distribution"], spark["status"]) == ("flyte-plugin-spark", "active")
    assert set(spark["hooks"]) == {"task_types", "type_transformers", "dataframe_handlers", "subcommands"}

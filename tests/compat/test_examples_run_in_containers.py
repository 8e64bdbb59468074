"""Every task of the compat examples, serialized, runs through its container command as Flyte would run it.

For each task: serialize it, write inputs.pb with the type engine, run the container's command (the
installed ``pyflyte-execute`` / ``pyflyte-map-execute``, templates substituted) in a subprocess from the
source root, and compare outputs.pb with calling the task locally. A dynamic task's futures.pb is then
run node by node, each through its own serialized command; a failing task writes error.pb.
"""

from __future__ import annotations

import datetime
import os
import pathlib
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from flyteidl.core import dynamic_job_pb2, errors_pb2, execution_pb2, literals_pb2

from flyte_core.config.images import ImageConfig
from flyte_core.config.serialization import SerializationSettings
from flyte_core.context import FlyteContextManager
from flyte_core.idl.translator import get_serializable
from flyte_core.types.type_engine import TypeEngine
from tests.compat.conftest import EXAMPLES, port_examples

BIN = pathlib.Path(sys.executable).parent
SETTINGS = SerializationSettings(
    image_config=ImageConfig.auto(img_name="ghcr.io/example/img:v1"), project="p", domain="d", version="v1"
)


@pytest.fixture(scope="module")
def source_root(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    if not EXAMPLES.is_dir():
        pytest.skip(f"the shared compat examples are not available at {EXAMPLES}")
    root = port_examples(tmp_path_factory.mktemp("containers"))
    (root / "data").mkdir()
    (root / "data" / "in.txt").write_text("file contents")
    (root / "data" / "rows.csv").write_text("0,0\n1,1")
    (root / "data" / "dir").mkdir()
    for i in range(4):
        (root / "data" / "dir" / f"{i}.txt").write_text(str(i))
    return root


def _files_inputs(m: Any, root: pathlib.Path) -> dict[str, dict[str, Any]]:
    from flyte_core.types.directory import FlyteDirectory
    from flyte_core.types.file import FlyteFile

    return {
        "write_file": {"content": "hello"},
        "read_file": {"f": FlyteFile(str(root / "data" / "in.txt"))},
        "write_csv": {"rows": 3},
        "make_dir": {"n": 2},
        "count_files": {
            "d": FlyteDirectory(str(root / "data" / "dir")),
            "extra": FlyteFile(str(root / "data" / "rows.csv")),
        },
    }


# Inputs of every task, by module and task name (``m`` is the example module, ``root`` the source root).
INPUTS: dict[str, Callable[[Any, pathlib.Path], dict[str, dict[str, Any]]]] = {
    "conditional": lambda m, root: {"double": {"n": 1.5}, "square": {"n": 3.0}, "is_big": {"n": 500.0}, "noop": {}},
    "dataclass_io": lambda m, root: {
        "make_shape": {"n": 3, "name": "tri"},
        "perimeter": {"s": m.make_shape(n=4, name="sq")},
        "first_point": {"s": m.make_shape(n=2, name="ln")},
    },
    "dynamic_wf": lambda m, root: {"square": {"x": 7}, "total": {"xs": [1, 2, 3]}},
    "files_dirs": _files_inputs,
    "hello": lambda m, root: {"say_hello": {"name": "container"}},
    "launch_plans": lambda m, root: {
        "greet": {"a": 1, "b": "b", "c": 2.5},
        "stamp": {"t": datetime.datetime(2024, 5, 6, 7, 8, 9), "n": 3},
    },
    "map_tasks": lambda m, root: {"square": {"x": 9}, "mul": {"x": 4, "y": 5}},
    "named_outputs": lambda m, root: {
        "stats": {"xs": [1.0, 2.0, 6.0]},
        "split": {"s": "a,b,c"},
        "pair": {"x": 5},
        "fmt": {"mean": 1.5, "head": "h", "n": 2},
    },
    "pod_template": lambda m, root: {"in_pod": {"x": 1}, "named_template": {"x": 21}},
    "subworkflow": lambda m, root: {"inc": {"x": 41}, "log": {"msg": "done"}},
    "task_config": lambda m, root: {
        "configured": {"x": 1},
        "configured_v2": {"x": 3, "debug": True},
        "plain": {"x": 10},
    },
    "typed_inputs": lambda m, root: {
        "describe": {
            "i": 1,
            "f": 2.5,
            "s": "s",
            "b": True,
            "dt": datetime.datetime(2024, 1, 2, 3, 4, 5),
            "li": [1, 2],
            "d": {"a": 1},
            "oi": None,
            "c": m.Color.BLUE,
            "td": datetime.timedelta(minutes=3),
        },
        "identity_types": {"li": [1], "lli": [["x"], []], "dd": {"k": [1.5]}},
    },
}


def _command(spec: Any, **substitutions: str) -> list[str]:
    template = spec.template
    if template.HasField("container"):
        args = list(template.container.args)
    else:  # a pod template: the primary container's arguments
        primary = template.config["primary_container_name"]
        container = next(
            c
            for c in template.k8s_pod.pod_spec.fields["containers"].list_value.values
            if c.struct_value.fields["name"].string_value == primary
        )
        args = [v.string_value for v in container.struct_value.fields["args"].list_value.values]
    for key, value in substitutions.items():
        args = [a.replace("{{." + key + "}}", value) for a in args]
    return [str(BIN / args[0]), *args[1:]]


def _run(spec: Any, inputs: literals_pb2.LiteralMap, work: pathlib.Path, root: pathlib.Path, **env: str):
    work.mkdir(parents=True)
    (work / "inputs.pb").write_bytes(inputs.SerializeToString())
    command = _command(
        spec,
        input=str(work / "inputs.pb"),
        outputPrefix=str(work / "out"),
        rawOutputDataPrefix=str(work / "raw"),
        checkpointOutputPrefix=str(work / "checkpoint"),
        prevCheckpointPrefix="",
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("_F_", "FLYTE_INTERNAL", "BATCH_JOB"))}
    result = subprocess.run(command, cwd=root, env={**environ, **env}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return work / "out"


def _literal_inputs(task: Any, values: dict[str, Any]) -> literals_pb2.LiteralMap:
    ctx = FlyteContextManager.current_context()
    types = task.python_interface.inputs
    return literals_pb2.LiteralMap(
        literals={
            k: TypeEngine.to_literal(ctx, v, types[k], TypeEngine.to_literal_type(types[k])) for k, v in values.items()
        }
    )


def _python_outputs(task: Any, outputs: literals_pb2.LiteralMap) -> list[Any]:
    ctx = FlyteContextManager.current_context()
    return [
        TypeEngine.to_python_value(ctx, outputs.literals[name], python_type)
        for name, python_type in task.python_interface.outputs.items()
    ]


def _comparable(value: Any) -> Any:
    """Files and directories by their contents; tuples and named tuples as lists."""
    if hasattr(value, "download") and hasattr(value, "path"):
        local = pathlib.Path(value.download())
        return sorted(p.name for p in local.iterdir()) if local.is_dir() else local.read_text()
    if isinstance(value, tuple):
        return [_comparable(v) for v in value]
    return value


def _tasks(module: Any) -> dict[str, Any]:
    from flyte_core.sdk.map_task import ArrayNodeMapTask
    from flyte_core.sdk.python_function_task import PythonFunctionTask

    return {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, PythonFunctionTask) and not isinstance(value, ArrayNodeMapTask)
        if value.task_function.__module__ == module.__name__
    }


@pytest.fixture(autouse=True)
def _no_local_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_ENABLED", "false")


@pytest.mark.parametrize("module_name", sorted(INPUTS))
def test_every_task_runs_in_its_container_command_as_it_runs_locally(
    module_name: str, source_root: pathlib.Path, examples_package, tmp_path: pathlib.Path
) -> None:
    from flyte_core.sdk.python_function_task import ExecutionBehavior

    module = examples_package(module_name)
    inputs = INPUTS[module_name](module, source_root)
    tasks = {n: t for n, t in _tasks(module).items() if t.execution_mode is not ExecutionBehavior.DYNAMIC}
    assert sorted(tasks) == sorted(inputs), "every task of the example has inputs in this test"
    for name, task in tasks.items():
        values = inputs[name]
        spec = get_serializable({}, SETTINGS, task)
        out = _run(spec, _literal_inputs(task, values), tmp_path / name, source_root)
        outputs = literals_pb2.LiteralMap.FromString((out / "outputs.pb").read_bytes())
        local = task(**values)
        expected = list(local) if isinstance(local, tuple) else ([] if local is None else [local])
        assert [_comparable(v) for v in _python_outputs(task, outputs)] == [_comparable(v) for v in expected], name


def test_a_map_task_runs_the_item_of_its_array_index(source_root, examples_package, tmp_path) -> None:
    module = examples_package("map_tasks")
    mapped = module.map_wf.nodes[0].flyte_entity
    spec = get_serializable({}, SETTINGS, mapped)
    assert spec.template.container.args[0] == "pyflyte-map-execute"
    out = _run(
        spec,
        _literal_inputs(mapped, {"x": [3, 4, 5, 6]}),
        tmp_path / "map",
        source_root,
        BATCH_JOB_ARRAY_INDEX_VAR_NAME="MY_INDEX",
        MY_INDEX="2",
    )
    outputs = literals_pb2.LiteralMap.FromString((out / "outputs.pb").read_bytes())
    assert outputs.literals["o0"].scalar.primitive.integer == 25


def test_a_failing_task_writes_error_pb_with_the_users_message(source_root, examples_package, tmp_path) -> None:
    module = examples_package("named_outputs")
    spec = get_serializable({}, SETTINGS, module.stats)
    out = _run(spec, _literal_inputs(module.stats, {"xs": []}), tmp_path / "stats", source_root)
    assert sorted(os.listdir(out)) == ["error.pb"]
    error = errors_pb2.ErrorDocument.FromString((out / "error.pb").read_bytes()).error
    assert "division by zero" in error.message
    assert error.kind == errors_pb2.ContainerError.NON_RECOVERABLE
    assert error.origin == execution_pb2.ExecutionError.USER


def test_a_dynamic_tasks_futures_compile_and_run(source_root, examples_package, tmp_path) -> None:
    module = examples_package("dynamic_wf")
    spec = get_serializable({}, SETTINGS, module.squares)
    env = {k.key: k.value for k in spec.template.container.env}  # _F_SS_C: the settings to compile with
    out = _run(spec, _literal_inputs(module.squares, {"n": 4}), tmp_path / "squares", source_root, **env)
    futures = dynamic_job_pb2.DynamicJobSpec.FromString((out / "futures.pb").read_bytes())
    assert futures.min_successes == len(futures.nodes) == 5  # four squares and the total

    templates = {t.id.name: t for t in futures.tasks}
    results: dict[str, literals_pb2.LiteralMap] = {}
    for node in futures.nodes:  # in dependency order, as compiled
        assert set(node.upstream_node_ids) <= set(results)
        inputs = literals_pb2.LiteralMap(literals={b.var: _resolve(b.binding, results) for b in node.inputs})
        task_spec = _TaskSpec(templates[node.task_node.reference_id.name])
        node_out = _run(task_spec, inputs, tmp_path / node.id, source_root)
        results[node.id] = literals_pb2.LiteralMap.FromString((node_out / "outputs.pb").read_bytes())
    (output,) = futures.outputs
    assert _resolve(output.binding, results).scalar.primitive.integer == module.squares(n=4) == 14


class _TaskSpec:
    def __init__(self, template: Any) -> None:
        self.template = template


def _resolve(data: literals_pb2.BindingData, results: dict[str, literals_pb2.LiteralMap]) -> literals_pb2.Literal:
    kind = data.WhichOneof("value")
    if kind == "promise":
        return results[data.promise.node_id].literals[data.promise.var]
    if kind == "collection":
        return literals_pb2.Literal(
            collection=literals_pb2.LiteralCollection(literals=[_resolve(b, results) for b in data.collection.bindings])
        )
    if kind == "map":
        return literals_pb2.Literal(
            map=literals_pb2.LiteralMap(literals={k: _resolve(b, results) for k, b in data.map.bindings.items()})
        )
    return literals_pb2.Literal(scalar=data.scalar)

"""Write expected/sdk_map_dynamic.json: what flytekit does with map tasks and dynamic tasks.

For the small modules in sdk_map_dynamic_cases.py (written for flytekit; tests load them with ``flytekit``
replaced by ``flyte_core``): the workflow nodes holding map tasks (ArrayNode parts), the map task
templates (name, interface, container arguments), the ``DynamicJobSpec`` (futures.pb) of dynamic tasks
compiled in a container, and local runs (result repr, or error type and message).

Run with a Python that has flytekit 1.16.31 installed:
    benchmarks/.venv-flytekit-core/bin/python tests/compat/generate/sdk_map_dynamic.py
"""

import collections
import json
import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from google.protobuf import json_format
from sdk_map_dynamic_cases import (
    DYNAMIC_FUTURES,
    LOCAL_RUNS,
    MAP_WORKFLOWS,
    PACKAGE,
    SETTINGS,
    load_package,
)


def _json(message) -> dict:
    return json.loads(json_format.MessageToJson(message, sort_keys=True))


def main() -> None:
    from flytekit.configuration import FastSerializationSettings, ImageConfig, SerializationSettings
    from flytekit.core.array_node_map_task import ArrayNodeMapTask
    from flytekit.core.context_manager import ExecutionState, FlyteContextManager
    from flytekit.core.type_engine import TypeEngine
    from flytekit.models.literals import LiteralMap
    from flytekit.tools.translator import get_serializable

    modules = load_package(tempfile.mkdtemp(), "flytekit")
    settings = SerializationSettings(
        image_config=ImageConfig.auto(img_name=SETTINGS["image"]),
        project=SETTINGS["project"],
        domain=SETTINGS["domain"],
        version=SETTINGS["version"],
        fast_serialization_settings=FastSerializationSettings(enabled=False),
    )
    out = {"package": PACKAGE, "settings": SETTINGS}

    workflows = {}
    map_tasks = {}
    for module_name, wf_name in MAP_WORKFLOWS:
        module = modules[module_name]
        entities = collections.OrderedDict()
        spec = get_serializable(entities, settings, getattr(module, wf_name))
        workflows[f"{module_name}.{wf_name}"] = [_json(n.to_flyte_idl()) for n in spec.template.nodes]
        for entity, model in entities.items():
            if isinstance(entity, ArrayNodeMapTask):
                map_tasks[entity.name] = _json(model.template.to_flyte_idl())
    out["map_workflows"] = workflows
    out["map_task_templates"] = map_tasks

    futures = []
    for module_name, task_name, inputs in DYNAMIC_FUTURES:
        module = modules[module_name]
        dynamic_task = getattr(module, task_name)
        ctx = FlyteContextManager.current_context()
        state = ctx.new_execution_state().with_params(mode=ExecutionState.Mode.TASK_EXECUTION)
        with FlyteContextManager.with_context(
            ctx.with_execution_state(state).with_serialization_settings(settings)
        ) as exec_ctx:
            literal_map = TypeEngine.dict_to_literal_map(exec_ctx, inputs, dynamic_task.python_interface.inputs)
            result = dynamic_task.dispatch_execute(exec_ctx, literal_map)
        kind = "literal_map" if isinstance(result, LiteralMap) else "dynamic_job_spec"
        futures.append(
            {
                "module": module_name,
                "task": task_name,
                "inputs": inputs,
                "kind": kind,
                "value": _json(result.to_flyte_idl()),
            }
        )
    out["dynamic_futures"] = futures

    runs = []
    for module_name, expression in LOCAL_RUNS:
        module = modules[module_name]
        namespace = dict(vars(module))
        try:
            value = eval(expression, namespace)
            runs.append({"module": module_name, "expression": expression, "repr": repr(value)})
        except Exception as exc:
            runs.append(
                {"module": module_name, "expression": expression, "error": type(exc).__name__, "message": str(exc)}
            )
    out["local_runs"] = runs

    target = pathlib.Path(__file__).parent.parent / "expected" / "sdk_map_dynamic.json"
    target.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(workflows)} workflows, {len(map_tasks)} map tasks, {len(futures)} futures, {len(runs)} runs")


if __name__ == "__main__":
    main()

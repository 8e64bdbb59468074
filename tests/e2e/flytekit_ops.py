"""One FlyteRemote operation against a sandbox, run with flytekit's own Python (not flyte-core's).

    <flytekit venv>/bin/python flytekit_ops.py CONFIG ROOT IMAGE OPERATION [ARGS...]

Operations (entities are attributes of the module `app` under ROOT, written for flytekit):
  execute ENTITY NAME INPUTS_JSON   register ENTITY (fast registration of ROOT) and start execution NAME
  wait NAME                         wait for NAME; print its phase, error and outputs (as reprs)
  terminate NAME CAUSE              terminate NAME
  relaunch NAME NEW_NAME            relaunch NAME as NEW_NAME
  activate ENTITY                   register the launch plan ENTITY and activate it
  executions LAUNCH_PLAN            the executions of a launch plan: name, phase, mode
The last line printed is a JSON object with the result.
"""

import datetime
import importlib
import json
import sys


def main() -> None:
    config_file, root, image, operation, *args = sys.argv[1:]
    from flytekit.configuration import Config, ImageConfig
    from flytekit.models.core.identifier import WorkflowExecutionIdentifier
    from flytekit.remote import FlyteRemote

    sys.path.insert(0, root)
    remote = FlyteRemote(Config.auto(config_file), default_project="flytesnacks", default_domain="development")

    def register(entity_name):
        entity = getattr(importlib.import_module("app"), entity_name)
        images = ImageConfig.auto(img_name=image)
        return entity, remote.register_script(entity, image_config=images, source_path=root, module_name="app")

    result = {}
    if operation == "execute":
        entity_name, name, inputs = args
        entity, registered = register(entity_name)
        execution = remote.execute(
            registered, inputs=json.loads(inputs), execution_name=name, type_hints=dict(entity.python_interface.inputs)
        )
        result = {"execution": execution.id.name}
    elif operation == "wait":
        (name,) = args
        execution = remote.wait(remote.fetch_execution(name=name), poll_interval=datetime.timedelta(seconds=0.5))
        result = {"phase": execution.closure.phase, "error": execution.error.message if execution.error else None}
        if execution.outputs is not None and execution.error is None:
            result["outputs"] = {k: repr(execution.outputs.get(k)) for k in execution.outputs.literals}
    elif operation == "terminate":
        name, cause = args
        remote.terminate(remote.fetch_execution(name=name), cause)
        result = {"terminated": name}
    elif operation == "relaunch":
        name, new_name = args
        identifier = WorkflowExecutionIdentifier("flytesnacks", "development", name)
        created = remote.client.relaunch_execution(identifier, new_name)
        result = {"execution": created.name}
    elif operation == "activate":
        (entity_name,) = args
        _, launch_plan = register(entity_name)
        remote.activate_launchplan(launch_plan.id)
        result = {"activated": launch_plan.id.name}
    elif operation == "executions":
        (launch_plan,) = args
        from flytekit.models import filters

        found, _ = remote.client.list_executions_paginated(
            "flytesnacks", "development", limit=100, filters=[filters.Equal("launch_plan.name", launch_plan)]
        )
        result = {"executions": [[e.id.name, e.closure.phase, e.spec.metadata.mode] for e in found]}
    else:
        raise SystemExit(f"unknown operation {operation}")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

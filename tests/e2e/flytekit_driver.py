"""Drive a sandbox with an unmodified flytekit client (run with flytekit's own Python, not flyte-core's).

    <flytekit venv>/bin/python flytekit_driver.py CONFIG PROJECT_ROOT IMAGE CASES_JSON

CASES_JSON is a list of {"module": "hello", "expression": "hello_wf(name='x')"} (modules of the examples
package under PROJECT_ROOT). Every entity is registered the way `pyflyte run --remote` registers it
(FlyteRemote.register_script: fast registration of PROJECT_ROOT, tasks in IMAGE), every case is executed
at once, then each is waited for and compared with running the same expression locally with flytekit.
Prints one JSON object per case: module, expression, execution, phase, error, remote and local (reprs).
"""

import datetime
import importlib
import json
import sys
import traceback

RESULT = "RESULT "
"""Result lines start with this (flytekit logs to stdout too)."""


def main() -> None:
    config_file, root, image, cases_file = sys.argv[1:5]
    from flytekit.configuration import Config, ImageConfig
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine
    from flytekit.remote import FlyteRemote

    sys.path.insert(0, root)
    remote = FlyteRemote(Config.auto(config_file), default_project="flytesnacks", default_domain="development")
    images = ImageConfig.auto(img_name=image)
    registered = {}
    started = []
    with open(cases_file) as f:
        cases = json.load(f)
    for case in cases:
        module = importlib.import_module(f"examples.{case['module']}")
        calls: list = []
        namespace = {
            name: _recorder(value, calls) for name, value in vars(module).items() if hasattr(value, "python_interface")
        }
        eval(case["expression"], {**namespace, "datetime": datetime, **_types(module)})
        ((entity, kwargs),) = calls
        key = (case["module"], entity.name)
        if key not in registered:
            registered[key] = remote.register_script(
                entity, image_config=images, source_path=root, module_name=f"examples.{case['module']}"
            )
        execution = remote.execute(
            registered[key], inputs=kwargs, wait=False, type_hints=dict(entity.python_interface.inputs)
        )
        started.append((case, entity, kwargs, execution))

    ctx = FlyteContextManager.current_context()
    for case, entity, kwargs, execution in started:
        execution = remote.wait(execution, poll_interval=datetime.timedelta(seconds=0.5))
        result = {**case, "execution": execution.id.name, "phase": execution.closure.phase}
        if execution.error is not None:
            result["error"] = execution.error.message
        else:
            values = [
                TypeEngine.to_python_value(ctx, execution.outputs.literals[name], python_type)
                for name, python_type in entity.python_interface.outputs.items()
            ]
            result["remote"] = repr(values)
        try:
            local = entity(**kwargs)
            values = [] if local is None else list(local) if isinstance(local, tuple) else [local]
            result["local"] = repr(values)
        except Exception as exc:  # the local run fails too: the remote one must fail
            result["local_error"] = f"{type(exc).__name__}: {exc}"
        print(RESULT + json.dumps(result), flush=True)


def _recorder(entity, calls):
    """A stand-in for ``entity`` that records how the expression calls it."""
    return lambda **kwargs: calls.append((entity, kwargs))


def _types(module):
    """Names the expressions use besides entities (dataclasses, enums)."""
    return {name: value for name, value in vars(module).items() if isinstance(value, type)}


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(1)

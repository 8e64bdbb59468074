"""Write expected/control_flow.json: what flytekit does with conditionals, gates and launch plans.

For the modules in control_flow_cases.py (written for flytekit; tests load them with ``flytekit`` replaced
by ``flyte_core``): every node of the compiled workflows (branch and gate nodes included), the launch
plans as registered (``flyteidl.admin.LaunchPlan``), and local runs (result repr, or error type and message).

Run with a Python that has flytekit 1.16.31 installed:
    benchmarks/.venv-flytekit-core/bin/python tests/compat/generate/control_flow.py
"""

import collections
import contextlib
import datetime
import io
import json
import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from control_flow_cases import LAUNCH_PLANS, LOCAL_RUNS, PACKAGE, SETTINGS, WORKFLOWS, load_package
from google.protobuf import json_format


def _json(message) -> dict:
    return json.loads(json_format.MessageToJson(message, sort_keys=True))


def main() -> None:
    from flytekit.configuration import FastSerializationSettings, ImageConfig, SerializationSettings
    from flytekit.tools.translator import get_serializable

    modules = load_package(tempfile.mkdtemp(), "flytekit")
    settings = SerializationSettings(
        image_config=ImageConfig.auto(img_name=SETTINGS["image"]),
        project=SETTINGS["project"],
        domain=SETTINGS["domain"],
        version=SETTINGS["version"],
        fast_serialization_settings=FastSerializationSettings(enabled=False),
    )
    out = {"package": PACKAGE, "settings": SETTINGS, "workflows": {}, "launch_plans": {}, "local_runs": []}
    for module_name, wf_name in WORKFLOWS:
        spec = get_serializable(collections.OrderedDict(), settings, getattr(modules[module_name], wf_name))
        template = spec.template.to_flyte_idl()
        out["workflows"][f"{module_name}.{wf_name}"] = {
            "nodes": [_json(n) for n in template.nodes],
            "outputs": [_json(b) for b in template.outputs],
        }
    for module_name, attr in LAUNCH_PLANS:
        lp = get_serializable(collections.OrderedDict(), settings, getattr(modules[module_name], attr))
        out["launch_plans"][f"{module_name}.{attr}"] = _json(lp.to_flyte_idl())
    for module_name, expression in LOCAL_RUNS:
        namespace = {**vars(modules[module_name]), "datetime": datetime}
        run = {"module": module_name, "expression": expression}
        stdout = io.StringIO()
        try:
            with contextlib.redirect_stdout(stdout):
                run["repr"] = repr(eval(expression, namespace))
        except Exception as exc:
            run["error"] = type(exc).__name__
            run["message"] = str(exc)
        out["local_runs"].append(run)
    target = pathlib.Path(__file__).parent.parent / "expected" / "control_flow.json"
    target.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(
        f"wrote {len(out['workflows'])} workflows, {len(out['launch_plans'])} launch plans, "
        f"{len(out['local_runs'])} runs to {target}"
    )


if __name__ == "__main__":
    main()

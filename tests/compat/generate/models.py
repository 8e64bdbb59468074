"""Write expected/models.json: the flyteidl message of each flytekit model construction in models_cases.py.

Run with flytekit 1.16.31 installed:
    benchmarks/.venv-flytekit-core/bin/python tests/compat/generate/models.py
"""

import base64
import json
import pathlib

from flytekit.models import literals, types
from flytekit.models.core import types as core_types
from models_cases import CASES, namespace


def main() -> None:
    env = namespace(literals, types, core_types)
    out = {}
    for name, expression in CASES:
        message = eval(expression, env).to_flyte_idl()
        out[name] = {
            "type": type(message).DESCRIPTOR.full_name,
            "bytes": base64.b64encode(message.SerializeToString(deterministic=True)).decode(),
        }
    target = pathlib.Path(__file__).parent.parent / "expected" / "models.json"
    target.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(out)} cases to {target}")


if __name__ == "__main__":
    main()

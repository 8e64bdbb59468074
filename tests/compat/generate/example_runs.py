"""Write expected/example_runs.json: what flytekit returns (repr) or raises (type) for local runs of the
compat examples.

    benchmarks/.venv-flytekit-core/bin/python tests/compat/generate/example_runs.py /work/shared/compat/examples
"""

import importlib
import json
import os
import pathlib
import shutil
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from example_runs_cases import CASES


def main(examples: str) -> None:
    work = tempfile.mkdtemp()
    shutil.copytree(examples, os.path.join(work, "examples"))
    sys.path.insert(0, work)
    out = []
    for module_name, expression in CASES:
        module = importlib.import_module(f"examples.{module_name}")
        namespace = dict(vars(module))
        namespace["datetime"] = __import__("datetime")
        try:
            result = {"repr": repr(eval(expression, namespace))}
        except Exception as exc:
            result = {"error": type(exc).__name__, "message": str(exc)}
        out.append({"module": module_name, "expression": expression, **result})
    target = pathlib.Path(__file__).parent.parent / "expected" / "example_runs.json"
    target.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {len(out)} runs to {target}")


if __name__ == "__main__":
    main(sys.argv[1])

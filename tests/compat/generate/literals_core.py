"""Write expected/literals_core.json: flytekit's literal types and literals for core Python values.

Run with a Python that has flytekit 1.16.31 installed:
    benchmarks/.venv-flytekit-core/bin/python tests/compat/generate/literals_core.py
"""

import base64
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.type_engine import TypeEngine
from literals_core_cases import CASES, NAMESPACE


def main() -> None:
    namespace = NAMESPACE(__import__("flytekit"))
    ctx = FlyteContextManager.current_context()
    out = []
    for case_id, value_src, type_src in CASES:
        python_type = eval(type_src, namespace)
        value = eval(value_src, namespace)
        lt = TypeEngine.to_literal_type(python_type)
        lit = TypeEngine.to_literal(ctx, value, python_type, lt)
        out.append(
            {
                "id": case_id,
                "value": value_src,
                "type": type_src,
                "literal_type": base64.b64encode(lt.to_flyte_idl().SerializeToString()).decode(),
                "literal": base64.b64encode(lit.to_flyte_idl().SerializeToString()).decode(),
            }
        )
    target = pathlib.Path(__file__).parent.parent / "expected" / "literals_core.json"
    target.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {len(out)} cases to {target}")


if __name__ == "__main__":
    main()

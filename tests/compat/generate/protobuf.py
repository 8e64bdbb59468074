"""Write expected/protobuf.json: flytekit's literal types and literals of protobuf messages (ProtobufTransformer).

Run with flytekit 1.16.31 installed:
    benchmarks/.venv-flytekit-core/bin/python tests/compat/generate/protobuf.py
"""

import base64
import json
import pathlib

from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.type_engine import TypeEngine
from protobuf_cases import CASES, namespace


def _b64(message) -> str:
    return base64.b64encode(message.SerializeToString(deterministic=True)).decode()


def main() -> None:
    ctx = FlyteContextManager.current_context()
    env = namespace()
    out = {}
    for name, value_expr, type_expr in CASES:
        python_type = eval(type_expr, env)
        literal_type = TypeEngine.to_literal_type(python_type)
        literal = TypeEngine.to_literal(ctx, eval(value_expr, env), python_type, literal_type)
        out[name] = {"literal_type": _b64(literal_type.to_flyte_idl()), "literal": _b64(literal.to_flyte_idl())}
    target = pathlib.Path(__file__).parent.parent / "expected" / "protobuf.json"
    target.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(out)} cases to {target}")


if __name__ == "__main__":
    main()

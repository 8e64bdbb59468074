"""Write expected/literals_structured.json: flytekit's literal types and literals for structured values.

Run with a Python that has flytekit 1.16.31, pydantic v2 and numpy installed:
    <venv>/bin/python tests/compat/generate/literals_structured.py
(the pydantic and numpy cases are skipped, and left out of the file, when those are missing).
"""

import base64
import json
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.type_engine import TypeEngine
from literals_structured_cases import (
    BLOB_CASES,
    CASES,
    DATACLASS_IO_RUNS,
    NAMESPACE,
    NUMPY_CASES,
    OLD_FORMAT_CASES,
    PYDANTIC_CASES,
    PYDANTIC_SOURCE,
    TYPE_CASES,
)


def _b64(message) -> str:
    return base64.b64encode(message.to_flyte_idl().SerializeToString()).decode()


def _schema(lt) -> str | None:
    # the schema dict as flytekit holds it, key order included (the protobuf Struct is unordered)
    return json.dumps(lt.metadata) if lt.metadata is not None else None


def _value_case(ctx, namespace, case_id, value_src, type_src, blob=False):
    python_type = eval(type_src, namespace)
    value = eval(value_src, namespace)
    lt = TypeEngine.to_literal_type(python_type)
    lit = TypeEngine.to_literal(ctx, value, python_type, lt)
    entry = {"id": case_id, "value": value_src, "type": type_src, "literal_type": _b64(lt), "schema": _schema(lt)}
    try:
        entry["read_back"] = repr(TypeEngine.to_python_value(ctx, lit, python_type))
    except Exception as exc:  # flytekit cannot read some of its own literals back (recorded, not compared)
        entry["read_back_error"] = f"{type(exc).__name__}: {exc}"
    if blob:
        entry["blob_type"] = _b64(lit.scalar.blob.metadata.type) if lit.scalar.blob else None
        entry["literal_metadata"] = dict(lit.metadata or {})
    else:
        entry["literal"] = _b64(lit)
    return entry


def _dataclass_io_runs() -> list:
    """What the shared example dataclass_io.py returns under flytekit."""
    import importlib.util

    path = pathlib.Path(__file__).parents[3].parent / "shared" / "compat" / "examples" / "dataclass_io.py"
    spec = importlib.util.spec_from_file_location("dataclass_io", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["dataclass_io"] = module
    spec.loader.exec_module(module)
    runs = []
    for expression in DATACLASS_IO_RUNS:
        runs.append({"expression": expression, "repr": repr(eval(expression, vars(module)))})
    return runs


def main() -> None:
    import flytekit

    namespace = NAMESPACE(flytekit)
    ctx = FlyteContextManager.current_context()
    out = {"cases": [], "old_format": [], "blobs": [], "types": [], "numpy": [], "pydantic": []}
    for case in CASES:
        out["cases"].append(_value_case(ctx, namespace, *case))
    TypeEngine._LITERAL_CACHE.clear()  # flytekit caches literals by pickled value: it would ignore the switch
    os.environ["FLYTE_USE_OLD_DC_FORMAT"] = "true"
    try:
        for case in OLD_FORMAT_CASES:
            out["old_format"].append(_value_case(ctx, namespace, *case))
    finally:
        del os.environ["FLYTE_USE_OLD_DC_FORMAT"]
    for case in BLOB_CASES:
        out["blobs"].append(_value_case(ctx, namespace, *case, blob=True))
    for case_id, type_src in TYPE_CASES:
        lt = TypeEngine.to_literal_type(eval(type_src, namespace))
        out["types"].append({"id": case_id, "type": type_src, "literal_type": _b64(lt)})
    try:
        import numpy as np
    except ImportError:
        print("numpy is not installed: numpy cases skipped")
    else:
        namespace["np"] = np
        import flytekit.types.numpy  # registers the transformer

        for case in NUMPY_CASES:
            out["numpy"].append(_value_case(ctx, namespace, *case, blob=True))
    try:
        import pydantic
    except ImportError:
        print("pydantic is not installed: pydantic cases skipped")
    else:
        import flytekit.extras.pydantic_transformer  # registers the transformer

        namespace["pydantic"] = pydantic
        exec(compile(PYDANTIC_SOURCE, "<pydantic cases>", "exec", dont_inherit=True), namespace)
        for case in PYDANTIC_CASES:
            out["pydantic"].append(_value_case(ctx, namespace, *case))
    out["dataclass_io"] = _dataclass_io_runs()
    target = pathlib.Path(__file__).parent.parent / "expected" / "literals_structured.json"
    target.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {sum(len(v) for v in out.values())} cases to {target}")


if __name__ == "__main__":
    main()

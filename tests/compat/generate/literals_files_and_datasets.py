r"""Write expected/literals_files_and_datasets.json: flytekit's literal types and literals of files,
directories and structured datasets.

Run with a Python that has flytekit 1.16.31, pandas and pyarrow importable, e.g. (from the repository root):
    benchmarks/.venv-flytekit-core/bin/pip install --target /tmp/fk-extra pandas pyarrow
    PYTHONPATH=/tmp/fk-extra benchmarks/.venv-flytekit-core/bin/python \
        tests/compat/generate/literals_files_and_datasets.py

Local paths are written as {TMP}; the random URI a dataframe is written to as {URI}, with the names of
the files written there under "files".
"""

import base64
import json
import os
import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from google.protobuf import json_format
from literals_files_and_datasets_cases import LITERAL_TYPES, LITERALS, NAMESPACE, prepare


def _json(message) -> dict:
    return json.loads(json_format.MessageToJson(message, sort_keys=True))


def main() -> None:
    import flytekit
    from flytekit.core.context_manager import ExecutionState, FlyteContextManager
    from flytekit.core.type_engine import TypeEngine

    tmp = tempfile.mkdtemp()
    prepare(tmp)
    namespace = NAMESPACE(flytekit, tmp)
    types_out = []
    for case_id, type_src in LITERAL_TYPES:
        lt = TypeEngine.to_literal_type(eval(type_src, namespace)).to_flyte_idl()
        types_out.append(
            {
                "id": case_id,
                "type": type_src,
                "literal_type": base64.b64encode(lt.SerializeToString(deterministic=True)).decode(),
                "json": _json(lt),
            }
        )
    literals_out = []
    root = FlyteContextManager.current_context()
    for case_id, value_src, type_src, mode in LITERALS:
        python_type = eval(type_src, namespace)
        ctx = root
        if mode == "local":
            state = root.new_execution_state().with_params(mode=ExecutionState.Mode.LOCAL_TASK_EXECUTION)
            ctx = root.with_execution_state(state).build()
        with FlyteContextManager.with_context(ctx.new_builder()) as ctx:
            value = eval(value_src, namespace)
            literal = TypeEngine.to_literal(ctx, value, python_type, TypeEngine.to_literal_type(python_type))
        literal = literal.to_flyte_idl()
        entry = {"id": case_id, "value": value_src, "type": type_src, "mode": mode}
        if literal.scalar.HasField("structured_dataset") and value_src.count("uri=") == 0:
            uri = literal.scalar.structured_dataset.uri
            entry["files"] = sorted(os.listdir(uri))
            literal.scalar.structured_dataset.uri = "{URI}"
        text = json.dumps(_json(literal)).replace(tmp, "{TMP}")
        entry["json"] = json.loads(text)
        if tmp not in json.dumps(_json(literal)):
            entry["literal"] = base64.b64encode(literal.SerializeToString(deterministic=True)).decode()
        literals_out.append(entry)
    target = pathlib.Path(__file__).parent.parent / "expected" / "literals_files_and_datasets.json"
    target.write_text(json.dumps({"literal_types": types_out, "literals": literals_out}, indent=1) + "\n")
    print(f"wrote {len(types_out)} literal types and {len(literals_out)} literals to {target}")


if __name__ == "__main__":
    main()

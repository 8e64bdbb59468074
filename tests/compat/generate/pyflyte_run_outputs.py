"""Write expected/pyflyte_run_outputs.json: what flytekit's ``pyflyte run`` prints for compat examples.

benchmarks/.venv-flytekit-core/bin/python tests/compat/generate/pyflyte_run_outputs.py /work/shared/compat/examples
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

CASES = [
    ["examples/hello.py", "hello_wf"],
    ["examples/hello.py", "hello_wf", "--name", "flyte"],
    ["examples/hello.py", "say_hello", "--name", "task"],
    ["examples/named_outputs.py", "named_wf"],
    ["examples/named_outputs.py", "tuple_wf", "--x", "3"],
    ["examples/map_tasks.py", "map_wf", "--xs", "[4, 5]"],
    ["examples/dataclass_io.py", "dataclass_wf", "--n", "4"],
    ["examples/conditional.py", "cond_wf", "--x", "5.0"],
    ["examples/subworkflow.py", "outer_wf", "--x", "2"],
    ["examples/typed_inputs.py", "required_wf", "--i", "3", "--s", "z", "--oi", "5"],
]


def main(examples: str) -> None:
    work = tempfile.mkdtemp()
    shutil.copytree(examples, os.path.join(work, "examples"))
    pyflyte = str(pathlib.Path(sys.executable).parent / "pyflyte")
    out = []
    for args in CASES:
        result = subprocess.run([pyflyte, "run", *args], cwd=work, capture_output=True, text=True, timeout=300)
        out.append({"args": args, "stdout": result.stdout, "exit_code": result.returncode})
    target = pathlib.Path(__file__).parent.parent / "expected" / "pyflyte_run_outputs.json"
    target.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {len(out)} runs to {target}")


if __name__ == "__main__":
    main(sys.argv[1])

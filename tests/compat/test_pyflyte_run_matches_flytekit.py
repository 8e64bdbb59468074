"""``pyflyte run`` prints what flytekit's ``pyflyte run`` prints for the same workflows and inputs.

Expected output: tests/compat/expected/pyflyte_run_outputs.json (generate/pyflyte_run_outputs.py, run with
flytekit 1.16.31 on the original examples); here the installed ``pyflyte`` runs a renamed copy.
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import re
import subprocess
import sys

import pytest

from tests.compat.conftest import EXAMPLES, port_examples

HERE = pathlib.Path(__file__).parent
RUNS = json.loads((HERE / "expected" / "pyflyte_run_outputs.json").read_text())
PYFLYTE = str(pathlib.Path(sys.executable).parent / "pyflyte")


@pytest.fixture(scope="module")
def renamed_examples(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    if not EXAMPLES.is_dir():
        pytest.skip(f"the shared compat examples are not available at {EXAMPLES}")
    return port_examples(tmp_path_factory.mktemp("run-examples"))


@pytest.mark.parametrize("run", RUNS, ids=[" ".join(r["args"]) for r in RUNS])
def test_output_is_the_same_as_flytekit(run: dict, renamed_examples: pathlib.Path) -> None:
    env = {**os.environ, "FLYTE_LOCAL_CACHE_ENABLED": "false"}
    result = subprocess.run(
        [PYFLYTE, "run", *run["args"]], cwd=renamed_examples, capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == run["exit_code"], result.stderr
    assert _same_text_and_numbers(result.stdout, run["stdout"]), (result.stdout, run["stdout"], result.stderr)


_FLOAT = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


def _same_text_and_numbers(found: str, expected: str) -> bool:
    """The same text, floats equal to their last bits: the examples' own ``sum()`` of floats is compensated
    from Python 3.12 on, so its last digit can differ from the output recorded on 3.11."""
    if _FLOAT.split(found) != _FLOAT.split(expected):
        return False
    pairs = zip(_FLOAT.findall(found), _FLOAT.findall(expected), strict=True)
    return all(math.isclose(float(a), float(b), rel_tol=1e-14) for a, b in pairs)

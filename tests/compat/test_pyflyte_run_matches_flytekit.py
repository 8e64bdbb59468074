"""``pyflyte run`` prints what flytekit's ``pyflyte run`` prints for the same workflows and inputs.

Expected output: tests/compat/expected/pyflyte_run_outputs.json (generate/pyflyte_run_outputs.py, run with
flytekit 1.16.31 on the original examples); here the installed ``pyflyte`` runs a renamed copy.
"""

from __future__ import annotations

import json
import os
import pathlib
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
    assert (result.returncode, result.stdout) == (run["exit_code"], run["stdout"]), result.stderr

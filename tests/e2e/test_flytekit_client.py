"""An unmodified flytekit 1.16.31 client registers and runs every non-plugin compat example on the sandbox.

Each case of tests/compat/expected/example_runs.json (expressions flytekit ran locally) is registered with
FlyteRemote.register_script (fast registration, as `pyflyte run --remote` does), executed on the sandbox,
waited for, and compared with the same expression run locally by flytekit: same outputs, or a failure
where the local run raised.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.compat.conftest import EXAMPLES
from tests.e2e.conftest import FLYTEKIT_IMAGE

pytestmark = pytest.mark.slow

CASES = json.loads((Path(__file__).parents[1] / "compat" / "expected" / "example_runs.json").read_text())
# The examples example_runs.json leaves out: a pod template (run from the pod's primary container) and files
# (a local file input uploads through the data proxy; the default input is on S3, which the sandbox is not).
CASES += [
    {"module": "pod_template", "expression": "pod_wf()"},
    {"module": "pod_template", "expression": "pod_wf(x=20)"},
    {"module": "files_dirs", "expression": "files_wf(content='hi', n=4, remote=FlyteFile('{root}/input.txt'))"},
]
SUCCEEDED, FAILED = 4, 6


@pytest.fixture(scope="module")
def results(sandbox, flytekit_python, tmp_path_factory) -> dict[str, dict]:
    if not EXAMPLES.is_dir():
        pytest.skip(f"the shared compat examples are not available at {EXAMPLES}")
    root = tmp_path_factory.mktemp("flytekit-project")
    shutil.copytree(EXAMPLES, root / "examples")
    (root / "input.txt").write_text("uploaded from the client")
    cases = root / "cases.json"
    cases.write_text(
        json.dumps([{"module": c["module"], "expression": c["expression"].format(root=root)} for c in CASES])
    )
    driver = Path(__file__).parent / "flytekit_driver.py"
    result = subprocess.run(
        [str(flytekit_python), str(driver), str(sandbox.config_path), str(root), FLYTEKIT_IMAGE, str(cases)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=root,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    lines = [line.removeprefix("RESULT ") for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    return {f"{r['module']}:{r['expression']}": r for r in map(json.loads, lines)}


@pytest.mark.parametrize("case", CASES, ids=[f"{c['module']}:{c['expression']}" for c in CASES])
def test_flytekit_runs_the_example_on_the_sandbox_as_locally(case: dict, results: dict[str, dict]) -> None:
    got = next(
        r for key, r in results.items() if key.startswith(f"{case['module']}:{case['expression'].split('{')[0]}")
    )
    if "local_error" in got:
        assert got["phase"] == FAILED, got
    else:
        assert got["phase"] == SUCCEEDED, got.get("error")
        assert got["remote"] == got["local"]


def test_the_console_url_flytekit_prints_shows_the_execution(sandbox, results: dict[str, dict]) -> None:
    import urllib.request

    got = results["hello:hello_wf(name='flyte')"]
    page_url = f"{sandbox.console_url}/projects/flytesnacks/domains/development/executions/{got['execution']}"
    with urllib.request.urlopen(page_url, timeout=10) as response:
        page = response.read().decode()
    assert "SUCCEEDED" in page and "'hello flyte'" in page
    with urllib.request.urlopen(f"{page_url}/logs/n0/0", timeout=10) as response:
        log = response.read().decode()
    assert "pyflyte-execute" in log and "task-name say_hello" in log

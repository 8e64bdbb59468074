"""Every compat example that needs no cluster and no plugin runs locally with flytekit's results.

Expected results: tests/compat/expected/example_runs.json, written by generate/example_runs.py with
flytekit 1.16.31 (the repr of the returned value, or the type of the raised exception).
"""

from __future__ import annotations

import datetime
import json
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE / "generate"))
RUNS = json.loads((HERE / "expected" / "example_runs.json").read_text())


@pytest.fixture(autouse=True)
def _no_shared_local_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_ENABLED", "false")


@pytest.mark.parametrize("run", RUNS, ids=[f"{r['module']}:{r['expression']}" for r in RUNS])
def test_example_run_matches_flytekit(run: dict, examples_package) -> None:
    module = examples_package(run["module"])
    namespace = {**vars(module), "datetime": datetime}
    if "error" in run:
        with pytest.raises(Exception) as info:
            eval(run["expression"], namespace)
        assert type(info.value).__name__ == run["error"], str(info.value)
    else:
        assert repr(eval(run["expression"], namespace)) == run["repr"]


def test_files_example_reading_s3_without_the_plugin_says_what_to_install(
    examples_package, flyte_plugin_manager
) -> None:
    module = examples_package("files_dirs")
    with pytest.raises(Exception, match="flyte-plugin-s3"):
        module.files_wf()

"""The benchmark harness (benchmarks/bench.py): its table logic, and every case once with tiny sizes."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("flyte_bench", ROOT / "benchmarks" / "bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["flyte_bench"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_targets_are_judged_on_the_ratio_the_absolute_value_or_the_memory_share(bench: ModuleType) -> None:
    report = bench.Report()
    report.add("g", "fast enough", "ms", 1000.0, 90.0, bench.at_least(10))
    report.add("g", "not fast enough", "ms", 1000.0, 200.0, bench.at_least(10))
    report.add("g", "absolute", "s", None, 0.4, bench.under(1, "s"))
    report.add("g", "too slow", "s", None, 1.5, bench.under(1, "s"))
    report.add("g", "memory", "MiB", 840.0, 250.0, bench.memory_share(1 / 3))
    report.add("g", "too much memory", "MiB", 840.0, 300.0, bench.memory_share(1 / 3))
    report.add("g", "no target", "ms", 10.0, 5.0)
    assert [r.met for r in report.rows] == [True, False, True, False, True, False, None]
    table = report.markdown()
    assert "| g | fast enough | ms | 1,000 | 90 | 11.1x | >= 10x | yes |" in table
    assert "| g | too slow | s |  | 1.5 |  | < 1 s | **no** |" in table
    assert "| g | memory | MiB | 840 | 250 | 3.4x | <= 1/3 of flytekit's | yes |" in table


def test_a_failing_command_raises_with_its_output(bench: ModuleType) -> None:
    with pytest.raises(bench.BenchError, match="exited with 3:\n.*boom"):
        bench.run_once([sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"])


def test_run_once_measures_the_process_peak_memory(bench: ModuleType) -> None:
    _, small, _ = bench.run_once([sys.executable, "-c", "pass"])
    _, large, out = bench.run_once(
        [sys.executable, "-c", "x = bytearray(200 * 2**20); x[::4096] = b'1' * len(x[::4096]); print('ok')"]
    )
    assert out.strip() == "ok" and large - small > 150 * 1024


@pytest.mark.slow
def test_every_case_runs_once_with_tiny_sizes(bench: ModuleType, tmp_path: Path) -> None:
    if not (bench.FLYTEKIT_CORE / "bin" / "python").exists():
        pytest.skip(f"the reference flytekit venv is not installed at {bench.FLYTEKIT_CORE} (make test installs it)")
    if not (bench.SHARED_BENCH / "bench_local.py").exists():
        pytest.skip(f"the shared bench harness is not available at {bench.SHARED_BENCH}")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--smoke", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    rows = json.loads((tmp_path / "report.json").read_text())
    assert {r["group"] for r in rows} == {"startup", "local", "container", "sandbox"}
    assert all(r["flyte_core"] is not None and r["flyte_core"] > 0 for r in rows)
    assert sum(1 for r in rows if r["flytekit"] is not None) == len(rows) - 1  # the sandbox start has no counterpart
    names = [r["name"] for r in rows]
    for expected in ("import", "pyflyte --help", "pyflyte run hello.py hello_wf", "chain of 5 tasks, per node",
                     "TypeEngine list[int] x1,000 round trip", "pyflyte-execute hello (inputs.pb to outputs.pb)",
                     "2 hello executions at once, until all succeeded"):  # fmt: skip
        assert expected in names, names
    assert (tmp_path / "report.md").read_text() in result.stdout

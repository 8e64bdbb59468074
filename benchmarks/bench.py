"""`make bench`: flyte-core side by side with flytekit 1.16.31, every case in one run, one table.

    .venv/bin/python benchmarks/bench.py                 # the full sizes (about 15 minutes on 2 cores)
    .venv/bin/python benchmarks/bench.py --smoke         # each case once with tiny sizes (the harness test)
    .venv/bin/python benchmarks/bench.py --only startup,local

Each measurement runs both SDKs back to back, in fresh processes: the median wall time of RUNS runs after
a warm-up, and the peak resident memory of each process (``wait4``'s ``ru_maxrss``, so neither hyperfine
nor GNU time is needed). The table (also written to ``<out>/report.md`` and ``report.json``) gives
flytekit's median, flyte-core's, their ratio, and the target the project set for it.

The environments (``make bench`` creates them once): ``.venv`` (flyte-core and every plugin distribution
of this repository), ``benchmarks/.venv-flytekit`` (flytekit 1.16.31 with flytekitplugins-ray, -spark and
-pod: the fair start-up comparison, as flytekit imports its plugins at start-up) and
``benchmarks/.venv-flytekit-core`` (flytekit alone: the local-engine, container and sandbox cases, as in
``../shared/bench/BASELINE.md``). Without ``.venv-flytekit`` the start-up rows use flytekit alone and say so.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED_BENCH = Path(os.environ.get("BENCH", ROOT.parent / "shared" / "bench"))
OURS = Path(os.environ.get("OURS", ROOT / ".venv"))
FLYTEKIT = Path(os.environ.get("THEIRS", HERE / ".venv-flytekit"))
FLYTEKIT_CORE = Path(os.environ.get("THEIRS_CORE", HERE / ".venv-flytekit-core"))
IMAGE = "ghcr.io/flyte-core/flytekit-bench:v1"
"""The image flytekit-registered tasks name; the sandbox runs them in FLYTEKIT_CORE (``--image-env``)."""
OUR_IMAGE = "ghcr.io/flyte-core/bench:v1"
"""The image flyte-core-registered tasks name: not mapped, so they run in the sandbox's own environment."""

GROUPS = ("startup", "local", "container", "sandbox")


@dataclass(frozen=True)
class Sizes:
    runs: int
    warmup: int
    local: dict[str, int]
    burst: int
    chain: int
    chain_flytekit: int


FULL = Sizes(
    runs=5,
    warmup=1,
    local={"chain": 200, "fanout": 200, "map": 2000, "te_list": 1_000_000, "te_dict": 100_000, "te_dc": 10_000},
    burst=100,
    chain=200,
    # flytekit's task processes take ~1.5 s each (its imports): per-node time is measured on a shorter chain
    chain_flytekit=50,
)
SMOKE = Sizes(
    runs=1,
    warmup=0,
    local={"chain": 5, "fanout": 5, "map": 20, "te_list": 1000, "te_dict": 100, "te_dc": 10},
    burst=2,
    chain=3,
    chain_flytekit=2,
)
LOCAL_RUNS = {"te_list": 3}
"""Cases whose flytekit run takes half a minute: fewer runs in the full benchmark."""


class BenchError(RuntimeError):
    """A command of the benchmark failed: the message says which, with the end of its output."""


# -- measuring ----------------------------------------------------------------------------------------------------


@dataclass
class Sample:
    """Wall times (s) and peak resident memory (KiB) of the timed runs, and the last run's standard output."""

    seconds: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    stdout: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak_mib(self) -> float:
        return max(self.rss_kib) / 1024


# Runs one command and writes "<wall seconds> <peak RSS KiB>" to the file named first. A process's peak RSS
# (ru_maxrss) starts from that of the process it was spawned from, so commands are spawned by this small
# interpreter (about 8 MiB), not by the harness (the measured interpreters are larger); timing here leaves the
# launcher's own start-up out.
_LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - started
with open(sys.argv[1], "w") as f:
    f.write(f"{elapsed} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_once(argv: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Run ``argv``; its wall time, peak RSS (KiB) and standard output. A failure raises BenchError."""
    with tempfile.NamedTemporaryFile("r", suffix=".usage") as usage:
        launcher = [sys.executable, "-S", "-I", "-c", _LAUNCHER, usage.name, *argv]
        result = subprocess.run(launcher, cwd=cwd, env=env, capture_output=True, text=True, errors="replace")
        if result.returncode != 0:
            output = (result.stdout + result.stderr)[-3000:]
            raise BenchError(f"{' '.join(argv)} exited with {result.returncode}:\n{output}")
        elapsed, rss = usage.read().split()
    return float(elapsed), int(rss), result.stdout


def sample(argv: Sequence[str], runs: int, warmup: int, **kwargs: object) -> Sample:
    result = Sample()
    for index in range(warmup + runs):
        seconds, rss, stdout = run_once(argv, **kwargs)  # type: ignore[arg-type]
        if index >= warmup:
            result.seconds.append(seconds)
            result.rss_kib.append(rss)
            result.stdout = stdout
    return result


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without Flyte settings (no config file, no platform URL), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE", "_FLYTE", "PYTHONPATH"))}
    return {**env, "PYTHONDONTWRITEBYTECODE": "1", **extra}


# -- the table -----------------------------------------------------------------------------------------------------


@dataclass
class Row:
    group: str
    name: str
    unit: str
    flytekit: float | None
    flyte_core: float | None
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.flytekit is None or not self.flyte_core:
            return None
        return self.flytekit / self.flyte_core


def at_least(ratio: float) -> Callable[[Row], tuple[str, bool | None]]:
    """Target: flytekit / flyte-core >= ratio."""
    return lambda row: (f">= {ratio:g}x", None if row.ratio is None else row.ratio >= ratio)


def under(limit: float, unit: str) -> Callable[[Row], tuple[str, bool | None]]:
    """Target: flyte-core's value below an absolute limit."""
    return lambda row: (f"< {limit:g} {unit}", None if row.flyte_core is None else row.flyte_core < limit)


def memory_share(share: float) -> Callable[[Row], tuple[str, bool | None]]:
    """Target: flyte-core's peak memory at most ``share`` of flytekit's."""
    return lambda row: (
        f"<= 1/{round(1 / share)} of flytekit's",
        None if row.ratio is None else row.ratio >= 1 / share,
    )


class Report:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.notes: list[str] = []

    def add(
        self,
        group: str,
        name: str,
        unit: str,
        flytekit: float | None,
        flyte_core: float | None,
        target: Callable[[Row], tuple[str, bool | None]] | None = None,
    ) -> None:
        row = Row(group, name, unit, flytekit, flyte_core)
        if target is not None:
            row.target, row.met = target(row)
        self.rows.append(row)

    def pair(
        self,
        group: str,
        name: str,
        theirs: Sample,
        ours: Sample,
        target: Callable[[Row], tuple[str, bool | None]] | None = None,
        memory: Callable[[Row], tuple[str, bool | None]] | None = None,
    ) -> None:
        """A timed row (ms) and its peak-memory row."""
        self.add(group, name, "ms", theirs.median * 1e3, ours.median * 1e3, target)
        self.add(group, f"{name}: peak RSS", "MiB", theirs.peak_mib, ours.peak_mib, memory)

    def markdown(self) -> str:
        lines = [
            "| group | measurement | unit | flytekit 1.16.31 | flyte-core | flytekit / flyte-core | target | met |",
            "|---|---|---|---:|---:|---:|---|---|",
        ]
        for row in self.rows:
            ratio = "" if row.ratio is None else f"{row.ratio:.1f}x"
            met = {True: "yes", False: "**no**", None: ""}[row.met]
            lines.append(
                f"| {row.group} | {row.name} | {row.unit} | {_number(row.flytekit)} | {_number(row.flyte_core)} "
                f"| {ratio} | {row.target} | {met} |"
            )
        return "\n".join(lines + [""] + [f"- {note}" for note in self.notes]) + "\n"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


# -- the cases ----------------------------------------------------------------------------------------------------


def hello_for(sdk: str, directory: Path) -> Path:
    """The shared bench's hello workflow, written for ``sdk``; its directory."""
    directory.mkdir(parents=True, exist_ok=True)
    source = (SHARED_BENCH / "hello.py").read_text()
    (directory / "hello.py").write_text(source.replace("from flytekit ", f"from {sdk} "))
    return directory


def startup(report: Report, sizes: Sizes, work: Path) -> None:
    theirs = FLYTEKIT if (FLYTEKIT / "bin" / "pyflyte").exists() else FLYTEKIT_CORE
    if theirs == FLYTEKIT_CORE:
        report.notes.append(f"start-up: flytekit without its ray/spark/pod plugins ({FLYTEKIT} is not installed)")
    group = "startup"
    env = clean_env()
    py_theirs, py_ours = f"{theirs}/bin/python", f"{OURS}/bin/python"
    commands = [
        ("python -c pass (interpreter floor)", [py_theirs, "-c", "pass"], [py_ours, "-c", "pass"], None),
        ("import", [py_theirs, "-c", "import flytekit"], [py_ours, "-c", "import flyte_core"], at_least(10)),
        ("pyflyte --help", [f"{theirs}/bin/pyflyte", "--help"], [f"{OURS}/bin/pyflyte", "--help"], at_least(10)),
    ]
    for name, theirs_argv, ours_argv, target in commands:
        flytekit = sample(theirs_argv, sizes.runs * 2, sizes.warmup, env=env)
        flyte_core = sample(ours_argv, sizes.runs * 2, sizes.warmup, env=env)
        report.pair(group, name, flytekit, flyte_core, target)
    run = ["run", "hello.py", "hello_wf"]
    flytekit = sample(
        [f"{theirs}/bin/pyflyte", *run], sizes.runs, sizes.warmup, cwd=hello_for("flytekit", work / "fk"), env=env
    )
    flyte_core = sample(
        [f"{OURS}/bin/pyflyte", *run], sizes.runs, sizes.warmup, cwd=hello_for("flyte_core", work / "fc"), env=env
    )
    if flytekit.stdout.strip() != flyte_core.stdout.strip():
        raise BenchError(
            f"pyflyte run hello printed {flytekit.stdout!r} with flytekit, {flyte_core.stdout!r} with ours"
        )
    report.pair(group, "pyflyte run hello.py hello_wf", flytekit, flyte_core, at_least(5))


LOCAL_CASES = {
    # case: (label, key, unit scale, target, memory target)
    "chain": ("chain of {n} tasks, per node", "per_node_ms", at_least(10), None),
    "fanout": ("fan-out of {n} tasks, per node", "per_node_ms", at_least(10), None),
    "map": ("map_task over {n} items, per item", "per_item_ms", at_least(5), None),
    "te_list": ("TypeEngine list[int] x{n} round trip", "round_trip_s", at_least(20), memory_share(1 / 3)),
    "te_dict": ("TypeEngine dict[str,float] x{n} round trip", "round_trip_s", at_least(15), None),
    "te_dc": ("TypeEngine {n} nested dataclasses round trip", "round_trip_s", at_least(10), None),
}


def local(report: Report, sizes: Sizes, work: Path) -> None:
    script = SHARED_BENCH / "bench_local.py"
    for case, (label, key, target, memory) in LOCAL_CASES.items():
        n = sizes.local[case]
        runs = min(sizes.runs, LOCAL_RUNS.get(case, sizes.runs))
        measured = {}
        for sdk, venv in (("flytekit", FLYTEKIT_CORE), ("flyte_core", OURS)):
            values, rss = [], []
            for _ in range(runs):
                _, peak, stdout = run_once(
                    [f"{venv}/bin/python", str(script), case, str(n)], cwd=SHARED_BENCH, env=clean_env(BENCH_SDK=sdk)
                )
                result = json.loads(stdout.strip().splitlines()[-1])
                values.append(result[key] * (1e3 if key.endswith("_s") else 1.0))
                rss.append(peak)
            measured[sdk] = (statistics.median(values), max(rss) / 1024)
        name = label.format(n=f"{n:,}")
        report.add("local", name, "ms", measured["flytekit"][0], measured["flyte_core"][0], target)
        report.add("local", f"{name}: peak RSS", "MiB", measured["flytekit"][1], measured["flyte_core"][1], memory)


def container(report: Report, sizes: Sizes, work: Path) -> None:
    """``pyflyte-execute`` of a hello task from inputs.pb to outputs.pb, with flytekit's serialized arguments."""
    work.mkdir(parents=True, exist_ok=True)
    for sdk in ("flyte_core", "flytekit"):
        package = work / f"app_{sdk}"
        package.mkdir(exist_ok=True)
        (package / "__init__.py").write_text("")
        (package / "hello.py").write_text(
            f'from {sdk} import task\n\n\n@task\ndef hello(name: str) -> str:\n    return f"hello {{name}}"\n'
        )
    make_inputs = textwrap.dedent("""
        from flyteidl.core import literals_pb2
        from flyte_core.context import FlyteContextManager
        from flyte_core.types.type_engine import TypeEngine
        ctx = FlyteContextManager.current_context()
        literal = TypeEngine.to_literal(ctx, "world", str, TypeEngine.to_literal_type(str))
        open("inputs.pb", "wb").write(literals_pb2.LiteralMap(literals={"name": literal}).SerializeToString())
    """)
    run_once([f"{OURS}/bin/python", "-c", make_inputs], cwd=work)

    def argv(sdk: str, venv: Path) -> list[str]:
        return [
            f"{venv}/bin/pyflyte-execute", "--inputs", "inputs.pb", "--output-prefix", f"out_{sdk}",
            "--raw-output-data-prefix", f"raw_{sdk}", "--checkpoint-path", "{{.checkpointOutputPrefix}}",
            "--prev-checkpoint", "{{.prevCheckpointPrefix}}",
            "--resolver", "flytekit.core.python_auto_container.default_task_resolver",
            "--", "task-module", f"app_{sdk}.hello", "task-name", "hello",
        ]  # fmt: skip

    env = clean_env()
    flytekit = sample(argv("flytekit", FLYTEKIT_CORE), sizes.runs * 2, sizes.warmup, cwd=work, env=env)
    flyte_core = sample(argv("flyte_core", OURS), sizes.runs * 2, sizes.warmup, cwd=work, env=env)
    for sdk in ("flytekit", "flyte_core"):
        if not (work / f"out_{sdk}" / "outputs.pb").exists():
            raise BenchError(f"pyflyte-execute with {sdk} wrote no outputs.pb")
    report.pair("container", "pyflyte-execute hello (inputs.pb to outputs.pb)", flytekit, flyte_core, at_least(5))


def sandbox(report: Report, sizes: Sizes, work: Path) -> None:
    """The sandbox, started by flyte-core, driven by both SDKs' clients (flytekit's tasks run in its venv)."""
    state = work / "state"
    env = clean_env()
    started = time.perf_counter()
    run_once(
        [f"{OURS}/bin/pyflyte", "sandbox", "start", "--state-dir", str(state), "--port", "0", "--http-port", "0",
         "--max-parallel", "2", "--image-env", f"{IMAGE}={FLYTEKIT_CORE}"],
        env=env,
    )  # fmt: skip
    ready = time.perf_counter() - started
    try:
        config = str(state / "config.yaml")
        report.add("sandbox", "pyflyte sandbox start until it serves", "s", None, ready, under(1, "s"))
        roots = {"flytekit": work / "flytekit", "flyte_core": work / "flyte_core"}
        for sdk, root in roots.items():
            hello_for(sdk, root)
            n = sizes.chain_flytekit if sdk == "flytekit" else sizes.chain
            (root / "chain.py").write_text(_chain_module(sdk, n))

        run = ["run", "--remote", "--wait", "hello.py", "hello_wf", "--name", "bench"]
        flytekit = sample(
            [f"{FLYTEKIT_CORE}/bin/pyflyte", "-c", config, "run", "--image", IMAGE, "--remote", "--wait",
             "--poll-interval", "1", *run[3:]],
            sizes.runs, 1, cwd=roots["flytekit"], env=env,
        )  # fmt: skip
        flyte_core = sample(
            [f"{OURS}/bin/pyflyte", "-c", config, *run], sizes.runs, 1, cwd=roots["flyte_core"], env=env
        )
        report.add("sandbox", "hello: pyflyte run --remote --wait, each SDK's CLI", "s",
                   flytekit.median, flyte_core.median, under(2, "s"))  # fmt: skip

        results = {}
        for sdk, venv in (("flytekit", FLYTEKIT_CORE), ("flyte_core", OURS)):
            image = IMAGE if sdk == "flytekit" else OUR_IMAGE
            client = [f"{venv}/bin/python", str(HERE / "sandbox_client.py"), config, str(roots[sdk]), image]
            sdk_env = clean_env(BENCH_SDK=sdk)
            _, _, burst = run_once([*client, "burst", str(sizes.burst)], cwd=roots[sdk], env=sdk_env)
            _, _, chain = run_once([*client, "chain"], cwd=roots[sdk], env=sdk_env)
            results[sdk] = (json.loads(burst.strip().splitlines()[-1]), json.loads(chain.strip().splitlines()[-1]))
        (theirs_burst, theirs_chain), (ours_burst, ours_chain) = results["flytekit"], results["flyte_core"]
        for sdk, (burst, _) in results.items():
            if burst["burst_failed"]:
                raise BenchError(f"{burst['burst_failed']} of the {sdk} client's executions failed")
        report.add("sandbox", "hello: one execution, create to succeeded", "s",
                   theirs_burst["single_s"], ours_burst["single_s"])  # fmt: skip
        report.add("sandbox", f"{sizes.burst} hello executions at once, until all succeeded", "s",
                   theirs_burst["burst_s"], ours_burst["burst_s"], under(60, "s"))  # fmt: skip
        report.add("sandbox", f"chain workflow, per node ({sizes.chain_flytekit} / {sizes.chain} nodes)", "s",
                   theirs_chain["single_s"] / sizes.chain_flytekit, ours_chain["single_s"] / sizes.chain)  # fmt: skip
        report.notes.append(
            "sandbox: both clients drive the same flyte-core sandbox (flytectl demo needs Docker); flytekit-registered "
            "tasks run in flytekit's venv (--image-env), so those rows include flytekit's task start-up"
        )
    finally:
        subprocess.run(
            [f"{OURS}/bin/pyflyte", "sandbox", "stop", "--state-dir", str(state)], env=env, capture_output=True
        )


def _chain_module(sdk: str, n: int) -> str:
    return textwrap.dedent(f"""
        from {sdk} import task, workflow


        @task
        def add_one(x: int) -> int:
            return x + 1


        @workflow
        def chain_wf(x: int = 0) -> int:
            for _ in range({n}):
                x = add_one(x=x)
            return x
    """)


CASES: dict[str, Callable[[Report, Sizes, Path], None]] = {
    "startup": startup,
    "local": local,
    "container": container,
    "sandbox": sandbox,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="each case once, tiny sizes (tests the harness)")
    parser.add_argument("--only", default=",".join(GROUPS), help=f"comma-separated groups of {', '.join(GROUPS)}")
    parser.add_argument("--out", type=Path, default=HERE / "results", help="where report.md and report.json go")
    args = parser.parse_args(argv)
    groups = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = [g for g in groups if g not in CASES]
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}: choose from {', '.join(GROUPS)}")
    missing = [str(v) for v in (OURS, FLYTEKIT_CORE) if not (v / "bin" / "python").exists()]
    if missing or not (SHARED_BENCH / "bench_local.py").exists():
        print(f"missing: {', '.join(missing) or SHARED_BENCH} ('make bench' sets the environments up)", file=sys.stderr)
        return 2
    sizes = SMOKE if args.smoke else FULL
    report = Report()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="flyte-bench-"))
    try:
        for group in groups:
            began = time.perf_counter()
            print(f"[{group}] ...", file=sys.stderr, flush=True)
            CASES[group](report, sizes, work / group)
            print(f"[{group}] {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = report.markdown()
    (args.out / "report.md").write_text(table)
    (args.out / "report.json").write_text(json.dumps([asdict(r) | {"ratio": r.ratio} for r in report.rows], indent=2))
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

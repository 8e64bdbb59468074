#!/usr/bin/env bash
# The sandbox: start to ready, then hello end to end and a burst of executions at once, registered by
# flyte-core (tasks run flyte-core's pyflyte-execute) and by an unmodified flytekit 1.16.31 client (tasks run
# in the flytekit venv, mapped with --image-env). There is no flytekit equivalent of the sandbox to compare
# against: flytectl demo needs Docker and a k3s cluster.
#
#   bash benchmarks/sandbox.sh            # N=100 executions for flyte-core, NK=20 for flytekit
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
OURS="${OURS:-$ROOT/.venv}"
THEIRS="${THEIRS:-$HERE/.venv-flytekit-core}"
N="${N:-100}"
NK="${NK:-20}"
OUT="${OUT:-$HERE/results/sandbox}"
[ -x "$THEIRS/bin/python" ] || { echo "the reference flytekit venv is needed at $THEIRS: make test sets it up" >&2; exit 1; }
rm -rf "$OUT" && mkdir -p "$OUT/ours" "$OUT/flytekit"
STATE="$OUT/state"
sed "s/^from flytekit /from flyte_core /" "$ROOT/../shared/compat/examples/hello.py" > "$OUT/ours/hello.py"
cp "$ROOT/../shared/compat/examples/hello.py" "$OUT/flytekit/hello.py"
IMAGE="ghcr.io/flyte-core/flytekit-bench:v1"

start=$(date +%s.%N)
"$OURS/bin/pyflyte" sandbox start --state-dir "$STATE" --port 0 --http-port 0 --image-env "$IMAGE=$THEIRS" > /dev/null
ready=$(date +%s.%N)
trap '"$OURS/bin/pyflyte" sandbox stop --state-dir "$STATE" > /dev/null' EXIT
ENDPOINT=$("$OURS/bin/python" -c "import json,sys; d=json.load(open(sys.argv[1])); print(f'localhost:{d[\"grpc_port\"]}')" "$STATE/sandbox.json")

(cd "$OUT/ours" && "$OURS/bin/python" "$HERE/sandbox_ours.py" "$ENDPOINT" "$OUT/ours" "$N") > "$OUT/ours.json"
(cd "$OUT/flytekit" && "$THEIRS/bin/python" "$HERE/sandbox_client.py" "$STATE/config.yaml" "$OUT/flytekit" "$IMAGE" "$NK" 2>/dev/null | tail -1) > "$OUT/flytekit.json"

# `pyflyte run --remote --wait hello.py hello_wf` end to end with each SDK's own CLI (median of RUNS after one
# warm-up run that registers; flytekit polls in whole seconds, so it gets its smallest --poll-interval, 1).
RUNS="${RUNS:-5}"
"$OURS/bin/python" - "$STATE/config.yaml" "$RUNS" "$OUT" "$OURS/bin/pyflyte" "$THEIRS/bin/pyflyte" "$IMAGE" > "$OUT/cli.json" <<'PYEOF'
import json, statistics, subprocess, sys, time
config, runs, out, ours, theirs, image = sys.argv[1], int(sys.argv[2]), sys.argv[3], *sys.argv[4:7]
def timed(command, cwd):
    times = []
    for i in range(runs + 1):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])
run = ["run", "--remote", "--wait", "hello.py", "hello_wf", "--name", "bench"]
print(json.dumps({
    "ours": timed([ours, "-c", config, *run], f"{out}/ours"),
    "flytekit": timed([theirs, "-c", config, "run", "--image", image, "--remote", "--wait", "--poll-interval", "1",
                       *run[3:]], f"{out}/flytekit"),
}))
PYEOF

"$OURS/bin/python" - "$start" "$ready" "$OUT/ours.json" "$OUT/flytekit.json" "$OUT/cli.json" <<'PYEOF'
import json, sys
start, ready = float(sys.argv[1]), float(sys.argv[2])
ours, theirs, cli = (json.load(open(p)) for p in sys.argv[3:6])
print("| measurement | registered by flyte-core | registered by flytekit 1.16.31 |")
print("|---|---:|---:|")
print(f"| `pyflyte sandbox start` until it serves | {ready - start:.2f} s | |")
print(f"| `pyflyte run --remote --wait hello.py hello_wf` (each SDK's CLI) | {cli['ours']:.2f} s "
      f"| {cli['flytekit']:.2f} s |")
print(f"| fast registration of hello_wf | {ours['register_s']:.2f} s | {theirs['register_s']:.2f} s |")
print(f"| one hello execution, create to succeeded | {ours['single_s']:.2f} s | {theirs['single_s']:.2f} s |")
print(f"| {ours['burst']} / {theirs['burst']} executions at once, all succeeded | {ours['burst_s']:.1f} s "
      f"({ours['burst_failed']} failed) | {theirs['burst_s']:.1f} s ({theirs['burst_failed']} failed) |")
PYEOF

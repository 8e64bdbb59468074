#!/usr/bin/env bash
# The local-engine cases of ../shared/bench (bench_local.py and the CLI rows of run_bench.sh), run for
# flytekit 1.16.31 (its own venv, benchmarks/.venv-flytekit-core) and for flyte-core back to back, then
# one table of medians and ratios.
#
#   bash benchmarks/local_engine.sh                     # RUNS=3, all cases
#   RUNS=5 CASES="chain fanout" bash benchmarks/local_engine.sh
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
BENCH="${BENCH:-$ROOT/../shared/bench}"
OURS="${OURS:-$ROOT/.venv}"
THEIRS="${THEIRS:-$HERE/.venv-flytekit-core}"
RUNS="${RUNS:-3}"
export CASES="${CASES-chain fanout map te_list te_dict te_dc}"
OUT="${OUT:-$HERE/results/local}"

[ -f "$BENCH/run_bench.sh" ] || { echo "the shared bench harness is needed at $BENCH" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install -y hyperfine" >&2; exit 1; }
if [ ! -x "$THEIRS/bin/pyflyte" ]; then
  python3 -m venv "$THEIRS"
  "$THEIRS/bin/pip" install --quiet flytekit==1.16.31
fi
"$OURS/bin/python" -m compileall -q "$ROOT/core"   # as an installed (non-editable) package would be
rm -rf "$OUT" && mkdir -p "$OUT"
PY="$THEIRS/bin/python" SDK=flytekit RUNS="$RUNS" bash "$BENCH/run_bench.sh" "$OUT/flytekit" > "$OUT/flytekit.log" 2>&1
PY="$OURS/bin/python" SDK=flyte_core RUNS="$RUNS" bash "$BENCH/run_bench.sh" "$OUT/flyte_core" > "$OUT/flyte_core.log" 2>&1
python3 "$HERE/compare_runs.py" "$BENCH" "$OUT/flytekit" "$OUT/flyte_core"

#!/usr/bin/env bash
# Start-up, side by side in one hyperfine run per row: `import` and `pyflyte --help` of flyte-core (with
# every plugin distribution of this repository installed: `make install`) against flytekit 1.16.31 with
# flytekitplugins-ray/-spark/-pod, the fair comparison (flytekit imports its plugins at start-up).
#
#   bash benchmarks/startup.sh            # RUNS=10 by default; results in benchmarks/results/startup/
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
OURS="${OURS:-$ROOT/.venv}"
THEIRS="${THEIRS:-$HERE/.venv-flytekit}"
FLYTEKIT_PACKAGES="${FLYTEKIT_PACKAGES:-flytekit==1.16.31 flytekitplugins-ray==1.16.31 flytekitplugins-spark==1.16.31 flytekitplugins-pod==1.16.31}"
RUNS="${RUNS:-10}"
OUT="${OUT:-$HERE/results/startup}"

command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install -y hyperfine" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time is needed: apt-get install -y time" >&2; exit 1; }
if [ ! -x "$THEIRS/bin/pyflyte" ]; then
  python3 -m venv "$THEIRS"
  # pyspark is published only as an sdist whose setup.py needs pkg_resources (setuptools < 81), and an
  # unpinned resolve backtracks to a pandas sdist: build without isolation, pin what the baseline used.
  "$THEIRS/bin/pip" install --quiet "setuptools<81" wheel
  "$THEIRS/bin/pip" install --quiet --no-build-isolation pyspark==4.3.0
  # shellcheck disable=SC2086
  "$THEIRS/bin/pip" install --quiet --no-build-isolation $FLYTEKIT_PACKAGES pandas==3.1.1 numpy==2.4.6
fi
mkdir -p "$OUT"
export PYTHONDONTWRITEBYTECODE=1

hf() {
  local name="$1"; shift
  hyperfine -N --style basic --warmup 2 --runs "$RUNS" --export-json "$OUT/$name.json" "$@" > "$OUT/$name.txt"
}
hf python_startup "$THEIRS/bin/python -c pass" "$OURS/bin/python -c pass"
hf import "$THEIRS/bin/python -c 'import flytekit'" "$OURS/bin/python -c 'import flyte_core'"
hf pyflyte_help "$THEIRS/bin/pyflyte --help" "$OURS/bin/pyflyte --help"

rss() {
  local out="$1"; shift
  : > "$out"
  for _ in $(seq "$RUNS"); do /usr/bin/time -f "%M" -a -o "$out" "$@" > /dev/null; done
}
rss "$OUT/rss_import_flytekit.txt" "$THEIRS/bin/python" -c "import flytekit"
rss "$OUT/rss_import_flyte_core.txt" "$OURS/bin/python" -c "import flyte_core"

python3 "$HERE/compare.py" "$OUT"

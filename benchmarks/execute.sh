#!/usr/bin/env bash
# The container entrypoint, side by side in one hyperfine run per row: `pyflyte-execute` running a hello task
# from a local inputs.pb to outputs.pb, as a task pod does, with flyte-core (.venv) and with flytekit 1.16.31
# alone (benchmarks/.venv-flytekit-core); then the same behind `pyflyte-fast-execute`, the code coming from a
# fast-registration archive. The task file is the same but for its import line; both get flytekit's serialized
# arguments (resolver flytekit.core.python_auto_container.default_task_resolver).
#
#   bash benchmarks/execute.sh            # RUNS=20 by default; results in benchmarks/results/execute/
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
OURS="${OURS:-$ROOT/.venv}"
THEIRS="${THEIRS:-$HERE/.venv-flytekit-core}"
RUNS="${RUNS:-20}"
OUT="${OUT:-$HERE/results/execute}"

command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install -y hyperfine" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time is needed: apt-get install -y time" >&2; exit 1; }
[ -x "$OURS/bin/pyflyte-execute" ] || { echo "flyte-core is not installed in $OURS: make install" >&2; exit 1; }
if [ ! -x "$THEIRS/bin/pyflyte-execute" ]; then
  python3 -m venv "$THEIRS"
  "$THEIRS/bin/pip" install --quiet flytekit==1.16.31
fi
"$OURS/bin/python" -m compileall -q "$ROOT/core"   # as an installed (non-editable) package would be
rm -rf "$OUT" && mkdir -p "$OUT/work"
cd "$OUT/work"

# One hello task per SDK, in a package each (the task module is imported by name, as in a container).
for sdk in flyte_core flytekit; do
  mkdir -p "app_$sdk"
  : > "app_$sdk/__init__.py"
  cat > "app_$sdk/hello.py" <<EOF
from $sdk import task


@task
def hello(name: str) -> str:
    return f"hello {name}"
EOF
done
"$OURS/bin/python" - <<'EOF'
from flyteidl.core import literals_pb2

from flyte_core.sdk.context import FlyteContextManager
from flyte_core.types.type_engine import TypeEngine

ctx = FlyteContextManager.current_context()
literal = TypeEngine.to_literal(ctx, "world", str, TypeEngine.to_literal_type(str))
open("inputs.pb", "wb").write(literals_pb2.LiteralMap(literals={"name": literal}).SerializeToString())
EOF
# The code archive both fast-execute rows unpack (it holds both task packages).
mkdir -p source && cp -r app_flyte_core app_flytekit source/
ARCHIVE="$("$OURS/bin/python" -c 'from flyte_core.packaging import fast_package; print(fast_package("source", "."))')"
export PYTHONDONTWRITEBYTECODE=1

execute() {  # the container arguments flytekit serializes, for SDK $1
  echo "$2/bin/pyflyte-execute --inputs inputs.pb --output-prefix out_$1 --raw-output-data-prefix raw_$1" \
    "--checkpoint-path {{.checkpointOutputPrefix}} --prev-checkpoint {{.prevCheckpointPrefix}}" \
    "--resolver flytekit.core.python_auto_container.default_task_resolver" \
    "-- task-module app_$1.hello task-name hello"
}
fast_execute() {  # the same behind pyflyte-fast-execute, unpacking the archive into code_$1
  echo "$2/bin/pyflyte-fast-execute --additional-distribution $ARCHIVE --dest-dir code_$1 -- $(execute "$1" "$2")"
}
hf() {
  local name="$1"; shift
  hyperfine -N --style basic --warmup 2 --runs "$RUNS" --export-json "$OUT/$name.json" "$@" > "$OUT/$name.txt"
}
hf python_startup "$THEIRS/bin/python -c pass" "$OURS/bin/python -c pass"
hf execute "$(execute flytekit "$THEIRS")" "$(execute flyte_core "$OURS")"
mkdir -p code_flytekit code_flyte_core   # flytekit unpacks only into an existing directory
hf fast_execute "$(fast_execute flytekit "$THEIRS")" "$(fast_execute flyte_core "$OURS")"

rss() {
  local out="$1"; shift
  : > "$out"
  for _ in $(seq "$RUNS"); do /usr/bin/time -f "%M" -a -o "$out" "$@" > /dev/null; done
}
# shellcheck disable=SC2046
rss "$OUT/rss_execute_flytekit.txt" $(execute flytekit "$THEIRS")
# shellcheck disable=SC2046
rss "$OUT/rss_execute_flyte_core.txt" $(execute flyte_core "$OURS")

"$OURS/bin/python" - "$OUT" <<'EOF'
import json
import statistics
import sys
from pathlib import Path

from flyteidl.core import literals_pb2

out = Path(sys.argv[1])
for sdk in ("flytekit", "flyte_core"):  # both really ran the task
    outputs = literals_pb2.LiteralMap.FromString((out / "work" / f"out_{sdk}" / "outputs.pb").read_bytes())
    assert outputs.literals["o0"].scalar.primitive.string_value == "hello world", (sdk, outputs)
print("| measurement | flytekit 1.16.31 | flyte-core | flytekit / flyte-core |")
print("|---|---:|---:|---:|")
rows = [
    ("python_startup", "python -c pass (interpreter floor)"),
    ("execute", "pyflyte-execute hello"),
    ("fast_execute", "pyflyte-fast-execute (archive) + pyflyte-execute hello"),
]
for name, label in rows:
    theirs, ours = (statistics.median(r["times"]) for r in json.loads((out / f"{name}.json").read_text())["results"])
    print(f"| {label} | {theirs * 1000:.1f} ms | {ours * 1000:.1f} ms | {theirs / ours:.1f}x |")
theirs, ours = (
    statistics.median(int(v) for v in (out / f"rss_execute_{sdk}.txt").read_text().split()) / 1024
    for sdk in ("flytekit", "flyte_core")
)
print(f"| peak RSS of pyflyte-execute | {theirs:.0f} MiB | {ours:.0f} MiB | {theirs / ours:.1f}x |")
EOF

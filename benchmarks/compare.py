"""Print the side-by-side table of a benchmarks/startup.sh result directory: medians and ratios."""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

ROWS = [
    ("python_startup", "python -c pass (interpreter floor)"),
    ("import", "import (flytekit / flyte_core)"),
    ("pyflyte_help", "pyflyte --help"),
]


def main(out: Path) -> None:
    print("| measurement | flytekit 1.16.31 | flyte-core | flytekit / flyte-core |")
    print("|---|---:|---:|---:|")
    for name, label in ROWS:
        path = out / f"{name}.json"
        if not path.exists():
            continue
        theirs, ours = (statistics.median(r["times"]) for r in json.loads(path.read_text())["results"])
        print(f"| {label} | {theirs * 1000:.1f} ms | {ours * 1000:.1f} ms | {theirs / ours:.1f}x |")
    rss = {}
    for sdk in ("flytekit", "flyte_core"):
        path = out / f"rss_import_{sdk}.txt"
        if path.exists():
            rss[sdk] = statistics.median(int(v) for v in path.read_text().split()) / 1024
    if len(rss) == 2:
        ratio = rss["flytekit"] / rss["flyte_core"]
        print(f"| peak RSS of import | {rss['flytekit']:.0f} MiB | {rss['flyte_core']:.0f} MiB | {ratio:.1f}x |")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

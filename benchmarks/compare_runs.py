"""One table of two run_bench.sh result directories: each row's median for flytekit, flyte-core, and the ratio."""

from __future__ import annotations

import subprocess
import sys


def _medians(summarize: str, out: str) -> dict[str, tuple[str, float]]:
    table = subprocess.run([sys.executable, summarize, out], capture_output=True, text=True, check=True).stdout
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) >= 3 and cells[0] not in ("measurement", "---") and not cells[0].startswith("-"):
            try:
                rows[cells[0]] = (cells[1], float(cells[2].replace(",", "")))
            except ValueError:
                continue
    return rows


def main(bench: str, theirs: str, ours: str) -> None:
    summarize = f"{bench}/summarize.py"
    flytekit, flyte_core = _medians(summarize, theirs), _medians(summarize, ours)
    print("| measurement | unit | flytekit 1.16.31 | flyte-core | flytekit / flyte-core |")
    print("|---|---|---:|---:|---:|")
    for name, (unit, theirs_value) in flytekit.items():
        if name not in flyte_core:
            continue
        ours_value = flyte_core[name][1]
        ratio = f"{theirs_value / ours_value:.1f}x" if ours_value else "-"
        print(f"| {name} | {unit} | {theirs_value:g} | {ours_value:g} | {ratio} |")


if __name__ == "__main__":
    main(*sys.argv[1:4])

"""``python -m flyte_core.bin pyflyte-execute|pyflyte-map-execute|pyflyte-fast-execute ...``."""

from __future__ import annotations

import sys


def _main() -> None:
    commands = ("pyflyte-execute", "pyflyte-map-execute", "pyflyte-fast-execute")
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.stderr.write(f"usage: python -m flyte_core.bin {{{','.join(commands)}}} [ARGS...]\n")
        sys.exit(2)
    command, argv = sys.argv[1], sys.argv[2:]
    if command == "pyflyte-fast-execute":
        from flyte_core.bin.fast_execute import main

        main(argv)
    from flyte_core.bin.execute import execute_main, map_execute_main

    (map_execute_main if command == "pyflyte-map-execute" else execute_main)(argv)


if __name__ == "__main__":
    _main()

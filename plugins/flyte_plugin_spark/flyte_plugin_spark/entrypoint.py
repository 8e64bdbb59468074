"""``entrypoint.py``: the Spark driver's main application file (``SparkJob.mainApplicationFile``).

The Spark operator runs ``spark-submit local://<venv>/bin/entrypoint.py <the task's container args>``; this
script runs those arguments (``pyflyte-fast-execute ...`` or ``pyflyte-execute ...``) in the driver's Python
process, where pyspark joins the JVM ``spark-submit`` started. flyte-plugin-spark installs it as the console
script ``entrypoint.py`` in the environment's ``bin``, the path flytekit's serialization settings name.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

__all__ = ["main"]


def _commands() -> dict[str, Callable[[Sequence[str]], None]]:
    from flyte_core.bin import execute, fast_execute

    return {
        "pyflyte-execute": execute.execute_main,
        "pyflyte-fast-execute": fast_execute.main,
        "pyflyte-map-execute": execute.map_execute_main,
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Run ``pyflyte-execute``/``pyflyte-fast-execute``/``pyflyte-map-execute`` ARGS in this process."""
    args = list(sys.argv[1:] if argv is None else argv)
    commands = _commands()
    if not args or args[0] not in commands:
        found = args[0] if args else "nothing"
        sys.stderr.write(f"entrypoint.py: expected one of {', '.join(commands)} and its arguments, got {found}\n")
        sys.exit(2)
    commands[args[0]](args[1:])


if __name__ == "__main__":
    main()

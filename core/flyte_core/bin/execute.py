"""``pyflyte-execute`` and ``pyflyte-map-execute``: the commands a task's container runs.

::

    pyflyte-execute --inputs s3://.../inputs.pb --output-prefix s3://.../0 \\
        --raw-output-data-prefix s3://.../raw --checkpoint-path ... --prev-checkpoint ... \\
        --resolver flytekit.core.python_auto_container.default_task_resolver \\
        -- task-module my.module task-name my_task

The resolver (any ``module.attr`` location; flytekit's built-in ones map to flyte-core's) finds the task
from the arguments after ``--``. ``pyflyte-map-execute`` runs one item of a map task: the one of the
array job index (``$BATCH_JOB_ARRAY_INDEX_VAR_NAME`` names the variable holding it, plus
``$BATCH_JOB_ARRAY_INDEX_OFFSET``). The exit status is 0 once ``error.pb`` is written (the backend reads
it) unless ``FLYTE_FAIL_ON_ERROR`` is true; 2 for a command line it cannot run, 1 when the results
cannot be uploaded.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from flyte_core.bin.arguments import ExecuteArguments, UsageError, execute_usage, parse_execute
from flyte_core.bin.process import exit_process


def execute_main(argv: Sequence[str] | None = None) -> None:
    """The ``pyflyte-execute`` console script (it ends the process; :func:`run` is the in-process API)."""
    exit_process(_main("pyflyte-execute", sys.argv[1:] if argv is None else argv, map_task=False))


def map_execute_main(argv: Sequence[str] | None = None) -> None:
    """The ``pyflyte-map-execute`` console script (it ends the process)."""
    exit_process(_main("pyflyte-map-execute", sys.argv[1:] if argv is None else argv, map_task=True))


def _main(program: str, argv: Sequence[str], map_task: bool) -> int:
    try:
        args = parse_execute(argv, program, map_task=map_task)
    except UsageError as exc:
        sys.stderr.write(f"{program}: error: {exc} (see {program} --help)\n")
        return 2
    if args is None:
        sys.stdout.write(execute_usage(program, map_task))
        return 0
    _dump_tracebacks_on_sigusr1()
    return run(args, program=program, map_task=map_task)


def run(args: ExecuteArguments, program: str = "pyflyte-execute", map_task: bool = False) -> int:
    """Run the task the arguments name, in a fresh execution context; return the exit status."""
    from flyte_core.bin.execution_context import ContainerEnvironment, task_execution_context
    from flyte_core.config.errors import ConfigError

    try:
        with task_execution_context(args, ContainerEnvironment.from_environ()) as ctx:
            _put_working_directory_on_path()
            if args.test:
                from flyte_core.sdk.locations import LocationNotLoadable, load_location

                try:
                    load_location(args.resolver)
                except LocationNotLoadable as exc:
                    sys.stderr.write(f"{program}: error: --resolver: {exc}\n")
                    return 2
                sys.stderr.write(
                    f"{program}: test run, nothing executed: inputs {args.inputs}, output prefix "
                    f"{args.output_prefix}, resolver {args.resolver} {' '.join(args.resolver_args)}\n"
                )
                return 0
            from flyte_core.bin.dispatch import dispatch

            result = dispatch(ctx, _task_loader(args, map_task), args.inputs, args.output_prefix, is_map_task=map_task)
    except ConfigError as exc:
        sys.stderr.write(f"{program}: error: {exc}\n")
        return 2
    except Exception as exc:  # the results could not be uploaded: the backend sees a failed container
        sys.stderr.write(f"{program}: error: {type(exc).__name__}: {exc}\n")
        return 1
    if result.error_file is not None and _fail_on_error():
        return 1
    return 0


def _task_loader(args: ExecuteArguments, map_task: bool) -> Any:
    """Load the resolver, then the task (called by the dispatcher, so failures become error.pb)."""

    def load_task() -> Any:
        from flyte_core.sdk.locations import load_location

        resolver = load_location(args.resolver)
        if isinstance(resolver, type):  # flytekit instantiates map-task resolvers named by their class
            resolver = resolver()
        loader_args = list(args.resolver_args)
        if map_task and _accepts_max_concurrency(resolver):
            return resolver.load_task(loader_args=loader_args, max_concurrency=args.max_concurrency or 0)
        return resolver.load_task(loader_args=loader_args)

    return load_task


def _accepts_max_concurrency(resolver: Any) -> bool:
    import inspect

    try:
        return "max_concurrency" in inspect.signature(resolver.load_task).parameters
    except (TypeError, ValueError):
        return False


def _put_working_directory_on_path() -> None:
    """The task's code is in the working directory (or on ``PYTHONPATH``, set by ``pyflyte-fast-execute``)."""
    cwd = os.getcwd()
    if all(os.path.realpath(path or ".") != cwd for path in sys.path):
        sys.path.append(cwd)


def _fail_on_error() -> bool:
    return os.environ.get("FLYTE_FAIL_ON_ERROR", "").lower() in ("true", "t", "1")


def _dump_tracebacks_on_sigusr1() -> None:
    """``kill -USR1`` prints every thread's stack: how to see where a hung task is (as with flytekit)."""
    import faulthandler
    import signal

    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1)

"""The container entrypoints' command lines, accepted exactly as flytekit's click commands accept them.

``pyflyte-execute --inputs URI --output-prefix URI [options] -- <resolver args>``: options may come in
any order, as ``--name value`` or ``--name=value``, and resolver arguments may precede ``--``. Values the
backend did not fill in (``{{.checkpointOutputPrefix}}``, ``{{ .dest_dir }}``) and empty strings mean
"not given". Parsing is hand-written rather than click or argparse: it runs once per task container,
so its import cost counts, and every mistake becomes one line naming the option and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_RESOLVER = "flytekit.core.python_auto_container.default_task_resolver"
MAP_TASK_RESOLVER = "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver"
_DEFAULT_RESOLVERS = (DEFAULT_RESOLVER, "flyte_core.sdk.python_function_task.default_task_resolver")
_MAP_TASK_RESOLVERS = (MAP_TASK_RESOLVER, "flyte_core.sdk.map_task.ArrayNodeMapTaskResolver")

_TEMPLATE = re.compile(r"^\{\{\s*[.\w]+\s*\}\}$")


class UsageError(Exception):
    """A command line the entrypoint cannot run: the message is one line saying what to change."""


@dataclass(frozen=True)
class ExecuteArguments:
    """What ``pyflyte-execute`` / ``pyflyte-map-execute`` were asked to do."""

    inputs: str
    output_prefix: str
    raw_output_data_prefix: str | None = None
    checkpoint_path: str | None = None
    prev_checkpoint: str | None = None
    test: bool = False
    dynamic_addl_distro: str | None = None
    dynamic_dest_dir: str | None = None
    resolver: str = DEFAULT_RESOLVER
    resolver_args: tuple[str, ...] = ()
    max_concurrency: int | None = None


@dataclass(frozen=True)
class FastExecuteArguments:
    """What ``pyflyte-fast-execute`` was asked to do: fetch the code, then run ``task_execute_cmd``."""

    additional_distribution: str | None
    dest_dir: str | None
    task_execute_cmd: tuple[str, ...]


_EXECUTE_OPTIONS = {
    "--inputs": "inputs",
    "--output-prefix": "output_prefix",
    "--raw-output-data-prefix": "raw_output_data_prefix",
    "--checkpoint-path": "checkpoint_path",
    "--prev-checkpoint": "prev_checkpoint",
    "--dynamic-addl-distro": "dynamic_addl_distro",
    "--dynamic-dest-dir": "dynamic_dest_dir",
    "--resolver": "resolver",
}
_FAST_EXECUTE_OPTIONS = {"--additional-distribution": "additional_distribution", "--dest-dir": "dest_dir"}

_EXECUTE_USAGE = """\
Usage: {program} --inputs URI --output-prefix URI [OPTIONS] -- RESOLVER_ARGS...

  Run one task in a container: read its inputs.pb, write outputs.pb, futures.pb or error.pb.

Options:
  --inputs URI                  the task's inputs.pb (required)
  --output-prefix URI           where outputs.pb / futures.pb / error.pb go (required)
  --raw-output-data-prefix URI  where offloaded data (files, dataframes) goes
  --checkpoint-path URI         where this attempt's checkpoint goes
  --prev-checkpoint URI         the previous attempt's checkpoint
  --dynamic-addl-distro URI     the code archive, for tasks that dynamic tasks create
  --dynamic-dest-dir DIR        where that archive is unpacked
  --resolver LOCATION           the task resolver (default: {default_resolver})
  --test                        check the arguments and load the resolver, run nothing{map_options}
  --help                        show this message

Resolver arguments (default resolver): task-module MODULE task-name NAME
"""
_MAP_OPTIONS = "\n  --max-concurrency N           accepted for flytekit compatibility (the backend enforces it)"

_FAST_EXECUTE_USAGE = """\
Usage: pyflyte-fast-execute [--additional-distribution URI] [--dest-dir DIR] -- TASK_COMMAND...

  Download and unpack the code archive, then run the task command (pyflyte-execute ...) with it.

Options:
  --additional-distribution URI  the code archive (.tar.gz) made by fast registration
  --dest-dir DIR                 where to unpack it (default: the working directory)
  --help                         show this message
"""


def execute_usage(program: str, map_task: bool = False) -> str:
    """The ``--help`` text of ``pyflyte-execute`` / ``pyflyte-map-execute``."""
    return _EXECUTE_USAGE.format(
        program=program, default_resolver=DEFAULT_RESOLVER, map_options=_MAP_OPTIONS if map_task else ""
    )


def fast_execute_usage() -> str:
    """The ``--help`` text of ``pyflyte-fast-execute``."""
    return _FAST_EXECUTE_USAGE


def not_given(value: str | None) -> str | None:
    """None for values that mean "not given": missing, empty, ``""`` or a template nobody filled in."""
    if value is None:
        return None
    stripped = value.strip()
    if stripped in ("", '""') or _TEMPLATE.match(stripped):
        return None
    return value


def parse_execute(argv: Sequence[str], program: str, map_task: bool = False) -> ExecuteArguments | None:
    """The arguments of ``pyflyte-execute`` (``map_task``: ``pyflyte-map-execute``); None when help was asked for.

    Raises:
        UsageError: an unknown or incomplete option, a missing required one, or malformed resolver arguments.
    """
    options = dict(_EXECUTE_OPTIONS)
    if map_task:
        options["--max-concurrency"] = "max_concurrency"
    values, flags, positional = _scan(argv, program, options, {"--test", "--help"}, command_starts_at_positional=False)
    if "--help" in flags:
        return None
    inputs = _required(values, "inputs", "--inputs", "the URI of the task's inputs.pb")
    output_prefix = _required(values, "output_prefix", "--output-prefix", "where the task's outputs go")
    resolver = not_given(values.get("resolver"))
    if resolver is None:
        if map_task:
            raise UsageError(f"--resolver is required, e.g. --resolver {MAP_TASK_RESOLVER}")
        resolver = DEFAULT_RESOLVER
    _check_resolver_args(resolver, positional)
    max_concurrency = None
    raw_max = not_given(values.get("max_concurrency"))
    if raw_max is not None:
        try:
            max_concurrency = int(raw_max)
        except ValueError:
            raise UsageError(f"--max-concurrency: expected an integer, got '{raw_max}'") from None
    return ExecuteArguments(
        inputs=inputs,
        output_prefix=output_prefix,
        raw_output_data_prefix=not_given(values.get("raw_output_data_prefix")),
        checkpoint_path=not_given(values.get("checkpoint_path")),
        prev_checkpoint=not_given(values.get("prev_checkpoint")),
        test="--test" in flags,
        dynamic_addl_distro=not_given(values.get("dynamic_addl_distro")),
        dynamic_dest_dir=not_given(values.get("dynamic_dest_dir")),
        resolver=resolver,
        resolver_args=tuple(positional),
        max_concurrency=max_concurrency,
    )


def parse_fast_execute(argv: Sequence[str]) -> FastExecuteArguments | None:
    """The arguments of ``pyflyte-fast-execute``; None when help was asked for.

    Raises:
        UsageError: an unknown or incomplete option, or no task command.
    """
    values, flags, command = _scan(
        argv, "pyflyte-fast-execute", _FAST_EXECUTE_OPTIONS, {"--help"}, command_starts_at_positional=True
    )
    if "--help" in flags:
        return None
    if not command:
        raise UsageError("no task command: give it after '--', e.g. -- pyflyte-execute --inputs ... -- task-module ...")
    return FastExecuteArguments(
        additional_distribution=not_given(values.get("additional_distribution")),
        dest_dir=not_given(values.get("dest_dir")),
        task_execute_cmd=tuple(command),
    )


def _scan(
    argv: Sequence[str],
    program: str,
    options: dict[str, str],
    flags: set[str],
    command_starts_at_positional: bool,
) -> tuple[dict[str, str], set[str], list[str]]:
    """Options (by destination), flags seen, and positional arguments (everything after ``--`` included)."""
    values: dict[str, str] = {}
    seen_flags: set[str] = set()
    positional: list[str] = []
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            positional.extend(args[i:])
            break
        if not arg.startswith("--") or arg == "-":
            if arg in ("-h",):
                seen_flags.add("--help")
                continue
            positional.append(arg)
            if command_starts_at_positional:
                positional.extend(args[i:])
                break
            continue
        name, has_value, value = arg.partition("=")
        if name in flags:
            if has_value:
                raise UsageError(f"{name} is a flag and takes no value (got '{arg}')")
            seen_flags.add(name)
            continue
        if name not in options:
            known = ", ".join(sorted([*options, *flags]))
            raise UsageError(f"unknown option '{name}' for {program} (options: {known})")
        if not has_value:
            if i >= len(args):
                raise UsageError(f"{name} needs a value")
            value = args[i]
            i += 1
        values[options[name]] = value
    return values, seen_flags, positional


def _required(values: dict[str, str], key: str, option: str, what: str) -> str:
    raw = values.get(key)
    if raw is None or not raw.strip():
        raise UsageError(f"{option} is required: {what}")
    if not_given(raw) is None:
        raise UsageError(f"{option} is '{raw}', a template the backend did not fill in: {what}")
    return raw


def _check_resolver_args(resolver: str, args: list[str]) -> None:
    """The built-in resolvers' argument shapes, checked before anything is imported."""
    if not args:
        example = "task-module my.module task-name my_task"
        if resolver in _MAP_TASK_RESOLVERS:
            example = f"vars '' resolver {DEFAULT_RESOLVER} {example}"
        raise UsageError(f"no resolver arguments: give them after '--', e.g. -- {example}")
    if resolver in _DEFAULT_RESOLVERS and (len(args) < 4 or args[0] != "task-module" or args[2] != "task-name"):
        raise UsageError(f"the default resolver takes 'task-module MODULE task-name NAME', got '{' '.join(args)}'")
    if resolver in _MAP_TASK_RESOLVERS and (len(args) < 4 or args[0] != "vars" or args[2] != "resolver"):
        raise UsageError(
            f"the map task resolver takes 'vars <bound,inputs> resolver <location> <args...>', got '{' '.join(args)}'"
        )

"""``pyflyte run [OPTIONS] FILE ENTITY [--input VALUE ...]``.

``pyflyte run file.py`` lists the file's workflows, tasks and launch plans; ``pyflyte run file.py wf
--help`` shows one option per input; ``pyflyte run file.py wf --x 1`` runs it locally and prints the
outputs as flytekit prints them. Inputs may also come from ``--inputs-file FILE`` (YAML or JSON) or,
with a trailing ``-``, from standard input; options given on the command line win.
"""

from __future__ import annotations

import datetime
import inspect
import json
import os
import sys
import typing
from typing import Any

import click

from flyte_core.cli.inputs import click_type_for
from flyte_core.cli.options import key_values, verbosity
from flyte_core.sdk.module_loader import LoadedFile, UserFileError, load_file

_RUN_OPTIONS_HELP = "Run options apply to the execution; most of them take effect with --remote."


def _run_options() -> list[click.Option]:
    return [
        click.Option(["-p", "--project"], default=None, help="Project of the execution (default from config)."),
        click.Option(["-d", "--domain"], default=None, help="Domain of the execution (default from config)."),
        click.Option(["-r", "--remote"], is_flag=True, default=False, help="Register and run on a Flyte backend."),
        click.Option(
            ["--copy"],
            type=click.Choice(["all", "auto"], case_sensitive=False),
            default="auto",
            show_default=True,
            help="Files to put in the code package with --remote: 'auto' the imported modules, 'all' the project.",
        ),
        click.Option(["--copy-all"], is_flag=True, default=False, help="[Deprecated, see --copy] Copy all files."),
        click.Option(
            ["--destination-dir"], default=".", show_default=True, help="Where the code is unpacked in the image."
        ),
        click.Option(["-i", "--image", "image_config"], multiple=True, help="Image NAME=URI used with --remote."),
        click.Option(["--service-account"], default="", help="Service account of the execution."),
        click.Option(["--wait", "--wait-execution", "wait_execution"], is_flag=True, help="Wait for the execution."),
        click.Option(["--poll-interval"], type=int, default=None, help="Seconds between status checks with --wait."),
        click.Option(["--dump-snippet"], is_flag=True, help="Print a FlyteRemote snippet for the execution."),
        click.Option(["--overwrite-cache"], is_flag=True, help="Recompute cached tasks and overwrite their cache."),
        click.Option(
            ["--interruptible"], type=bool, default=None, help="Run the execution interruptible (true/false)."
        ),
        click.Option(
            ["--envvars", "--env"],
            multiple=True,
            callback=key_values,
            help="Environment variable KEY=VALUE for the execution (exported for local runs).",
        ),
        click.Option(["--resource-requests"], default=None, help="Default requests, e.g. 'cpu=1,mem=2Gi'."),
        click.Option(["--resource-limits"], default=None, help="Default limits, e.g. 'cpu=1,mem=2Gi'."),
        click.Option(["--tags", "--tag"], multiple=True, help="Tags of the execution."),
        click.Option(["--name"], default=None, help="Name of the execution."),
        click.Option(["--labels", "--label"], multiple=True, callback=key_values, help="Label KEY=VALUE."),
        click.Option(
            ["--annotations", "--annotation"], multiple=True, callback=key_values, help="Annotation KEY=VALUE."
        ),
        click.Option(
            ["--raw-output-data-prefix", "--raw-data-prefix"],
            default=None,
            help="Where raw data (files, datasets) is written, e.g. s3://bucket/prefix or a local directory.",
        ),
        click.Option(["--max-parallelism"], type=int, default=None, help="Nodes run at once in the execution."),
        click.Option(["--disable-notifications"], is_flag=True, help="Send no notifications for the execution."),
        click.Option(["--cluster-pool"], default="", help="Cluster pool of the execution."),
        click.Option(
            ["--execution-cluster-label", "--ecl"], default="", help="Execution cluster label of the execution."
        ),
        click.Option(["--limit"], type=int, default=50, show_default=True, help="Entities listed by remote-*."),
    ]


class RunCommand(click.Group):
    """``pyflyte run``: its subcommands are the Python files of the current directory."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from flyte_core.builtin.commands.run.remote_entities import REMOTE_GROUPS

        files = sorted(name for name in os.listdir(".") if name.endswith(".py") and os.path.isfile(name))
        return files + list(REMOTE_GROUPS)

    def get_command(self, ctx: click.Context, filename: str) -> click.Command | None:
        from flyte_core.builtin.commands.run.remote_entities import REMOTE_GROUPS, remote_group

        if filename in REMOTE_GROUPS:
            return remote_group(filename)
        if not filename.endswith(".py") and not os.path.exists(filename):
            return None
        return EntityGroup(filename)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        command = self.get_command(ctx, name)
        if command is None:
            ctx.fail(f"'{name}' is not a Python file: pyflyte run FILE.py ENTITY [INPUTS]")
        return name, command, args[1:]

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        """Python files of the current directory, else the shell's own path completion."""
        from click.shell_completion import CompletionItem

        if incomplete.startswith("-"):
            return super().shell_complete(ctx, incomplete)
        matches = [CompletionItem(name) for name in self.list_commands(ctx) if name.startswith(incomplete)]
        return matches or [CompletionItem(incomplete, type="file")]


def _kind(entity: Any) -> str:
    from flyte_core.sdk.base_task import Task
    from flyte_core.sdk.workflow import WorkflowBase

    if isinstance(entity, WorkflowBase):
        return "workflow"
    if isinstance(entity, Task):
        return "task"
    return "launch plan"


def _summary(entity: Any) -> str:
    doc = getattr(entity, "__doc__", None) if _kind(entity) != "launch plan" else None
    if not doc and _kind(entity) == "launch plan":
        doc = getattr(getattr(entity, "workflow", None), "__doc__", None)
    if not doc or doc == type(entity).__doc__:
        return ""
    return inspect.cleandoc(doc).split("\n\n")[0].replace("\n", " ")


class EntityGroup(click.Group):
    """``pyflyte run FILE``: its subcommands are the workflows, tasks and launch plans of FILE."""

    def __init__(self, filename: str) -> None:
        super().__init__(
            name=filename,
            help=f"Run a [workflow|task|launch plan] from {filename}",
            invoke_without_command=True,
            callback=_list_when_no_entity,
        )
        self._filename = filename
        self._loaded: LoadedFile | None = None
        self._entities: dict[str, Any] | None = None

    def _load(self, ctx: click.Context) -> dict[str, Any]:
        if self._entities is None:
            try:
                self._loaded = load_file(self._filename)
            except UserFileError as exc:
                raise click.ClickException(str(exc)) from exc
            self._entities = _entities_in(self._loaded)
        return self._entities

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self._load(ctx))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entities = self._load(ctx)
        entity = entities.get(name)
        if entity is None:
            return None
        return EntityCommand(name, entity, self._loaded)  # type: ignore[arg-type]

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        command = self.get_command(ctx, name)
        if command is None:
            import difflib

            names = self.list_commands(ctx)
            close = difflib.get_close_matches(name, names, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            listed = ", ".join(names) or "none"
            ctx.fail(f"'{name}' is not a workflow, task or launch plan of {self._filename}.{hint} (found: {listed})")
        return name, command, args[1:]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name, entity in self._load(ctx).items():
            summary = _summary(entity)
            rows.append((name, f"{_kind(entity)} ({entity.name}){' ' + summary if summary else ''}"))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _list_when_no_entity() -> None:
    """``pyflyte run FILE`` alone lists what FILE can run."""
    ctx = click.get_current_context()
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def _entities_in(loaded: LoadedFile) -> dict[str, Any]:
    """The file's own workflows, tasks and launch plans, by name (launch plans by their name)."""
    from flyte_core.sdk.base_task import PythonTask
    from flyte_core.sdk.workflow import WorkflowBase

    try:
        from flyte_core.sdk.launch_plan import LaunchPlan
    except ImportError:  # pragma: no cover - launch plans ship with the SDK
        LaunchPlan = ()  # type: ignore[assignment,misc]
    found: dict[str, Any] = {}
    for name in sorted(vars(loaded.module)):
        obj = vars(loaded.module)[name]
        if isinstance(obj, WorkflowBase | PythonTask):
            found[name] = obj
        elif LaunchPlan and isinstance(obj, LaunchPlan):
            found[obj.name or name] = obj
    return found


class EntityCommand(click.Command):
    """``pyflyte run FILE ENTITY``: one option per input, then a local (or remote) execution."""

    def __init__(self, name: str, entity: Any, loaded: LoadedFile) -> None:
        self._entity = entity
        self._loaded = loaded
        summary = _summary(entity)
        super().__init__(
            name=name,
            help=f"{_kind(entity)} ({entity.name}){' ' + summary if summary else ''}",
            params=[*self._input_options(), _inputs_file_option()],
            callback=self._run,
        )

    def _input_options(self) -> list[click.Option]:
        interface = self._entity.python_interface
        variables = self._entity.interface.inputs.variables
        defaults = _launch_plan_defaults(self._entity)
        fixed = _launch_plan_fixed(self._entity)
        options = []
        for name, (python_type, default) in interface.inputs_with_defaults.items():
            if name in fixed:
                continue
            if name != name.lower():
                raise click.ClickException(
                    f"{_kind(self._entity)} '{self._entity.name}' input '{name}': command-line options must be "
                    "lower case; rename the input"
                )
            if name in defaults:
                default = defaults[name]
            variable = variables[name]
            options.append(_input_option(name, python_type, variable, default))
        return options

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Inputs from ``--inputs-file FILE`` or stdin (``-``) go first, so explicit options win."""
        args = list(args)
        from_file: dict[str, Any] = {}
        if args and args[-1] == "-":
            args.pop()
            from_file.update(_load_inputs(sys.stdin.read(), "standard input"))
        for flag in ("--inputs-file",):
            if flag in args:
                index = args.index(flag)
                if index + 1 >= len(args):
                    raise click.UsageError(f"{flag} needs a file path", ctx=ctx)
                path = args[index + 1]
                try:
                    with open(path, encoding="utf-8") as f:
                        from_file.update(_load_inputs(f.read(), path))
                except OSError as exc:
                    raise click.BadParameter(f"cannot read '{path}': {exc.strerror}", ctx=ctx, param_hint=flag) from exc
                del args[index : index + 2]
        if from_file:
            args = [*_as_cli_args(from_file, self._entity, ctx), *args]
        return super().parse_args(ctx, args)

    def _run(self, **kwargs: Any) -> None:
        ctx = click.get_current_context()
        run_params = _run_params(ctx)
        inputs = _collect_inputs(self._entity, kwargs)
        if run_params.get("remote"):
            from flyte_core.builtin.commands.run.remote_run import run_remote

            run_remote(ctx, self._entity, self._loaded, inputs, run_params)
            return
        click.secho("Running Execution on local.", fg="cyan")
        for key, value in run_params.get("envvars", {}).items():
            os.environ[key] = value
        if run_params.get("overwrite_cache"):
            os.environ["FLYTE_LOCAL_CACHE_OVERWRITE"] = "true"
        try:
            with _local_context(run_params.get("raw_output_data_prefix")):
                output = self._entity(**inputs)
                if inspect.iscoroutine(output):
                    import asyncio

                    output = asyncio.run(output)
        except click.ClickException:
            raise
        except Exception as exc:
            _report_failure(ctx, self._entity, exc)
        click.echo(output)


def _local_context(raw_output_prefix: str | None) -> Any:
    """A context writing raw data under ``--raw-output-data-prefix`` when one is given."""
    import contextlib

    if not raw_output_prefix:
        return contextlib.nullcontext()
    from flyte_core.context import FlyteContextManager, _local_sandbox_dir
    from flyte_core.data.file_access import FileAccessProvider

    ctx = FlyteContextManager.current_context()
    provider = FileAccessProvider(local_sandbox_dir=_local_sandbox_dir(), raw_output_prefix=raw_output_prefix)
    return FlyteContextManager.with_context(ctx.with_file_access(provider))


def _report_failure(ctx: click.Context, entity: Any, exc: BaseException) -> typing.NoReturn:
    """A failing entity: exit 1 with its name and the error; the traceback with ``pyflyte -v``."""
    verbose = verbosity(ctx)
    if verbose:
        import traceback

        traceback.print_exception(exc)
    message = str(exc).strip() or type(exc).__name__
    hint = "" if verbose else "\n(pyflyte -v run ... shows the traceback)"
    raise click.ClickException(
        f"{_kind(entity)} '{entity.name}' failed: {type(exc).__name__}: {message}{hint}"
    ) from exc


def _run_params(ctx: click.Context) -> dict[str, Any]:
    """The options given to ``pyflyte run`` itself."""
    while ctx.parent is not None and ctx.command.name != "run":
        ctx = ctx.parent
    return dict(ctx.params)


def _inputs_file_option() -> click.Option:
    return click.Option(
        ["--inputs-file"],
        type=click.Path(),
        help="A YAML or JSON file with the inputs (options given here win); a trailing '-' reads it from stdin.",
        expose_value=False,
    )


def _input_option(name: str, python_type: Any, variable: Any, default: Any) -> click.Option:
    click_type = click_type_for(variable.type, python_type)
    is_bool = click_type is click.BOOL
    optional = _is_optional(python_type)
    help_text = variable.description if variable.description and variable.description != name else ""
    if is_bool:
        dashed = name.replace("_", "-")
        decls = [f"--{name}/--no-{dashed}"] + ([f" /--no_{name}"] if dashed != name else [])
        return click.Option(decls, default=bool(default), show_default=True, help=help_text)
    extra: dict[str, Any] = {} if default is None else {"default": _cli_default(default), "show_default": True}
    # click 8.3+ treats an explicit default=None as a given value: pass a default only when there is one.
    return click.Option(
        [f"--{name}"], type=click_type, required=default is None and not optional, help=help_text, **extra
    )


def _cli_default(default: Any) -> Any:
    """A default value as the text a user would type for it (shown in --help, converted like input)."""
    import enum

    if default is None or isinstance(default, str | int | float | bool):
        return default
    if isinstance(default, enum.Enum):
        return str(default.value)
    if isinstance(default, datetime.datetime | datetime.date):
        return default.isoformat()
    if isinstance(default, datetime.timedelta):
        return f"{default.total_seconds():g}"
    path = getattr(default, "path", None) or getattr(default, "uri", None)
    if isinstance(path, str) and not isinstance(default, list | dict):
        return path
    from flyte_core.cli.inputs import _to_plain

    return json.dumps(_to_plain(default))


def _is_optional(python_type: Any) -> bool:
    from flyte_core.types.type_engine import get_underlying_type
    from flyte_core.types.union import UnionTransformer

    return UnionTransformer.is_optional_type(get_underlying_type(python_type))


def _launch_plan_defaults(entity: Any) -> dict[str, Any]:
    """A launch plan's saved inputs: they are the defaults of its command-line options."""
    defaults = getattr(entity, "saved_inputs", None) or {}
    return dict(defaults) if isinstance(defaults, dict) else {}


def _launch_plan_fixed(entity: Any) -> set[str]:
    fixed = getattr(entity, "fixed_inputs", None)
    if fixed is None:
        return set()
    if hasattr(fixed, "literals"):
        return set(fixed.literals)
    return set(fixed)


def _collect_inputs(entity: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The values to call the entity with: converted options; dates as dates; None for unset optionals."""
    interface = entity.python_interface
    fixed = _launch_plan_fixed(entity)
    inputs = {}
    for name, (python_type, _) in interface.inputs_with_defaults.items():
        if name in fixed or name not in values:
            continue
        value = values[name]
        if value is None and not _is_optional(python_type):
            continue
        if _wants_date(python_type) and isinstance(value, datetime.datetime):
            value = value.date()
        inputs[name] = value
    return inputs


def _wants_date(python_type: Any) -> bool:
    from flyte_core.types.type_engine import get_underlying_type

    base = get_underlying_type(python_type)
    return base is datetime.date or datetime.date in typing.get_args(base)


def _load_inputs(text: str, source: str) -> dict[str, Any]:
    """Inputs written as YAML (JSON is YAML too)."""
    import yaml

    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        raise click.BadParameter(f"{source} is not valid YAML or JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise click.BadParameter(f"{source} must hold a mapping of input names to values, found {type(data).__name__}")
    return data


def _as_cli_args(values: dict[str, Any], entity: Any, ctx: click.Context) -> list[str]:
    """Inputs from a file as command-line arguments: strings as they are, booleans as flags, the rest as JSON."""
    inputs = entity.python_interface.inputs
    args: list[str] = []
    for name, value in values.items():
        if name not in inputs:
            raise click.BadParameter(
                f"the inputs file gives '{name}', which is not an input of {_kind(entity)} '{entity.name}' "
                f"(inputs: {', '.join(inputs) or 'none'})",
                ctx=ctx,
            )
        if isinstance(value, bool):
            args.append(f"--{name}" if value else f"--no-{name.replace('_', '-')}")
        elif isinstance(value, str):
            args.extend([f"--{name}", value])
        elif isinstance(value, datetime.datetime | datetime.date):
            args.extend([f"--{name}", value.isoformat()])
        else:
            args.extend([f"--{name}", json.dumps(value)])
    return args


@click.group(
    cls=RunCommand,
    params=_run_options(),
    help=f"Run a task, workflow or launch plan from a Python file.\n\n{_RUN_OPTIONS_HELP}",
)
def run(**kwargs: Any) -> None:
    """Run a workflow, task or launch plan from a Python file: ``pyflyte run file.py wf --x 1``."""

"""``pyflyte run remote-launchplan|remote-workflow|remote-task [NAME[:VERSION]] [--input VALUE ...]``, as flytekit's.

Without NAME the registered names are listed (``--limit`` of ``pyflyte run``). With NAME the entity (its newest
version, or VERSION) is fetched and becomes a command with one option per input, typed from its registered
interface (launch plan defaults are the options' defaults); it is executed with the ``pyflyte run`` options
(``--wait``, ``--name``, ``--label``...) and its console URL printed. Local files given as inputs are uploaded
through the control plane's data proxy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from flyte_core.cli.remote import make_remote, remote_errors

if TYPE_CHECKING:
    from flyte_core.remote import FlyteRemote

REMOTE_GROUPS: dict[str, str] = {
    "remote-launchplan": "launch plan",
    "remote-workflow": "workflow",
    "remote-task": "task",
}
"""The ``pyflyte run`` subcommands of this module, and the kind of entity each runs."""


def remote_group(name: str) -> click.Group:
    """The ``pyflyte run`` subcommand ``name`` (one of ``REMOTE_GROUPS``)."""
    return RemoteEntityGroup(name, REMOTE_GROUPS[name])


def _resource_type(kind: str) -> int:
    """The flyteidl ``ResourceType`` of a kind of entity."""
    from flyteidl.core import identifier_pb2

    kinds = {
        "task": identifier_pb2.TASK,
        "workflow": identifier_pb2.WORKFLOW,
        "launch plan": identifier_pb2.LAUNCH_PLAN,
    }
    return int(kinds[kind])


class RemoteEntityGroup(click.Group):
    """``pyflyte run remote-<kind>``: its subcommands are the names registered on the control plane."""

    def __init__(self, name: str, kind: str) -> None:
        super().__init__(
            name=name,
            help=f"Run a {kind} registered on the Flyte backend: {name} NAME[:VERSION] --input value ... "
            f"Without NAME, list the registered {kind}s.",
            invoke_without_command=True,
            callback=_list_when_no_name,
        )
        self.kind = kind
        self._remote: FlyteRemote | None = None

    def remote(self, ctx: click.Context) -> FlyteRemote:
        """The control plane, in the project and domain of ``pyflyte run -p/-d``."""
        if self._remote is None:
            from flyte_core.builtin.commands.run.cli import _run_params

            params = _run_params(ctx)
            self._remote = make_remote(params.get("project"), params.get("domain"))
        return self._remote

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The registered names (up to ``pyflyte run --limit``)."""
        from flyte_core.builtin.commands.run.cli import _run_params

        remote = self.remote(ctx)
        limit = int(_run_params(ctx).get("limit") or 50)
        with remote_errors(ctx, f"listing the registered {self.kind}s"):
            return remote.list_entity_names(_resource_type(self.kind), limit=limit)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """NAME[:VERSION] as a command with the fetched entity's inputs; a missing one is a clear error."""
        entity_name, _, version = name.partition(":")
        remote = self.remote(ctx)
        fetch = {
            "task": remote.fetch_task,
            "workflow": remote.fetch_workflow,
            "launch plan": remote.fetch_launch_plan,
        }[self.kind]
        with remote_errors(ctx, f"fetching {self.kind} '{name}'"):
            entity = fetch(remote.default_project, remote.default_domain, entity_name, version or None)
            defaults = _defaults(remote, entity, self.kind)
        return RemoteEntityCommand(name, entity, self.kind, defaults, remote)

    def invoke(self, ctx: click.Context) -> Any:
        """Mark the inputs as those of a remote run, then run the group."""
        # Inputs are for a remote execution: local files given as inputs are to be uploaded (cli.inputs reads this).
        ctx.obj = {**(ctx.obj if isinstance(ctx.obj, dict) else {}), "remote": True}
        return super().invoke(ctx)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The registered names (fetching each entity for a summary would cost a call per name)."""
        names = self.list_commands(ctx)
        if names:
            remote = self.remote(ctx)
            with formatter.section(f"Registered {self.kind}s in {remote.default_project}/{remote.default_domain}"):
                formatter.write_dl([(name, "") for name in names])


def _list_when_no_name() -> None:
    """``pyflyte run remote-<kind>`` alone lists the registered names, one a line."""
    ctx = click.get_current_context()
    if ctx.invoked_subcommand is not None:
        return
    group = ctx.command
    assert isinstance(group, RemoteEntityGroup)
    names = group.list_commands(ctx)
    remote = group.remote(ctx)
    if not names:
        where = f"{remote.default_project}/{remote.default_domain}"
        click.secho(f"No {group.kind}s are registered in {where}: register some with 'pyflyte register'", err=True)
    for name in names:
        click.echo(name)


def _defaults(remote: FlyteRemote, entity: Any, kind: str) -> dict[str, Any]:
    """Default input literals by name: the launch plan's (a workflow's are its default launch plan's)."""
    from flyte_core.exceptions.user import FlyteEntityNotExistException

    launch_plan = entity
    if kind == "task":
        return {}
    if kind == "workflow":
        try:
            launch_plan = remote.fetch_launch_plan(entity.project, entity.domain, entity.name, entity.version)
        except FlyteEntityNotExistException:
            return {}
    parameters = launch_plan.default_inputs.parameters
    return {name: p.default for name, p in parameters.items() if p.HasField("default")}


class RemoteEntityCommand(click.Command):
    """``pyflyte run remote-<kind> NAME``: one option per input of the registered entity, then an execution."""

    def __init__(self, name: str, entity: Any, kind: str, defaults: dict[str, Any], remote: FlyteRemote) -> None:
        self._entity = entity
        self._kind = kind
        self._remote = remote
        self._python_types = dict(entity.python_input_types)
        self._names = {input_name.lower(): input_name for input_name in self._python_types}
        self._defaulted = set(defaults)
        super().__init__(
            name=name,
            help=f"{kind} {entity.name} (version {entity.version}) registered in {entity.project}/{entity.domain}",
            params=[self._option(n, defaults.get(n)) for n in self._python_types],
            callback=self._run,
        )

    def _option(self, name: str, default_literal: Any) -> click.Option:
        """The option of input ``name``: required unless it has a default (shown) or is optional."""
        from flyte_core.builtin.commands.run.cli import _input_option
        from flyte_core.cli.inputs import click_type_for

        variable = self._entity.interface.inputs.variables[name]
        python_type = self._python_types[name]
        if default_literal is None:
            return _input_option(name, python_type, variable, None)
        from flyte_core.context import FlyteContextManager
        from flyte_core.types.type_engine import TypeEngine

        try:
            default = TypeEngine.to_python_value(FlyteContextManager.current_context(), default_literal, python_type)
        except Exception:
            default = None
        if default is not None:
            return _input_option(name, python_type, variable, default)
        # No Python value for the default (or it is None): leave the input out and the backend applies it.
        return click.Option(
            [f"--{name}"],
            type=click_type_for(variable.type, python_type),
            required=False,
            help=f"{variable.description or ''} (default: set in the launch plan)".strip(),
        )

    def _run(self, **values: Any) -> None:
        """Execute the entity with the inputs given and the ``pyflyte run`` options; print the console URL."""
        from flyte_core.builtin.commands.run.cli import _run_params
        from flyte_core.builtin.commands.run.remote_run import announce, execute_with, follow_and_print

        ctx = click.get_current_context()
        params = _run_params(ctx)
        inputs = self._inputs(values)
        remote, entity = self._remote, self._entity
        click.secho("Running Execution on Remote.", fg="cyan")
        with remote_errors(ctx, f"running {self._kind} '{entity.name}' on {remote.config.platform.endpoint}"):
            execution = execute_with(
                remote, entity, inputs, params, self._python_types, project=entity.project, domain=entity.domain
            )
        announce(remote, execution, params)
        if params.get("wait_execution"):
            follow_and_print(ctx, remote, execution, params, list(self._entity.interface.outputs.variables))

    def _inputs(self, values: dict[str, Any]) -> dict[str, Any]:
        """The inputs given, by their names; an optional input without a default that was not given is None."""
        from flyte_core.builtin.commands.run.cli import _is_optional

        inputs = {}
        for key, value in values.items():
            name = self._names.get(key, key)
            if value is not None or (name not in self._defaulted and _is_optional(self._python_types[name])):
                inputs[name] = value
        return inputs

"""``pyflyte execution [-p P] [-d D] --execution-id NAME relaunch|recover``, as flytekit's.

``relaunch`` runs the execution again with the same inputs (RelaunchExecution); ``recover`` runs a failed one
again from where it failed, reusing the outputs of the nodes that succeeded (RecoverExecution). Both print the
new execution's console URL.
"""

from __future__ import annotations

import click

from flyte_core.cli.remote import make_remote, remote_errors


@click.group("execution")
@click.option("-p", "--project", default=None, help="Project of the execution (default from config).")
@click.option("-d", "--domain", default=None, help="Domain of the execution (default from config).")
@click.option("--execution-id", required=True, help="Name of the execution (the last part of its console URL).")
@click.pass_context
def execution(ctx: click.Context, project: str | None, domain: str | None, execution_id: str) -> None:
    """Relaunch or recover the execution --execution-id."""
    ctx.meta["flyte_execution"] = (project, domain, execution_id)


@execution.command("relaunch")
@click.pass_context
def relaunch(ctx: click.Context) -> None:
    """Run the execution again with the same inputs."""
    _launch_again(ctx, recover=False)


@execution.command("recover")
@click.pass_context
def recover(ctx: click.Context) -> None:
    """Run a failed execution again from where it failed (nodes that succeeded are not run again)."""
    _launch_again(ctx, recover=True)


def _launch_again(ctx: click.Context, recover: bool) -> None:
    """Relaunch or recover the group's execution; print the new one's console URL."""
    project, domain, name = ctx.meta["flyte_execution"]
    remote = make_remote(project, domain)
    doing = "recovering" if recover else "relaunching"
    with remote_errors(ctx, f"{doing} execution '{name}' in {remote.default_project}/{remote.default_domain}"):
        original = remote.fetch_execution(remote.default_project, remote.default_domain, name)
        launched = remote.recover(original) if recover else remote.relaunch(original)
        url = remote.generate_console_url(launched)
    click.secho(f"Launched execution {launched.name}", fg="blue")
    click.echo(
        click.style("[✔] ", fg="green") + "Go to " + click.style(url, fg="cyan") + " to see execution in the console."
    )

"""``pyflyte launchplan [-p P] [-d D] --activate|--deactivate NAME [VERSION]``, as flytekit's (UpdateLaunchPlan).

Activating a version deactivates the launch plan's previously active one; a schedule runs only while its
launch plan is active. Without VERSION the newest registered version is used.
"""

from __future__ import annotations

import click

from flyte_core.cli.remote import make_remote, remote_errors


@click.command("launchplan")
@click.option("-p", "--project", default=None, help="Project of the launch plan (default from config).")
@click.option("-d", "--domain", default=None, help="Domain of the launch plan (default from config).")
@click.option(
    "--activate/--deactivate",
    default=None,
    help="Activate the launch plan version (and deactivate the active one), or deactivate it (one is required).",
)
@click.argument("launchplan_name", metavar="NAME")
@click.argument("launchplan_version", metavar="[VERSION]", required=False, default=None)
@click.pass_context
def launchplan(
    ctx: click.Context,
    project: str | None,
    domain: str | None,
    activate: bool | None,
    launchplan_name: str,
    launchplan_version: str | None,
) -> None:
    """Activate or deactivate a version of launch plan NAME (the newest when VERSION is not given)."""
    if activate is None:
        raise click.UsageError(
            f"say what to do with launch plan '{launchplan_name}': --activate or --deactivate", ctx=ctx
        )
    remote = make_remote(project, domain)
    action = "activating" if activate else "deactivating"
    with remote_errors(ctx, f"{action} launch plan '{launchplan_name}'"):
        found = remote.fetch_launch_plan(
            remote.default_project, remote.default_domain, launchplan_name, launchplan_version
        )
        if activate:
            remote.activate_launchplan(found.id)
        else:
            remote.deactivate_launchplan(found.id)
    state = "ACTIVE" if activate else "INACTIVE"
    click.secho(f"Launchplan was set to {state}: {found.name}:{found.version}", fg="green")

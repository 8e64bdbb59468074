"""``pyflyte info``: what this client is and what it talks to, as flytekit's (GetVersion).

Prints the flyte-core version, the config file in use and the admin endpoint, then asks the control plane
for its version. When the control plane cannot be reached the client part is still printed, with the
reason, and the command exits with status 1.
"""

from __future__ import annotations

import os

import click

from flyte_core.cli.options import verbosity
from flyte_core.cli.remote import make_remote


@click.command("info")
@click.pass_context
def info(ctx: click.Context) -> None:
    """Show the flyte-core version, the config file and endpoint in use, and the Flyte backend's version."""
    from flyte_core._version import __version__
    from flyte_core.exceptions.base import FlyteException

    remote = make_remote()
    endpoint = remote.config.platform.endpoint
    click.echo(
        "This CLI is meant to be used within a virtual environment that has flyte-core installed. Ideally it is "
        "used to iterate on your Flyte workflows and tasks.\n"
    )
    click.echo(f"flyte-core Version: {__version__}")
    click.echo(f"Config File: {_config_source()}")
    click.echo(f"Flyte Backend Endpoint: {endpoint}")
    try:
        version = remote.get_version()  # with a timeout: a firewalled endpoint does not hang the command
    except (FlyteException, ValueError, OSError) as exc:
        click.echo("Flyte Backend Version: unavailable")
        if verbosity(ctx):
            import traceback

            traceback.print_exception(exc)
        raise click.ClickException(
            f"the Flyte backend at {endpoint} cannot be reached: {str(exc).strip() or type(exc).__name__}"
        ) from exc
    finally:
        remote.close()
    build = f" ({version.Build})" if version.Build else ""
    click.echo(f"Flyte Backend Version: {version.Version or 'unknown'}{build}")


def _config_source() -> str:
    """The config file the CLI's remote reads, in ``make_remote``'s order, or what it uses instead."""
    from flyte_core.config.files import find_config_file

    found = find_config_file()
    if found is not None:
        return str(found)
    if os.environ.get("FLYTE_PLATFORM_URL"):
        return "none (FLYTE_PLATFORM_URL and the other FLYTE_* environment variables)"
    from flyte_core.sandbox import lifecycle

    running = lifecycle.find_running(lifecycle.state_dir(None))
    if running is not None and running.grpc_port and running.config_path.exists():
        return f"{running.config_path} (of the running pyflyte sandbox)"
    return "none (the defaults: a local sandbox at localhost:30080)"

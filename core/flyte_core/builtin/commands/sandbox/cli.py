"""``pyflyte sandbox start|status|stop|logs``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from flyte_core.sandbox import lifecycle

_STATE_DIR = click.option(
    "--state-dir",
    type=click.Path(file_okay=False),
    default=None,
    help=f"Where the sandbox keeps its state, blobs and logs (default {lifecycle.DEFAULT_STATE_DIR}).",
)


@click.group("sandbox")
def sandbox() -> None:
    """A Flyte control plane and executor on this machine: FlyteAdmin's gRPC API, tasks run as local processes.

    Clients (pyflyte run --remote, FlyteRemote, flytekit's too) use it through the config it writes:
    export FLYTECTL_CONFIG=~/.flyte/sandbox/config.yaml
    """


@sandbox.command("start")
@_STATE_DIR
@click.option("--foreground", is_flag=True, help="Stay attached (Ctrl-C stops the sandbox).")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=int, default=lifecycle.DEFAULT_GRPC_PORT, show_default=True, help="The gRPC port.")
@click.option(
    "--http-port",
    type=int,
    default=lifecycle.DEFAULT_HTTP_PORT,
    show_default=True,
    help="The HTTP port (uploads, console).",
)
@click.option(
    "--max-parallel",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 2,
    show_default="the number of cores",
    help="Task processes that may run at once.",
)
@click.option(
    "--image-env",
    multiple=True,
    metavar="IMAGE=PYTHON_PREFIX",
    help="Run the tasks of a container image with the Python environment at PYTHON_PREFIX (a venv); repeatable. "
    "Other images run with the sandbox's own environment.",
)
@click.option(
    "--blob-store",
    metavar="URL",
    help="Keep inputs, outputs and uploads in this store, e.g. s3://bucket/prefix (needs its file-access plugin, "
    "e.g. flyte-plugin-s3, and its settings: FLYTE_AWS_* or the config's storage section). Default: the state "
    "directory's blobs/.",
)
def start(
    state_dir: str | None,
    foreground: bool,
    host: str,
    port: int,
    http_port: int,
    max_parallel: int,
    image_env: tuple[str, ...],
    blob_store: str | None,
) -> None:
    """Start the sandbox (in the background unless --foreground)."""
    directory = lifecycle.state_dir(state_dir)
    running = lifecycle.find_running(directory)
    if running is not None:
        click.echo(f"The sandbox is already running (pid {running.pid}) at {running.endpoint}.")
        _print_usage(running)
        return
    for item in image_env:
        image, sep, prefix = item.partition("=")
        if not sep or not image or not prefix:
            raise click.BadParameter(f"'{item}' is not IMAGE=PYTHON_PREFIX", param_hint="--image-env")
        if not Path(prefix, "bin").is_dir():
            raise click.BadParameter(
                f"'{prefix}' is not a Python environment (no bin/ in it)", param_hint="--image-env"
            )
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.secho(
            f"Warning: listening on {host}: anyone who can reach this address can run code on this machine.",
            fg="yellow",
            err=True,
        )
    args = ["--host", host, "--port", str(port), "--http-port", str(http_port), "--max-parallel", str(max_parallel)]
    for item in image_env:
        args += ["--image-env", item]
    if blob_store:
        args += ["--blob-store", blob_store]
    if foreground:
        from flyte_core.sandbox.server import main

        sys.exit(main(["--state-dir", str(directory), *args]))
    try:
        running = lifecycle.start_in_background(args, directory)
    except lifecycle.SandboxError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Started the sandbox (pid {running.pid}): gRPC {running.endpoint}, console {running.console_url}")
    _print_usage(running)


def _print_usage(running: lifecycle.RunningSandbox) -> None:
    click.echo(f"Use it with:  export FLYTECTL_CONFIG={running.config_path}")
    click.echo("then e.g.:    pyflyte run --remote hello.py hello_wf")


@sandbox.command("status")
@_STATE_DIR
def status(state_dir: str | None) -> None:
    """Say whether the sandbox runs, where, and what it is doing."""
    running = lifecycle.find_running(lifecycle.state_dir(state_dir))
    if running is None:
        click.echo("The sandbox is not running ('pyflyte sandbox start' starts it).")
        sys.exit(3)
    try:
        details = running.status()
    except OSError as exc:
        raise click.ClickException(f"the sandbox (pid {running.pid}) does not answer on its HTTP port: {exc}") from exc
    click.echo(f"running    pid {running.pid}, version {running.version}")
    click.echo(f"gRPC       {running.endpoint}")
    click.echo(f"console    {running.console_url}")
    click.echo(f"config     {running.config_path}")
    click.echo(f"blobs      {running.blob_store or Path(running.state_dir, 'blobs')}")
    click.echo(
        f"executions {details.get('running_executions', 0)} running, tasks {details.get('running_tasks', 0)} running"
    )


@sandbox.command("stop")
@_STATE_DIR
def stop(state_dir: str | None) -> None:
    """Stop the sandbox; unfinished executions continue at the next start."""
    stopped = lifecycle.stop(lifecycle.state_dir(state_dir))
    if stopped is None:
        click.echo("The sandbox is not running.")
    else:
        click.echo(f"Stopped the sandbox (pid {stopped.pid}).")


@sandbox.command("logs")
@_STATE_DIR
@click.argument("execution")
@click.option("--node", help="Only this node's logs (its id, e.g. n0).")
@click.option("-p", "--project", default="flytesnacks", show_default=True)
@click.option("-d", "--domain", default="development", show_default=True)
def logs(state_dir: str | None, execution: str, node: str | None, project: str, domain: str) -> None:
    """Print the task logs (stdout and stderr) of an execution, attempt by attempt."""
    root = lifecycle.state_dir(state_dir) / "logs" / project / domain / execution
    if not root.is_dir():
        raise click.ClickException(
            f"no logs for execution '{execution}' in {project}/{domain} (looked in {root}); "
            "check the name, or give -p/-d for another project or domain"
        )
    files = sorted(p for p in root.rglob("*.log") if node is None or p.relative_to(root).parts[0] == node)
    if not files:
        raise click.ClickException(f"execution '{execution}' has no logs for node '{node}'")
    for path in files:
        click.secho(f"==> {path.relative_to(root).with_suffix('')} <==", bold=True)
        click.echo(path.read_text(errors="replace"), nl=False)

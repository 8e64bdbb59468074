"""``pyflyte ray start|status|stop``: a persistent local Ray head that Ray tasks attach to.

Without it every Ray task run here starts (and stops) a Ray runtime of its own, which takes seconds; with it
running, tasks with no address configured connect to it in about a second. Its state is in
``$FLYTE_RAY_HOME`` (default ``~/.flyte/ray``). ``ray`` is imported only by the head process.
"""

from __future__ import annotations

import datetime
import importlib.util
import socket
import sys

import click

from flyte_plugin_ray import head as ray_head


@click.group("ray")
def ray_group() -> None:
    """A local Ray head for Ray tasks (state in $FLYTE_RAY_HOME, default ~/.flyte/ray)."""


@ray_group.command("start")
@click.option(
    "--num-cpus",
    type=click.IntRange(min=1),
    default=None,
    help="CPUs the head offers to Ray tasks (default: all of this machine's).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=90.0,
    show_default=True,
    help="Seconds to wait for the head to serve.",
)
def start(num_cpus: int | None, timeout: float) -> None:
    """Start a Ray head in the background; Ray tasks run here then attach to it."""
    running = ray_head.find_running()
    if running is not None:
        click.echo(f"A Ray head is already running at {running.address} (pid {running.pid}, {running.num_cpus} CPUs).")
        click.echo("'pyflyte ray stop' stops it.")
        return
    if importlib.util.find_spec("ray") is None:
        raise click.ClickException(f"ray is not installed in {sys.prefix}: pip install 'ray>=2.9'")
    try:
        started = ray_head.start(num_cpus=num_cpus, timeout=timeout)
    except ray_head.HeadError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Started a Ray head at {started.address} (pid {started.pid}, {started.num_cpus} CPUs).")
    click.echo("Ray tasks with no address configured (and no RAY_ADDRESS) now attach to it.")
    click.echo("'pyflyte ray stop' stops it.")


@ray_group.command("status")
def status() -> None:
    """Say whether the Ray head runs, where, and whether it answers (exit status 3 when it does not run)."""
    running = ray_head.find_running()
    if running is None:
        click.echo(f"No Ray head is running ('pyflyte ray start' starts one; state in {ray_head.home()}).")
        sys.exit(3)
    started = datetime.datetime.fromtimestamp(running.started_at).isoformat(sep=" ", timespec="seconds")
    click.echo(f"running    pid {running.pid}, since {started}")
    click.echo(f"address    {running.address}")
    click.echo(f"cpus       {running.num_cpus}")
    click.echo(f"log        {running.log}")
    if not _answers(running.address):
        raise click.ClickException(
            f"the Ray head (pid {running.pid}) does not answer at {running.address}; see {running.log}, "
            "then 'pyflyte ray stop' and 'pyflyte ray start'"
        )


@ray_group.command("stop")
def stop() -> None:
    """Stop the Ray head and its Ray processes."""
    try:
        stopped = ray_head.stop()
    except OSError as exc:
        raise click.ClickException(f"could not stop the Ray head: {exc}") from exc
    if stopped is None:
        click.echo("No Ray head is running.")
    else:
        click.echo(f"Stopped the Ray head at {stopped.address} (pid {stopped.pid}).")


def _answers(address: str, timeout: float = 2.0) -> bool:
    """Whether the head's GCS port accepts a connection."""
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return True
    except (OSError, ValueError):
        return False

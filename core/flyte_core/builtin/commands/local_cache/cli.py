"""``pyflyte local-cache clear``: remove the outputs stored by local runs of ``cache=True`` tasks."""

from __future__ import annotations

import click


@click.group("local-cache")
def local_cache() -> None:
    """Interact with the local cache of task outputs (``cache=True`` tasks run locally)."""


@local_cache.command("clear")
def clear() -> None:
    """Remove all stored outputs from the local cache, and say what was removed."""
    from flyte_core.sdk.local_cache import LocalTaskCache

    removed = LocalTaskCache.clear()
    where = LocalTaskCache.database_path()
    total = sum(removed.values())
    if not total:
        click.echo(f"The local cache is empty ({where}).")
        return
    noun = "output" if total == 1 else "outputs"
    click.echo(f"Removed {total} cached task {noun} from {where}:")
    for task_name, count in sorted(removed.items()):
        click.echo(f"  {task_name}: {count}")

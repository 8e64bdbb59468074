"""What every command that talks to a control plane shares: the ``FlyteRemote`` to use and its errors.

Which control plane: the config file (``pyflyte -c``, ``$FLYTECTL_CONFIG``, ``~/.flyte/config.yaml``...) or
``FLYTE_PLATFORM_URL``; with neither, the sandbox started by ``pyflyte sandbox start`` when one runs, else
``Config.for_sandbox()`` (``localhost:30080``), as flytekit does.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from flyte_core.cli.options import verbosity

if TYPE_CHECKING:
    from flyte_core.config import Config
    from flyte_core.remote import FlyteRemote


def remote_config() -> Config:
    """The client config for CLI commands (see the module docstring for the order)."""
    from flyte_core.config import Config
    from flyte_core.config.files import find_config_file

    if find_config_file() is not None or os.environ.get("FLYTE_PLATFORM_URL"):
        return Config.auto()
    from flyte_core.sandbox import lifecycle

    running = lifecycle.find_running(lifecycle.state_dir(None))
    if running is not None and running.grpc_port and running.config_path.exists():
        return Config.auto(str(running.config_path))
    return Config.for_sandbox()


def project_domain(project: str | None, domain: str | None) -> tuple[str, str]:
    """``-p``/``-d``, else ``FLYTE_DEFAULT_PROJECT/DOMAIN``, else the config's ``task`` section, else the defaults."""
    from flyte_core.config.local import TaskConfig

    task = TaskConfig.auto()
    project = project or os.environ.get("FLYTE_DEFAULT_PROJECT") or task.project or "flytesnacks"
    domain = domain or os.environ.get("FLYTE_DEFAULT_DOMAIN") or task.domain or "development"
    return project, domain


def make_remote(project: str | None = None, domain: str | None = None) -> FlyteRemote:
    """A ``FlyteRemote`` for the CLI's control plane, defaulting to ``project``/``domain``."""
    from flyte_core.remote import FlyteRemote

    project, domain = project_domain(project, domain)
    return FlyteRemote(
        remote_config(), default_project=project, default_domain=domain, data_upload_location="flyte://data"
    )


@contextlib.contextmanager
def remote_errors(ctx: click.Context, doing: str) -> Iterator[None]:
    """Turn control-plane and user errors into one-line CLI errors (the traceback with ``pyflyte -v``)."""
    from flyte_core.exceptions.base import FlyteException

    try:
        yield
    except click.ClickException:
        raise
    except (FlyteException, ValueError, OSError) as exc:
        if verbosity(ctx):
            import traceback

            traceback.print_exception(exc)
        hint = "" if verbosity(ctx) else "\n(pyflyte -v ... shows the traceback)"
        raise click.ClickException(f"{doing} failed: {_message(exc)}{hint}") from exc


def _message(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if type(exc).__name__ in text else f"{type(exc).__name__}: {text}"


def print_outputs(outputs: Any, names: list[str], tuple_name: str | None = None) -> None:
    """Outputs as ``pyflyte run`` prints a local run's: one value alone, several as the named tuple a call returns.

    ``tuple_name`` is the entity's output tuple name (``DefaultNamedTupleOutput`` when it has none); without
    a Python interface (a fetched entity) several outputs print as a mapping.
    """
    if not names:
        click.echo(None)
    elif len(names) == 1:
        click.echo(outputs[names[0]])
    elif tuple_name is None:
        click.echo({name: outputs[name] for name in names})
    else:
        import collections

        click.echo(collections.namedtuple(tuple_name, names)(**{name: outputs[name] for name in names}))  # type: ignore[misc]

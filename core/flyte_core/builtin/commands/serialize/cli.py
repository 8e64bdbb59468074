"""``pyflyte --pkgs PKG serialize [options] workflows -f DIR`` and ``serialize fast workflows``, as in flytekit."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from flyte_core.cli.options import image_option, key_values, verbosity


@click.group("serialize")
@image_option
@click.option(
    "--local-source-root",
    default=os.getcwd,
    show_default="the current directory",
    help="The directory the --pkgs packages are imported from.",
)
@click.option(
    "--in-container-config-path",
    help="Where the configuration file is inside the container (accepted for compatibility; not used).",
)
@click.option(
    "--in-container-virtualenv-root",
    help="The virtual environment of flyte-core inside the container (its bin/python3 is the interpreter).",
)
@click.option("--env", "--envvars", multiple=True, callback=key_values, help="KEY=VALUE set in every task's container.")
@click.pass_context
def serialize(
    ctx: click.Context,
    image_config: Any,
    local_source_root: str,
    in_container_config_path: str | None,
    in_container_virtualenv_root: str | None,
    env: dict[str, str],
) -> None:
    """Write one protobuf file per task (TaskSpec), workflow (WorkflowSpec) and launch plan (LaunchPlan).

    Files are named <index>_<entity>_<1|2|3>.pb in registration order. Project, domain and version are
    left empty: registration fills them in. 'pyflyte package' builds a registrable archive instead.
    """
    ctx.ensure_object(dict)
    if in_container_virtualenv_root:
        interpreter = os.path.join(in_container_virtualenv_root, "bin", "python3")
        venv = in_container_virtualenv_root
    else:
        interpreter, venv = sys.executable, os.path.dirname(os.path.dirname(sys.executable))
    ctx.obj["serialize"] = {
        "image_config": image_config,
        "source_root": local_source_root,
        "env": env or None,
        "python_interpreter": interpreter,
        "virtualenv_root": venv,
    }


@serialize.command("workflows")
@click.option("-f", "--folder", type=click.Path(exists=True, file_okay=False, writable=True), default=".")
@click.pass_context
def workflows(ctx: click.Context, folder: str) -> None:
    """Serialize for a container image that holds the code."""
    _serialize(ctx, folder, fast=False)


@serialize.group("fast")
def fast() -> None:
    """Serialize for fast registration: the code travels in an archive, not in the image."""


@fast.command("workflows")
@click.option("--deref-symlinks", is_flag=True, help="Archive the files symbolic links point to, not the links.")
@click.option("-f", "--folder", type=click.Path(exists=True, file_okay=False, writable=True), default=".")
@click.pass_context
def fast_workflows(ctx: click.Context, folder: str, deref_symlinks: bool) -> None:
    """Write the code archive (fast<digest>.tar.gz) and the protobufs that run from it."""
    from pathlib import Path

    from flyte_core.packaging.fast import fast_package

    source = ctx.obj["serialize"]["source_root"]
    archive = fast_package(Path(source), Path(folder), deref_symlinks=deref_symlinks)
    click.echo(f"Wrote compressed archive to {archive}")
    _serialize(ctx, folder, fast=True)


def _serialize(ctx: click.Context, folder: str, fast: bool) -> None:
    from flyte_core.config.serialization import FastSerializationSettings, SerializationSettings
    from flyte_core.packaging.entities import write_entities

    options = ctx.obj["serialize"]
    packages = packages_to_load(ctx)
    settings = SerializationSettings(
        image_config=options["image_config"],
        env=options["env"],
        python_interpreter=options["python_interpreter"],
        flytekit_virtualenv_root=options["virtualenv_root"],
        fast_serialization_settings=FastSerializationSettings(enabled=fast),
    )
    click.secho(f"Loading packages {packages} under source root {options['source_root']}", fg="yellow", err=True)
    entities = serialize_or_fail(ctx, packages, settings, options["source_root"])
    click.secho(f"Successfully serialized {len(entities)} flyte entities", fg="green", err=True)
    write_entities(entities, folder, report=lambda name, file: click.secho(f"  {name} -> {file}", dim=True, err=True))


def packages_to_load(ctx: click.Context) -> list[str]:
    """The root ``--pkgs``, else the configured workflow packages; a usage error when there are none."""
    root = ctx.find_root()
    packages = list(root.obj.get("pkgs") or []) if isinstance(root.obj, dict) else []
    if not packages:
        from flyte_core.config.entries import SDK_WORKFLOW_PACKAGES
        from flyte_core.config.files import get_config_file

        packages = list(SDK_WORKFLOW_PACKAGES.read(get_config_file(root.obj.get("config_file"))) or [])
    if not packages:
        raise click.UsageError(
            "no packages to look for entities in: give them with 'pyflyte --pkgs my_package "
            f"{ctx.command_path.split(' ', 1)[1]}' (or set FLYTE_SDK_WORKFLOW_PACKAGES)",
            ctx=ctx,
        )
    return packages


def serialize_or_fail(ctx: click.Context, packages: list[str], settings: Any, source_root: str) -> list[Any]:
    """``serialize_packages``, with user mistakes as one-line errors (tracebacks with ``pyflyte -v``)."""
    from flyte_core.exceptions.base import FlyteException
    from flyte_core.packaging.entities import serialize_packages
    from flyte_core.sdk.module_loader import UserFileError

    try:
        return serialize_packages(packages, settings, source_root)
    except (UserFileError, FlyteException, ValueError, TypeError) as exc:
        if verbosity(ctx):
            import traceback

            traceback.print_exc()
        hint = "" if verbosity(ctx) else "\n(pyflyte -v ... shows the traceback)"
        raise click.ClickException(f"{exc}{hint}") from exc

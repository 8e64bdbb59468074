"""``pyflyte --pkgs PKG package``: the registrable flyte-package.tgz, as flytekit's ``pyflyte package`` builds it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from flyte_core.builtin.commands.serialize.cli import packages_to_load, serialize_or_fail
from flyte_core.cli.options import image_option, key_values
from flyte_core.config.serialization import DEFAULT_IN_CONTAINER_SRC_PATH, DEFAULT_RUNTIME_PYTHON_INTERPRETER


@click.command("package")
@image_option
@click.option(
    "-s",
    "--source",
    type=click.Path(exists=True, file_okay=False, resolve_path=True),
    default=".",
    show_default=True,
    help="The directory the --pkgs packages are imported from (and archived from with --copy).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, resolve_path=True),
    default="flyte-package.tgz",
    show_default=True,
    help="The archive to write.",
)
@click.option("--fast", is_flag=True, help="Deprecated: same as --copy all.")
@click.option(
    "--copy",
    type=click.Choice(["all", "auto", "none"], case_sensitive=False),
    default="none",
    show_default=True,
    help="Put the code in the package for fast registration: 'all' files under --source, 'auto' only the "
    "imported Python modules, 'none' (the image holds the code).",
)
@click.option("-f", "--force", is_flag=True, help="Overwrite the output file if it exists.")
@click.option(
    "-p",
    "--python-interpreter",
    default=DEFAULT_RUNTIME_PYTHON_INTERPRETER,
    show_default=True,
    help="The Python interpreter inside the container.",
)
@click.option(
    "-d",
    "--in-container-source-path",
    default=DEFAULT_IN_CONTAINER_SRC_PATH,
    show_default=True,
    help="Where the code is inside the container (fast registration unpacks it there).",
)
@click.option("--deref-symlinks", is_flag=True, help="Archive the files symbolic links point to, not the links.")
@click.option("--env", "--envvars", multiple=True, callback=key_values, help="KEY=VALUE set in every task's container.")
@click.pass_context
def package(
    ctx: click.Context,
    image_config: Any,
    source: str,
    output: str,
    fast: bool,
    copy: str,
    force: bool,
    python_interpreter: str,
    in_container_source_path: str,
    deref_symlinks: bool,
    env: dict[str, str],
) -> None:
    """Serialize every entity of the --pkgs packages into a registrable archive (flyte-package.tgz).

    The archive holds one protobuf per task, workflow and launch plan and, with --copy all|auto, the code
    (fast registration: no image rebuild when only the code changes). Register it with
    'flytectl register files flyte-package.tgz' or 'pyflyte register'.
    """
    from flyte_core.config.serialization import FastSerializationSettings, SerializationSettings
    from flyte_core.packaging.entities import NothingToPackageError, write_package

    if fast:
        if "--copy" in sys.argv:
            raise click.BadParameter("--fast and --copy cannot be used together: use --copy all", param_hint="--fast")
        click.secho("--fast is deprecated: use --copy all", fg="yellow", err=True)
        copy = "all"
    copy = copy.lower()
    if os.path.exists(output) and not force:
        raise click.BadParameter(f"{output} already exists: give -f to overwrite it", param_hint="--output")
    packages = packages_to_load(ctx)
    settings = SerializationSettings(
        image_config=image_config,
        env=env or None,
        python_interpreter=python_interpreter,
        fast_serialization_settings=FastSerializationSettings(
            enabled=copy != "none", destination_dir=in_container_source_path
        ),
    )
    entities = serialize_or_fail(ctx, packages, settings, source)
    click.secho(f"Successfully serialized {len(entities)} flyte entities", fg="green", err=True)

    def code_archive(folder: Path) -> Path:
        from flyte_core.packaging.fast import fast_package

        if Path(output).is_relative_to(source) and os.path.exists(output):
            os.remove(output)  # an old package under the source would end up inside the new one
        archive = fast_package(Path(source), folder, deref_symlinks=deref_symlinks, copy_style=copy)
        click.secho(f"Fast mode enabled: compressed archive {archive.name}", dim=True, err=True)
        return archive

    try:
        write_package(
            entities,
            output,
            code_archive=code_archive if copy != "none" else None,
            report=lambda name, file: click.secho(f"  {name} -> {file}", dim=True, err=True),
        )
    except NothingToPackageError:
        click.secho(f"No flyte objects found in packages {packages}", fg="yellow", err=True)
        return
    click.secho(f"Successfully packaged {len(entities)} flyte objects into {output}", fg="green", err=True)

"""``pyflyte register PACKAGE_OR_MODULE...``: serialize and register entities on a Flyte control plane, as flytekit's.

Python sources (packages, modules, directories, ``.py`` files with a common project root) are imported and
every task, workflow and launch plan they make is registered; by default the code under the project root is
archived and uploaded (fast registration), and the version is a hash of that archive and the settings, so
registering unchanged code again creates nothing new. Package files made by ``pyflyte package`` or
``pyflyte serialize`` (a ``flyte-package.tgz`` or a directory of ``.pb`` files) are registered as they are,
with their code archive uploaded, as ``flytectl register files`` does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from flyte_core.cli.options import key_values, verbosity
from flyte_core.cli.remote import make_remote, remote_errors

if TYPE_CHECKING:
    from google.protobuf.message import Message

    from flyte_core.config.serialization import SerializationSettings
    from flyte_core.remote import FlyteRemote

_HELP = """Register the tasks, workflows and launch plans of Python sources or of package files.

PACKAGE_OR_MODULE are Python packages, modules, directories or .py files sharing a project root (the first
ancestor directory without __init__.py), or a flyte-package.tgz / directory of .pb files made by
'pyflyte package' or 'pyflyte serialize'.

Registration is "fast" by default: the code under the project root is archived and uploaded, and tasks
unpack it before they run, so no image has to be rebuilt when only the code changed (--copy none turns this
off and then needs --version).
"""


@dataclass
class _Plan:
    """What one registration sends: the entities in order, their version, and launch plans to activate."""

    source: str
    messages: list[Message]
    version: str
    auto_activate: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Options:
    """The command's options about what to upload and what to fill into the entities."""

    copy: str
    version: str | None
    output: str | None
    deref_symlinks: bool
    dry_run: bool
    service_account: str
    raw_data_prefix: str


@dataclass
class _Outcome:
    """How registering one entity went."""

    message: Message
    activated: bool = False
    error: Exception | None = None


@click.command("register", help=_HELP)
@click.option("-p", "--project", default=None, help="Project to register into (default from config, else flytesnacks).")
@click.option("-d", "--domain", default=None, help="Domain to register into (default from config, else development).")
@click.option(
    "-i",
    "--image",
    "images",
    multiple=True,
    help="The image tasks run in: 'repo/name:tag' for the default image, 'name=repo/name:tag' for a named one "
    "(repeatable); images of the config file are added. Package files keep the images they were made with.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, writable=True, resolve_path=True),
    default=None,
    help="Directory to write the code archive to (a temporary directory by default).",
)
@click.option(
    "-D",
    "--destination-dir",
    default=".",
    show_default=True,
    help="Where tasks unpack the code archive inside their container.",
)
@click.option("--service-account", default="", help="Service account the launch plans' executions run as.")
@click.option("--raw-data-prefix", default="", help="Where the launch plans' executions write offloaded data.")
@click.option(
    "-v",
    "--version",
    default=None,
    help="Version to register with (default: a hash of the code archive and the settings).",
)
@click.option("--deref-symlinks", is_flag=True, help="Archive the files symbolic links point to, not the links.")
@click.option("--non-fast", is_flag=True, help="[Deprecated, see --copy none] Do not archive and upload the code.")
@click.option(
    "--copy",
    type=click.Choice(["all", "auto", "none"], case_sensitive=False),
    default="all",
    show_default=True,
    help="Code to archive and upload: 'all' files under the project root, 'auto' the imported modules only, "
    "'none' (the image holds the code; needs --version).",
)
@click.option("--dry-run", is_flag=True, help="Serialize and list the entities; send nothing.")
@click.option(
    "--activate-launchplans",
    "--activate-launchplan",
    is_flag=True,
    help="Activate every registered launch plan (its previous active version is deactivated).",
)
@click.option("--env", "--envvars", multiple=True, callback=key_values, help="KEY=VALUE set in every task's container.")
@click.option("--resource-requests", default=None, help="Requests of tasks that set none, e.g. 'cpu=1,mem=2Gi,gpu=1'.")
@click.option("--resource-limits", default=None, help="Limits of tasks that set none, e.g. 'cpu=1,mem=2Gi,gpu=1'.")
@click.option(
    "--skip-errors",
    "--skip-error",
    is_flag=True,
    help="Go on past entities that fail to register; report them at the end (exit status 1).",
)
@click.argument("package_or_module", type=click.Path(exists=True, readable=True, resolve_path=True), nargs=-1)
@click.pass_context
def register(
    ctx: click.Context,
    project: str | None,
    domain: str | None,
    images: tuple[str, ...],
    output: str | None,
    destination_dir: str,
    service_account: str,
    raw_data_prefix: str,
    version: str | None,
    deref_symlinks: bool,
    non_fast: bool,
    copy: str,
    dry_run: bool,
    activate_launchplans: bool,
    env: dict[str, str],
    resource_requests: str | None,
    resource_limits: str | None,
    skip_errors: bool,
    package_or_module: tuple[str, ...],
) -> None:
    """Register Python sources or package files (see the command help)."""
    copy = _copy_style(non_fast, copy.lower())
    if not package_or_module:
        raise click.UsageError(
            "give what to register: Python packages, modules, directories or .py files, or a flyte-package.tgz "
            "(e.g. 'pyflyte register workflows/')",
            ctx=ctx,
        )
    root_obj = ctx.find_root().obj
    if isinstance(root_obj, dict) and root_obj.get("pkgs"):
        raise click.UsageError(
            "pyflyte register takes packages as arguments, not --pkgs: 'pyflyte register my_package/'", ctx=ctx
        )
    from flyte_core.builtin.commands.register.package_files import PackageError, is_package

    packages = [p for p in package_or_module if is_package(p)]
    sources = [p for p in package_or_module if p not in packages]
    if packages and sources:
        raise click.UsageError(
            f"register either Python sources or package files, not both at once (packages: {', '.join(packages)})",
            ctx=ctx,
        )
    options = _Options(copy, version, output, deref_symlinks, dry_run, service_account, raw_data_prefix)
    remote = make_remote(project, domain)
    if not dry_run:
        where = f"{remote.default_project}/{remote.default_domain}"
        click.secho(f"Registering against {remote.config.platform.endpoint} into {where}", err=True)
    settings = _settings(remote, images, env, resource_requests, resource_limits, destination_dir)
    plans: list[_Plan] = []
    with remote_errors(ctx, f"registering {', '.join(package_or_module)}"):
        try:
            if sources:
                plans.append(_plan_sources(ctx, remote, sources, settings, options))
            for package in packages:
                if images:
                    click.secho(f"--image is ignored for {package}: package files keep their images", err=True)
                plans.append(_plan_package(remote, package, settings, options))
        except PackageError as exc:
            raise click.ClickException(str(exc)) from exc
    _register_plans(ctx, remote, plans, dry_run, activate_launchplans, skip_errors)


def _copy_style(non_fast: bool, copy: str) -> str:
    """The --copy style, with the deprecated --non-fast meaning "none"."""
    if not non_fast:
        return copy
    if "--copy" in sys.argv:
        raise click.BadParameter(
            "--non-fast and --copy cannot be used together: use --copy none", param_hint="--non-fast"
        )
    click.secho("--non-fast is deprecated: use --copy none", fg="yellow", err=True)
    return "none"


def _settings(
    remote: FlyteRemote,
    images: tuple[str, ...],
    env: dict[str, str],
    requests: str | None,
    limits: str | None,
    destination_dir: str,
) -> SerializationSettings:
    """The serialization settings every entity is registered with (no version and no code location yet)."""
    from flyte_core.builtin.commands.run.remote_run import _default_resources, _image_config
    from flyte_core.config import ConfigError
    from flyte_core.config.serialization import FastSerializationSettings, SerializationSettings

    try:
        image_config = _image_config(images)
    except (ConfigError, ValueError) as exc:
        raise click.BadParameter(
            f"{exc}: give an image with a tag or digest, e.g. --image ghcr.io/org/app:v1 or --image name=repo/app:v1",
            param_hint="--image",
        ) from exc
    return SerializationSettings(
        image_config=image_config,
        project=remote.default_project,
        domain=remote.default_domain,
        version="",
        env=env or None,
        default_resources=_default_resources(requests, limits),
        fast_serialization_settings=FastSerializationSettings(enabled=False, destination_dir=destination_dir),
    )


# -- Python sources --------------------------------------------------------------------------------------------


def _plan_sources(
    ctx: click.Context, remote: FlyteRemote, paths: Sequence[str], settings: SerializationSettings, options: _Options
) -> _Plan:
    """Import the sources, archive and upload their code (unless --copy none), and serialize their entities."""
    from flyte_core.context import FlyteContextManager, FlyteEntities
    from flyte_core.exceptions.base import FlyteException
    from flyte_core.idl.translator import registrable_entities
    from flyte_core.remote.versions import version_from_hash
    from flyte_core.sdk.launch_plan import LaunchPlan
    from flyte_core.sdk.module_loader import UserFileError, load_packages
    from flyte_core.sdk.options import Options

    version = options.version
    if options.copy == "none" and not version:
        raise click.UsageError("--copy none needs --version: without a code archive there is nothing to hash", ctx=ctx)
    root = _common_root(paths)
    modules = [_module_name(root, path) for path in paths]
    settings.source_root = str(root)
    click.secho(f"Detected root {root}, loading {', '.join(modules)}", fg="yellow", err=True)
    context = FlyteContextManager.current_context().new_builder().with_serialization_settings(settings)
    try:
        with FlyteContextManager.with_context(context):
            load_packages(modules, root)
    except UserFileError as exc:
        _fail(ctx, exc)
    fast = settings.fast_serialization_settings
    if options.copy != "none" and fast is not None:
        md5, location = _upload_code(remote, root, options)
        fast.enabled = True
        fast.distribution_location = location
        if not version:
            version = version_from_hash(md5, settings, options.service_account, options.raw_data_prefix)
            click.secho(f"Computed version is {version}", fg="yellow", err=True)
    else:
        settings.fast_serialization_settings = None
    settings.version = version
    launch_options = Options.default_from(
        k8s_service_account=options.service_account, raw_data_prefix=options.raw_data_prefix
    )
    try:
        messages = registrable_entities(settings, launch_options)
    except (FlyteException, ValueError, TypeError) as exc:  # an entity of the user's that cannot be serialized
        _fail(ctx, exc)
    auto = {e.name for e in FlyteEntities.entities if isinstance(e, LaunchPlan) and e.should_auto_activate}
    return _Plan(source=", ".join(paths), messages=messages, version=version or "", auto_activate=auto)


def _common_root(paths: Sequence[str]) -> Path:
    """The project root all ``paths`` share (the first ancestor directory without ``__init__.py``)."""
    from flyte_core.sdk.module_loader import find_project_root

    roots = {path: find_project_root(Path(path).resolve()) for path in paths}
    first = roots[paths[0]]
    for path, root in roots.items():
        if root != first:
            raise click.BadParameter(
                f"{path} is in the project {root} but {paths[0]} is in {first}: register one project at a time",
                param_hint="PACKAGE_OR_MODULE",
            )
    return first


def _module_name(root: Path, path: str) -> str:
    """The dotted module name of a .py file or package directory under the project root."""
    resolved = Path(path).resolve()
    if resolved.is_file() and resolved.suffix != ".py":
        raise click.BadParameter(
            f"{path} is neither a Python file, a directory nor a package archive (.tgz)", param_hint="PACKAGE_OR_MODULE"
        )
    relative = resolved.relative_to(root)
    return str(relative.with_suffix("") if resolved.suffix == ".py" else relative).replace(os.path.sep, ".")


def _upload_code(remote: FlyteRemote, root: Path, options: _Options) -> tuple[bytes, str]:
    """Archive the code under ``root`` and upload it (only archive it on a dry run); return its md5 and URL."""
    if not options.dry_run:
        md5, location = remote.fast_package(
            root,
            deref_symlinks=options.deref_symlinks,
            output=options.output,
            copy_style=options.copy,
            project=remote.default_project,
            domain=remote.default_domain,
        )
        click.secho(f"Uploaded the code archive to {location}", dim=True, err=True)
        return md5, location
    import tempfile

    from flyte_core.packaging.fast import fast_package
    from flyte_core.remote.data import file_md5

    with tempfile.TemporaryDirectory(prefix="flyte-register-") as scratch:
        folder = options.output or scratch
        archive = fast_package(root, folder, deref_symlinks=options.deref_symlinks, copy_style=options.copy)  # type: ignore[arg-type]
        click.secho(f"Dry run: code archive {archive.name} made, not uploaded", dim=True, err=True)
        return file_md5(archive), archive.name


# -- package files ---------------------------------------------------------------------------------------------


def _plan_package(remote: FlyteRemote, path: str, settings: SerializationSettings, options: _Options) -> _Plan:
    """Read a package, upload its code archive, and fill in project, domain, version and code location."""
    from flyte_core.builtin.commands.register.package_files import Placement, fill_in, open_package
    from flyte_core.remote.versions import version_from_hash

    version = options.version
    with open_package(path) as package:
        location = None
        archive = package.code_archive
        if archive is not None and options.copy != "none":
            if options.dry_run:
                location = archive.name
            else:
                _, location = remote.upload_file(archive, remote.default_project, remote.default_domain)
                click.secho(f"Uploaded the code archive {archive.name} to {location}", dim=True, err=True)
        fast = settings.fast_serialization_settings
        destination_dir = (fast.destination_dir if fast is not None else None) or "."
        if fast is not None:
            fast.enabled = location is not None
            fast.distribution_location = location
        if not version:
            version = version_from_hash(package.digest, settings, options.service_account, options.raw_data_prefix)
            click.secho(f"Computed version is {version}", fg="yellow", err=True)
        placement = Placement(
            project=remote.default_project,
            domain=remote.default_domain,
            version=version,
            code_location=location,
            destination_dir=destination_dir,
            service_account=options.service_account,
            raw_data_prefix=options.raw_data_prefix,
        )
        for message in package.messages:
            fill_in(message, placement)
    return _Plan(source=path, messages=package.messages, version=version)


# -- registering -----------------------------------------------------------------------------------------------

_KIND_NAMES = {"TaskSpec": "Task", "WorkflowSpec": "Workflow", "LaunchPlan": "Launch Plan"}


def _register_plans(
    ctx: click.Context,
    remote: FlyteRemote,
    plans: list[_Plan],
    dry_run: bool,
    activate_all: bool,
    skip_errors: bool,
) -> None:
    """Send each plan's entities (tasks concurrently, then the rest in order) and report each as flytekit does."""
    from flyte_core.builtin.commands.register.package_files import entity_name

    total = sum(len(plan.messages) for plan in plans)
    if total == 0:
        raise click.ClickException(
            f"no tasks, workflows or launch plans were found in {', '.join(p.source for p in plans)}: "
            "check that the modules define them at module level"
        )
    click.secho(f"Serializing and registering {total} flyte entities", fg="green", err=True)
    failures: list[_Outcome] = []
    for plan in plans:
        activate = None if activate_all else plan.auto_activate
        if dry_run:
            for message in plan.messages:
                _report(_Outcome(message), dry_run=True)
            continue
        tasks = [m for m in plan.messages if type(m).__name__ == "TaskSpec"]
        others = [m for m in plan.messages if type(m).__name__ != "TaskSpec"]
        with ThreadPoolExecutor(max_workers=min(8, max(1, len(tasks)))) as pool:
            futures = [pool.submit(_register_one, remote, m, plan.version, activate) for m in tasks]
            outcomes = [future.result() for future in futures]
        for outcome in outcomes:
            _handle(ctx, outcome, failures, skip_errors)
        for message in others:
            _handle(ctx, _register_one(remote, message, plan.version, activate), failures, skip_errors)
    if failures:
        lines = "\n".join(
            f"  {_KIND_NAMES[type(f.message).__name__].lower()} '{entity_name(f.message)}': {f.error}" for f in failures
        )
        raise click.ClickException(
            f"{len(failures)} of {total} entities failed to register:\n{lines}\n"
            "Fix them and register again (entities already registered are left as they are)"
        )
    if dry_run:
        click.secho(f"Dry run: {total} entities would be registered", fg="green")
    else:
        click.secho(f"Successfully registered {total} entities", fg="green")


def _register_one(remote: FlyteRemote, message: Message, version: str, activate: set[str] | None) -> _Outcome:
    """Create one entity (ALREADY_EXISTS counts as done); activate it when it is a launch plan to activate."""
    from flyteidl.core import identifier_pb2

    from flyte_core.exceptions.base import FlyteException

    try:
        result = remote.register_serialized([message], version)
        ident = result.identifiers[0]
        if ident.resource_type == identifier_pb2.LAUNCH_PLAN and (activate is None or ident.name in activate):
            remote.activate_launchplan(ident)
            return _Outcome(message, activated=True)
        return _Outcome(message)
    except (FlyteException, OSError, ValueError) as exc:
        return _Outcome(message, error=exc)


def _handle(ctx: click.Context, outcome: _Outcome, failures: list[_Outcome], skip_errors: bool) -> None:
    """Report one outcome; a failure stops the command unless --skip-errors collects it."""
    from flyte_core.builtin.commands.register.package_files import entity_name

    _report(outcome)
    if outcome.error is None:
        return
    if skip_errors:
        failures.append(outcome)
        return
    kind = _KIND_NAMES[type(outcome.message).__name__].lower()
    if verbosity(ctx):
        import traceback

        traceback.print_exception(outcome.error)
    hint = "" if verbosity(ctx) else " (--skip-errors goes on past failing entities; pyflyte -v shows the traceback)"
    raise click.ClickException(
        f"registering {kind} '{entity_name(outcome.message)}' failed: {outcome.error}{hint}"
    ) from outcome.error


def _report(outcome: _Outcome, dry_run: bool = False) -> None:
    """``[✔] Task: name`` as flytekit prints it (``(Activated)``, ``(Dry run Mode)`` or ``[✘] ... (Failed)``)."""
    from flyte_core.builtin.commands.register.package_files import entity_name

    kind = _KIND_NAMES[type(outcome.message).__name__]
    name = entity_name(outcome.message)
    if outcome.error is not None:
        click.secho(f"[✘] {kind}: {name} (Failed)", fg="red")
    elif dry_run:
        click.secho(f"[✔] {kind}: {name} (Dry run Mode)", fg="green")
    else:
        click.secho(f"[✔] {kind}: {name}{' (Activated)' if outcome.activated else ''}", fg="green")


def _fail(ctx: click.Context, exc: BaseException) -> NoReturn:
    """A user's module that cannot be imported or serialized: one line (the traceback with ``pyflyte -v``)."""
    if verbosity(ctx):
        import traceback

        traceback.print_exception(exc)
    hint = "" if verbosity(ctx) else "\n(pyflyte -v ... shows the traceback)"
    raise click.ClickException(f"{exc}{hint}") from exc

"""``pyflyte s3``: see which S3 settings are in effect and whether they work (``check``), list objects (``ls``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import click

_T = TypeVar("_T")
_CHECK_CONTENT = b"flyte-plugin-s3 check\n"


@click.group("s3")
def s3() -> None:
    """S3 access as flyte-core tasks get it (settings from FLYTE_AWS_*, the config file, the AWS chain)."""


@s3.command("check")
@click.argument("prefix", required=False)
def check(prefix: str | None) -> None:
    """Show the effective S3 settings and where each comes from, then try PREFIX: list, put, get, delete.

    Without PREFIX, only list the buckets. The secret key is never printed.
    """
    from flyte_core.config.data import S3Config
    from flyte_core.config.files import get_config_file
    from flyte_plugin_s3.settings import describe_credential_chain, describe_settings

    cfg = get_config_file(None)
    s3_config = S3Config.auto(cfg)
    click.echo(f"config file: {cfg.location if cfg else '(none found)'}")
    settings = describe_settings(s3_config, cfg)
    chain = describe_credential_chain(s3_config)
    if chain is not None:
        settings.append(chain)
    width = max(len(setting.name) for setting in settings)
    for setting in settings:
        click.echo(f"  {setting.name:<{width}}  {setting.value}  ({setting.source})")
    fs = _filesystem(s3_config)
    if prefix is None:
        buckets = _step(f"list buckets at {fs.describe_endpoint()}", lambda: fs.ls("", refresh=True), fs, None)
        click.echo(f"ok: {len(buckets)} bucket(s) visible")
        return
    root = _s3_path(prefix)
    probe = f"{root.rstrip('/')}/flyte-s3-check-{uuid.uuid4().hex}.txt"
    listed = _step(f"list {_uri(root)}", lambda: _list(fs, root), fs, root)
    click.echo(f"    {len(listed)} entr{'y' if len(listed) == 1 else 'ies'} under {_uri(root)}")
    _step(f"put {_uri(probe)}", lambda: fs.pipe_file(probe, _CHECK_CONTENT), fs, probe)
    content = _step(f"get {_uri(probe)}", lambda: fs.cat_file(probe), fs, probe)
    if content != _CHECK_CONTENT:
        raise click.ClickException(f"get {_uri(probe)} returned {len(content)} bytes, not what was put")
    _step(f"delete {_uri(probe)}", lambda: fs.rm_file(probe), fs, probe)
    click.echo(f"ok: {_uri(root)} is readable and writable")


@s3.command("ls")
@click.argument("uri")
@click.option("-r", "--recursive", is_flag=True, help="List every object under URI, not just its first level.")
def ls(uri: str, recursive: bool) -> None:
    """List the objects (and, without -r, the directories) under URI, with their sizes."""
    from flyte_core.config.data import S3Config

    fs = _filesystem(S3Config.auto())
    path = _s3_path(uri)

    def listing() -> list[dict[str, Any]]:
        if recursive:
            return list(fs.find(path, detail=True, withdirs=False).values())
        return list(fs.ls(path, detail=True, refresh=True))

    entries = _step(f"list {_uri(path)}", listing, fs, path, quiet=True)
    if not entries and not fs.exists(path):
        raise click.ClickException(f"nothing at {_uri(path)}")
    for entry in sorted(entries, key=lambda e: str(e["name"])):
        if entry.get("type") == "directory":
            click.echo(f"{'DIR':>12}  {_uri(entry['name'])}/")
        else:
            click.echo(f"{entry.get('size', 0):>12}  {_uri(entry['name'])}")


def _list(fs: Any, path: str) -> list[str]:
    """The entries directly under ``path``; none when nothing is there yet (a missing bucket is an error)."""
    from flyte_plugin_s3.filesystem import NoSuchBucketError

    try:
        return list(fs.ls(path, refresh=True))
    except NoSuchBucketError:
        raise
    except FileNotFoundError:
        return []


def _filesystem(s3_config: Any) -> Any:
    """The plugin's S3 filesystem for these settings; a settings problem is a one-line error."""
    from flyte_plugin_s3.filesystem import FlyteS3FileSystem
    from flyte_plugin_s3.settings import S3SettingsError, storage_options

    try:
        return FlyteS3FileSystem(skip_instance_cache=True, **storage_options(s3_config))
    except S3SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def _step(what: str, action: Callable[[], _T], fs: Any, path: str | None, quiet: bool = False) -> _T:
    """Run one step; report it, or make its failure a one-line error (the traceback too with ``pyflyte -v``)."""
    try:
        result = action()
    except Exception as exc:
        from flyte_core.cli.options import verbosity

        if verbosity(click.get_current_context()):
            import traceback

            traceback.print_exception(exc)
        raise click.ClickException(f"{what}: failed: {_explain(exc, fs, path)}") from exc
    if not quiet:
        click.echo(f"ok: {what}")
    return result


def _explain(exc: Exception, fs: Any, path: str | None) -> str:
    """A one-line cause: the plugin's messages already name the endpoint, key id or bucket."""
    from botocore.exceptions import EndpointConnectionError, NoCredentialsError

    from flyte_plugin_s3.filesystem import NoSuchBucketError

    if isinstance(exc, NoCredentialsError):
        return (
            f"no credentials for {fs.describe_endpoint()}: set FLYTE_AWS_ACCESS_KEY_ID and "
            "FLYTE_AWS_SECRET_ACCESS_KEY (or storage.connection.access-key / secret-key, or AWS_* / a profile)"
        )
    if isinstance(exc, EndpointConnectionError):
        return (
            f"cannot connect to {fs.describe_endpoint()}: {exc}; check FLYTE_AWS_ENDPOINT / storage.connection.endpoint"
        )
    if isinstance(exc, FileNotFoundError) and path is not None and not isinstance(exc, NoSuchBucketError):
        return f"nothing at {_uri(path)}"
    return str(exc) or type(exc).__name__


def _s3_path(uri: str) -> str:
    """``s3://bucket/key`` (or ``s3a://``, or ``bucket/key``) as s3fs's ``bucket/key``."""
    for scheme in ("s3://", "s3a://"):
        if uri.startswith(scheme):
            return uri[len(scheme) :]
    if "://" in uri:
        raise click.BadParameter(f"'{uri}' is not an s3:// URI", param_hint="URI")
    return uri


def _uri(path: str) -> str:
    return f"s3://{path}"

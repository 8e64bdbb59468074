"""``pyflyte fetch [-r] FLYTE_URI [DOWNLOAD_TO]``: show and download execution data, as flytekit's (DataProxy GetData).

``flyte://v1/<project>/<domain>/<execution>/<node>[/<attempt>]/<i|o>[/<name>]`` names the inputs or outputs of a
node (all of them, or the one called ``name``); the console shows these URIs. Values print as plain text, a set
of them as ``name: value`` lines. With DOWNLOAD_TO, files and directories among them are downloaded there
(each value to ``DOWNLOAD_TO/<name>`` when there are several, which takes ``-r``).
"""

from __future__ import annotations

import datetime
import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from flyte_core.cli.remote import make_remote, remote_errors

if TYPE_CHECKING:
    from flyte_core.data.file_access import FileAccessProvider
    from flyte_core.remote import FlyteRemote


@click.command("fetch")
@click.option(
    "-r",
    "--recursive",
    is_flag=True,
    help="Download every value when the URI names several (inputs or outputs as a whole); directories are always "
    "downloaded with their contents.",
)
@click.argument("flyte_data_uri", metavar="FLYTE_URI")
@click.argument("download_to", type=click.Path(), required=False, default=None, metavar="[DOWNLOAD_TO]")
@click.pass_context
def fetch(ctx: click.Context, recursive: bool, flyte_data_uri: str, download_to: str | None) -> None:
    """Show the inputs or outputs behind FLYTE_URI (flyte://v1/...) and download their files to DOWNLOAD_TO.

    The console shows these URIs for every execution and node.
    """
    remote = make_remote()
    click.secho(f"Fetching data from {flyte_data_uri}...", dim=True, err=True)
    with remote_errors(ctx, f"fetching {flyte_data_uri}"):
        data = remote.get(flyte_data_uri)
    values = _as_literals(data)
    if values is None:
        urls = list(getattr(data, "signed_url", ()))
        if urls:
            for url in urls:
                click.echo(url)
            if download_to:
                raise click.UsageError(f"{flyte_data_uri} is a deck: open the URL above rather than downloading it")
            return
        click.echo(_text(_plain_value(data)))
        if download_to:
            with remote_errors(ctx, f"downloading {flyte_data_uri} to {download_to}"):
                _download_value(_file_access(remote), data, Path(download_to))
        return
    if isinstance(values, Mapping):
        for name, literal in values.items():
            click.echo(f"{name}: {literal_text(literal)}")
        if not download_to:
            return
        if not recursive:
            raise click.UsageError(
                f"{flyte_data_uri} names a set of values ({', '.join(values)}): give -r to download them all under "
                f"{download_to}, or "
                f"fetch one of them ({flyte_data_uri.rstrip('/')}/<name>)"
            )
        with remote_errors(ctx, f"downloading {flyte_data_uri} to {download_to}"):
            file_access = _file_access(remote)
            for name, literal in values.items():
                _download_literal(file_access, literal, Path(download_to, name))
        return
    click.echo(literal_text(values))
    if download_to:
        with remote_errors(ctx, f"downloading {flyte_data_uri} to {download_to}"):
            _download_literal(_file_access(remote), values, Path(download_to))


def _as_literals(data: Any) -> Any:
    """The literal map (as a dict) or literal ``remote.get`` returned, or None for a converted value or URLs."""
    from flyteidl.core import literals_pb2

    from flyte_core.remote import LiteralsResolver

    if isinstance(data, LiteralsResolver):
        return data.literals
    if isinstance(data, literals_pb2.Literal):
        return data
    return None


# -- literals as text ---------------------------------------------------------------------------------------------


def literal_text(literal: Any) -> str:
    """A literal as a user reads and types it: strings as they are, other values as JSON, files as their URI."""
    return _text(plain_literal(literal))


def _text(value: Any) -> str:
    """Strings as they are, everything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str, ensure_ascii=False)


def plain_literal(literal: Any) -> Any:
    """A flyteidl ``Literal`` as plain Python data (no type needed): lists, dicts, numbers, strings, URIs."""
    if literal.HasField("collection"):
        return [plain_literal(item) for item in literal.collection.literals]
    if literal.HasField("map"):
        return {key: plain_literal(item) for key, item in literal.map.literals.items()}
    if literal.HasField("offloaded_metadata"):
        return literal.offloaded_metadata.uri
    if not literal.HasField("scalar"):
        return None
    scalar = literal.scalar
    kind = scalar.WhichOneof("value")
    if kind == "primitive":
        return _plain_primitive(scalar.primitive)
    if kind in ("blob", "schema", "structured_dataset"):
        return getattr(scalar, kind).uri
    if kind == "union":
        return plain_literal(scalar.union.value)
    if kind == "generic":
        from google.protobuf.json_format import MessageToDict

        return MessageToDict(scalar.generic)
    if kind == "binary":
        return _plain_binary(scalar.binary)
    if kind == "error":
        return f"error from node {scalar.error.failed_node_id}: {scalar.error.message}"
    return None


def _plain_primitive(primitive: Any) -> Any:
    """A primitive as plain data: datetimes as ISO 8601, durations as H:MM:SS."""
    kind = primitive.WhichOneof("value")
    if kind == "datetime":
        return primitive.datetime.ToDatetime(tzinfo=datetime.timezone.utc).isoformat()
    if kind == "duration":
        return str(primitive.duration.ToTimedelta())
    return getattr(primitive, kind) if kind else None


def _plain_binary(binary: Any) -> Any:
    """A msgpack value (dataclasses, pydantic models) decoded; other binaries described."""
    if binary.tag == "msgpack":
        try:
            import msgpack  # type: ignore[import-untyped, unused-ignore]

            return msgpack.unpackb(binary.value, strict_map_key=False)
        except Exception:
            pass
    return f"<{binary.tag or 'binary'} value, {len(binary.value)} bytes>"


def _plain_value(value: Any) -> Any:
    """A value ``remote.get`` converted to Python, as plain data (files and datasets as their URI)."""
    uri = _uri_of(value)
    if uri is not None:
        return uri
    if isinstance(value, str | int | float | bool | list | dict) or value is None:
        return value
    return str(value)


def _uri_of(value: Any) -> str | None:
    """Where a file, directory or dataset value lives, or None for other values."""
    from flyte_core.types.directory.types import FlyteDirectory
    from flyte_core.types.file.file import FlyteFile

    if isinstance(value, FlyteFile | FlyteDirectory):
        return str(value.remote_source or value.path)
    uri = getattr(value, "uri", None)
    return uri if isinstance(uri, str) else None


# -- downloading ---------------------------------------------------------------------------------------------------


def _file_access(remote: FlyteRemote) -> FileAccessProvider:
    """File access with the remote's storage settings (credentials and endpoints of s3://, gs://...)."""
    from flyte_core.data.file_access import FileAccessProvider

    scratch = tempfile.mkdtemp(prefix="flyte-fetch-")
    return FileAccessProvider(
        local_sandbox_dir=scratch, raw_output_prefix=scratch, data_config=remote.config.data_config
    )


def _download_literal(file_access: FileAccessProvider, literal: Any, target: Path) -> None:
    """Download the files and directories of ``literal`` to ``target`` (items of lists and maps beneath it)."""
    if literal.HasField("collection"):
        for index, item in enumerate(literal.collection.literals):
            _download_literal(file_access, item, target / str(index))
        return
    if literal.HasField("map"):
        for key, item in literal.map.literals.items():
            _download_literal(file_access, item, target / key)
        return
    scalar = literal.scalar
    kind = scalar.WhichOneof("value") if literal.HasField("scalar") else None
    if kind == "union":
        _download_literal(file_access, scalar.union.value, target)
    elif kind == "blob":
        _get(file_access, scalar.blob.uri, target, scalar.blob.metadata.type.dimensionality == 1)
    elif kind == "structured_dataset":
        _get(file_access, scalar.structured_dataset.uri, target, True)


def _download_value(file_access: FileAccessProvider, value: Any, target: Path) -> None:
    """Download a file, directory or dataset value (converted by ``remote.get``) to ``target``."""
    from flyte_core.types.file.file import FlyteFile

    uri = _uri_of(value)
    if uri is None:
        raise click.UsageError(f"the value is not a file or directory; there is nothing to download to {target}")
    _get(file_access, uri, target, is_directory=not isinstance(value, FlyteFile))


def _get(file_access: FileAccessProvider, uri: str, target: Path, is_directory: bool) -> None:
    """Copy ``uri`` (a directory's contents when ``is_directory``) to ``target``."""
    file_access.get_data(uri, str(target), is_multipart=is_directory)
    click.secho(f"Downloaded {uri} to {target}", dim=True, err=True)

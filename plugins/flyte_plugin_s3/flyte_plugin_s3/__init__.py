"""flyte-plugin-s3: ``s3://`` and ``s3a://`` URIs served by s3fs, configured as flytekit configures it.

Registers a file-access provider (the filesystem factory :func:`flyte_plugin_s3.filesystem.s3_filesystem`)
and the ``pyflyte s3`` command group. Both are named by ``"module:attr"`` strings, so s3fs and botocore
are imported only when an ``s3://`` URI is used or ``pyflyte s3`` runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteFileAccessProvider, FlyteSubcommand, hookimpl

__all__ = ["flyte_file_access_providers", "flyte_subcommands"]


@hookimpl
def flyte_file_access_providers() -> Iterator[FlyteFileAccessProvider]:
    yield FlyteFileAccessProvider(protocols=("s3", "s3a"), filesystem="flyte_plugin_s3.filesystem:s3_filesystem")


@hookimpl
def flyte_subcommands() -> Iterator[FlyteSubcommand]:
    yield FlyteSubcommand(
        name="s3",
        summary="Check the S3 settings and access (s3 check), list objects (s3 ls).",
        command="flyte_plugin_s3.cli:s3",
    )

"""``FlyteFile`` (and ``os.PathLike``) and ``FlyteDirectory``: files and directories as blob literals."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteTypeTransformer, hookimpl

_FILE = "flyte_core.types.file.file"
_DIRECTORY = "flyte_core.types.directory.types"


@hookimpl
def flyte_type_transformers() -> Iterator[FlyteTypeTransformer]:
    yield FlyteTypeTransformer(python_type=f"{_FILE}:FlyteFile", transformer=f"{_FILE}:FlyteFilePathTransformer")
    yield FlyteTypeTransformer(python_type="os:PathLike", transformer=f"{_FILE}:FlyteFilePathTransformer")
    yield FlyteTypeTransformer(
        python_type=f"{_DIRECTORY}:FlyteDirectory", transformer=f"{_DIRECTORY}:FlyteDirToMultipartBlobTransformer"
    )

"""The built-in StructuredDataset handlers: pandas <-> parquet and csv, pyarrow <-> parquet.

Written as flytekit 1.16 writes them, so either SDK reads what the other wrote: a dataset is a
directory; parquet data is its file ``00000``, csv data its file ``.csv``. Every protocol is served
(handlers registered with ``protocol=None``): local paths are read and written directly, other URIs
through the filesystem ``ctx.file_access`` provides for them (so ``s3://`` works once flyte-plugin-s3
is installed, and says what to install when it is not).

Importing this module imports neither pandas nor pyarrow. The built-in ``transformers.structured`` plugin
names these handlers (``flyte_dataframe_handlers``); the StructuredDataset engine loads and registers them
the first time a pandas / pyarrow value is converted.
"""

from __future__ import annotations

import os
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from flyteidl.core import literals_pb2

from flyte_core.context import FlyteContext
from flyte_core.types.file.blobs import is_remote
from flyte_core.types.structured.structured_dataset import (
    CSV,
    PARQUET,
    StructuredDataset,
    StructuredDatasetDecoder,
    StructuredDatasetEncoder,
    StructuredDatasetMetadata,
    StructuredDatasetTransformerEngine,
    StructuredDatasetType,
)

if typing.TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "ArrowToParquetEncodingHandler",
    "CSVToPandasDecodingHandler",
    "PandasToCSVEncodingHandler",
    "PandasToParquetEncodingHandler",
    "ParquetToArrowDecodingHandler",
    "ParquetToPandasDecodingHandler",
    "lazy_import_structured_dataset_handler",
    "register_arrow_handlers",
    "register_csv_handlers",
    "register_pandas_handlers",
]


_PARQUET_FILE = f"{0:05}"  # flytekit's name of the one parquet file it writes
_CSV_FILE = ".csv"


def _new_location(ctx: FlyteContext, structured_dataset: StructuredDataset) -> str:
    """Where to write: the dataset's own ``uri``, else a fresh directory under the raw output prefix."""
    if structured_dataset.uri:
        return structured_dataset.uri
    return ctx.file_access.join(ctx.file_access.raw_output_prefix, ctx.file_access.get_random_string())


def _child(uri: str, name: str) -> str:
    if is_remote(uri):
        return f"{uri.rstrip('/')}/{name}"
    return os.path.join(_local(uri), name)


def _local(uri: str) -> str:
    return uri.removeprefix("file://")


@contextmanager
def _writable(ctx: FlyteContext, path: str) -> Iterator[str | IO[bytes]]:
    """A local path (its directory created) or an open remote file handle to write ``path``."""
    if is_remote(path):
        fs = ctx.file_access.get_filesystem_for_path(path)
        with fs.open(path, "wb") as handle:
            yield handle
    else:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        yield path


def _readable(ctx: FlyteContext, uri: str) -> tuple[str, Any]:
    """The path to read ``uri`` at and the filesystem to read it with (``None``: the local disk)."""
    if not is_remote(uri):
        return _local(uri), None
    fs = ctx.file_access.get_filesystem_for_path(uri)
    return fs._strip_protocol(uri), fs


def _column_names(metadata: literals_pb2.StructuredDatasetMetadata) -> list[str] | None:
    """The columns the reading task declared (``None``: all of them)."""
    if metadata.HasField("structured_dataset_type") and metadata.structured_dataset_type.columns:
        return [c.name for c in metadata.structured_dataset_type.columns]
    return None


def _literal(uri: str, sdt: Any) -> literals_pb2.StructuredDataset:
    return literals_pb2.StructuredDataset(uri=uri, metadata=StructuredDatasetMetadata(structured_dataset_type=sdt))


class PandasToParquetEncodingHandler(StructuredDatasetEncoder[Any]):
    """Writes a pandas DataFrame as ``<uri>/00000``, parquet with microsecond timestamps."""

    def __init__(self) -> None:
        import pandas as pd

        super().__init__(pd.DataFrame, None, PARQUET)

    def encode(
        self, ctx: FlyteContext, structured_dataset: StructuredDataset, structured_dataset_type: StructuredDatasetType
    ) -> literals_pb2.StructuredDataset:
        uri = _new_location(ctx, structured_dataset)
        df = typing.cast("pd.DataFrame", structured_dataset.dataframe)
        with _writable(ctx, _child(uri, _PARQUET_FILE)) as target:
            df.to_parquet(target, coerce_timestamps="us", allow_truncated_timestamps=False)
        structured_dataset_type.format = PARQUET
        return _literal(uri, structured_dataset_type)


class ParquetToPandasDecodingHandler(StructuredDatasetDecoder[Any]):
    """Reads parquet data (a file or a directory of files) as a pandas DataFrame, only the declared columns."""

    def __init__(self) -> None:
        import pandas as pd

        super().__init__(pd.DataFrame, None, PARQUET)

    def decode(
        self,
        ctx: FlyteContext,
        flyte_value: literals_pb2.StructuredDataset,
        current_task_metadata: literals_pb2.StructuredDatasetMetadata,
    ) -> pd.DataFrame:
        import pandas as pd

        path, fs = _readable(ctx, flyte_value.uri)
        columns = _column_names(current_task_metadata)
        if fs is None:
            return pd.read_parquet(path, columns=columns)
        return pd.read_parquet(path, columns=columns, filesystem=fs)


class PandasToCSVEncodingHandler(StructuredDatasetEncoder[Any]):
    """Writes a pandas DataFrame as ``<uri>/.csv``, without the index."""

    def __init__(self) -> None:
        import pandas as pd

        super().__init__(pd.DataFrame, None, CSV)

    def encode(
        self, ctx: FlyteContext, structured_dataset: StructuredDataset, structured_dataset_type: StructuredDatasetType
    ) -> literals_pb2.StructuredDataset:
        uri = _new_location(ctx, structured_dataset)
        df = typing.cast("pd.DataFrame", structured_dataset.dataframe)
        with _writable(ctx, _child(uri, _CSV_FILE)) as target:
            df.to_csv(target, index=False)
        structured_dataset_type.format = CSV
        return _literal(uri, structured_dataset_type)


class CSVToPandasDecodingHandler(StructuredDatasetDecoder[Any]):
    """Reads ``<uri>/.csv`` as a pandas DataFrame, only the declared columns."""

    def __init__(self) -> None:
        import pandas as pd

        super().__init__(pd.DataFrame, None, CSV)

    def decode(
        self,
        ctx: FlyteContext,
        flyte_value: literals_pb2.StructuredDataset,
        current_task_metadata: literals_pb2.StructuredDatasetMetadata,
    ) -> pd.DataFrame:
        import pandas as pd

        path, fs = _readable(ctx, _child(flyte_value.uri, _CSV_FILE))
        columns = _column_names(current_task_metadata)
        if fs is None:
            return pd.read_csv(path, usecols=columns)
        with fs.open(path, "rb") as handle:
            return pd.read_csv(handle, usecols=columns)


class ArrowToParquetEncodingHandler(StructuredDatasetEncoder[Any]):
    """Writes a pyarrow Table as ``<uri>/00000`` (parquet)."""

    def __init__(self) -> None:
        import pyarrow as pa

        super().__init__(pa.Table, None, PARQUET)

    def encode(
        self, ctx: FlyteContext, structured_dataset: StructuredDataset, structured_dataset_type: StructuredDatasetType
    ) -> literals_pb2.StructuredDataset:
        import pyarrow.parquet as pq

        uri = _new_location(ctx, structured_dataset)
        table = typing.cast("pa.Table", structured_dataset.dataframe)
        with _writable(ctx, _child(uri, _PARQUET_FILE)) as target:
            pq.write_table(table, target)
        return _literal(uri, structured_dataset_type)


class ParquetToArrowDecodingHandler(StructuredDatasetDecoder[Any]):
    """Reads parquet data (a file or a directory of files) as a pyarrow Table, only the declared columns."""

    def __init__(self) -> None:
        import pyarrow as pa

        super().__init__(pa.Table, None, PARQUET)

    def decode(
        self,
        ctx: FlyteContext,
        flyte_value: literals_pb2.StructuredDataset,
        current_task_metadata: literals_pb2.StructuredDatasetMetadata,
    ) -> pa.Table:
        import pyarrow.parquet as pq

        path, fs = _readable(ctx, flyte_value.uri)
        return pq.read_table(path, columns=_column_names(current_task_metadata), filesystem=fs)


def register_pandas_handlers() -> None:
    """flytekit API: register the pandas handlers now (they are registered when a DataFrame is first converted)."""
    import pandas as pd

    StructuredDatasetTransformerEngine.admit_plugin_handlers(pd.DataFrame)


register_csv_handlers = register_pandas_handlers
"""flytekit API: pandas <-> csv is registered with pandas <-> parquet."""


def register_arrow_handlers() -> None:
    """flytekit API: register the pyarrow handlers now (they are registered when a Table is first converted)."""
    import pyarrow as pa

    StructuredDatasetTransformerEngine.admit_plugin_handlers(pa.Table)


def lazy_import_structured_dataset_handler() -> None:
    """flytekit API: register the handlers of the dataframe libraries that are already imported."""
    StructuredDatasetTransformerEngine.admit_plugin_handlers()

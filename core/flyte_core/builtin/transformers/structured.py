"""``StructuredDataset``, ``pandas.DataFrame`` and ``pyarrow.Table``: dataframes as structured-dataset literals.

pandas and pyarrow are named, not imported: their registrations wait until the library is imported, and
their handlers (pandas <-> parquet and csv, pyarrow <-> parquet) are loaded the first time a value of that
type is converted.
"""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteDataFrameHandler, FlyteTypeTransformer, hookimpl

_ENGINE = "flyte_core.types.structured.structured_dataset"
_HANDLERS = "flyte_core.types.structured.basic_dfs"
_TRANSFORMER = f"{_ENGINE}:flyte_dataset_transformer"


@hookimpl
def flyte_type_transformers() -> Iterator[FlyteTypeTransformer]:
    yield FlyteTypeTransformer(python_type=f"{_ENGINE}:StructuredDataset", transformer=_TRANSFORMER)
    yield FlyteTypeTransformer(python_type="pandas.DataFrame", transformer=_TRANSFORMER)
    yield FlyteTypeTransformer(python_type="pyarrow.Table", transformer=_TRANSFORMER)


@hookimpl
def flyte_dataframe_handlers() -> Iterator[FlyteDataFrameHandler]:
    # The first format registered for a type is its default: parquet, as in flytekit.
    for python_type, library, formats in (
        ("pandas.DataFrame", "Pandas", ("parquet", "csv")),
        ("pyarrow.Table", "Arrow", ("parquet",)),
    ):
        for fmt in formats:
            name = "Parquet" if fmt == "parquet" else "CSV"
            default = fmt == "parquet"
            yield FlyteDataFrameHandler(
                python_type=python_type,
                role="encoder",
                format=fmt,
                handler=f"{_HANDLERS}:{library}To{name}EncodingHandler",
                default_format=default,
            )
            yield FlyteDataFrameHandler(
                python_type=python_type,
                role="decoder",
                format=fmt,
                handler=f"{_HANDLERS}:{name}To{library}DecodingHandler",
                default_format=default,
            )

"""``StructuredDataset``, ``pandas.DataFrame`` and ``pyarrow.Table``: dataframes as structured-dataset literals.

pandas and pyarrow are named, not imported: their registrations wait until the library is imported, and
the factory of each registers its parquet/csv handlers the first time a value of that type is converted.
"""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteTypeTransformer, hookimpl

_ENGINE = "flyte_core.types.structured.structured_dataset"
_HANDLERS = "flyte_core.types.structured.basic_dfs"


@hookimpl
def flyte_type_transformers() -> Iterator[FlyteTypeTransformer]:
    yield FlyteTypeTransformer(
        python_type=f"{_ENGINE}:StructuredDataset", transformer=f"{_ENGINE}:flyte_dataset_transformer"
    )
    yield FlyteTypeTransformer(python_type="pandas.DataFrame", transformer=f"{_HANDLERS}:pandas_transformer")
    yield FlyteTypeTransformer(python_type="pyarrow.Table", transformer=f"{_HANDLERS}:arrow_transformer")

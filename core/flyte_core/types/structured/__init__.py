"""``StructuredDataset``, its transformer engine and handlers (``flytekit.types.structured`` -> here).

pandas and pyarrow are imported only when a dataframe of theirs is converted.
"""

from flyte_core.types.structured.basic_dfs import (
    lazy_import_structured_dataset_handler,
    register_arrow_handlers,
    register_csv_handlers,
    register_pandas_handlers,
)
from flyte_core.types.structured.structured_dataset import (
    CSV,
    GENERIC_FORMAT,
    PARQUET,
    DuplicateHandlerError,
    StructuredDataset,
    StructuredDatasetDecoder,
    StructuredDatasetEncoder,
    StructuredDatasetFormat,
    StructuredDatasetMetadata,
    StructuredDatasetTransformerEngine,
    StructuredDatasetType,
)

__all__ = [
    "CSV",
    "GENERIC_FORMAT",
    "PARQUET",
    "DuplicateHandlerError",
    "StructuredDataset",
    "StructuredDatasetDecoder",
    "StructuredDatasetEncoder",
    "StructuredDatasetFormat",
    "StructuredDatasetMetadata",
    "StructuredDatasetTransformerEngine",
    "StructuredDatasetType",
    "lazy_import_structured_dataset_handler",
    "register_arrow_handlers",
    "register_csv_handlers",
    "register_pandas_handlers",
]

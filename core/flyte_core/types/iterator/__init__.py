"""``Iterator[JSON]``: a stream of JSON values carried as a JSON-lines file (flytekit's ``flytekit.types.iterator``)."""

from flyte_core.types.iterator.json_iterator import (
    JSON,
    JSON_ITERATOR,
    JSON_ITERATOR_ABC,
    JSON_ITERATOR_TRANSFORMER,
    JSONIterator,
    JSONIteratorTransformer,
)

__all__ = [
    "JSON",
    "JSON_ITERATOR",
    "JSON_ITERATOR_ABC",
    "JSON_ITERATOR_TRANSFORMER",
    "JSONIterator",
    "JSONIteratorTransformer",
]

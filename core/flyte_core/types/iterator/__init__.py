"""Iterators (flytekit's ``flytekit.types.iterator``): ``Iterator[JSON]``, a stream of JSON values carried as a
JSON-lines file, and ``FlyteIterator``, what a task taking an ``Iterator[T]`` gets."""

from flyte_core.types.iterator.iterator import FlyteIterator
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
    "FlyteIterator",
    "JSONIterator",
    "JSONIteratorTransformer",
]

"""``Iterator[JSON]`` and ``JSONIterator`` as a JSON-lines blob (resolved once ``flyte_core.types.iterator`` is used);
any other ``Iterator[T]`` as a list literal of ``T``, read back lazily."""

from __future__ import annotations

from collections.abc import Iterator

from flyte_core.plugins import FlyteTypeTransformer, hookimpl

_MODULE = "flyte_core.types.iterator"


@hookimpl
def flyte_type_transformers() -> Iterator[FlyteTypeTransformer]:
    transformer = f"{_MODULE}:JSON_ITERATOR_TRANSFORMER"
    yield FlyteTypeTransformer(python_type=f"{_MODULE}:JSON_ITERATOR", transformer=transformer)
    yield FlyteTypeTransformer(python_type=f"{_MODULE}:JSON_ITERATOR_ABC", transformer=transformer)
    yield FlyteTypeTransformer(python_type=f"{_MODULE}:JSONIterator", transformer=transformer)
    yield FlyteTypeTransformer(
        python_type="collections.abc:Iterator", transformer=f"{_MODULE}.iterator:IteratorTransformer"
    )

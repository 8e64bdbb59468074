"""``HashMethod``: a custom hash for values used as cache keys (``Annotated[T, HashMethod(fn)]``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class HashOnReferenceMixin:
    def __hash__(self) -> int:
        return hash(id(self))


class HashMethod(Generic[T]):
    """Wraps the function computing a value's hash; the type engine stores it in ``Literal.hash``."""

    def __init__(self, function: Callable[[T], str]) -> None:
        self._function = function

    def calculate(self, obj: T) -> str:
        return self._function(obj)

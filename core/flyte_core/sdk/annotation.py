"""``FlyteAnnotation``: arbitrary metadata attached to a type hint, serialized into its literal type."""

from __future__ import annotations

from typing import Any


class FlyteAnnotation:
    """``Annotated[int, FlyteAnnotation({"foo": 1})]`` adds ``{"foo": 1}`` to the literal type's annotations."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    @property
    def data(self) -> dict[str, Any]:
        return self._data

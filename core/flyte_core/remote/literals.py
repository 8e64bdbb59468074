"""``LiteralsResolver``: the inputs or outputs of a remote execution, as Python values on demand."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import Any

from flyteidl.core import interface_pb2, literals_pb2

__all__ = ["LiteralsResolver", "guess_literal_type"]


class LiteralsResolver(Mapping[str, Any]):
    """Literals by name; ``resolver["o0"]`` converts one to Python the first time it is asked for.

    The Python type comes from ``python_types`` (the local entity's interface, when the execution was started
    from one), else ``as_type`` given to :meth:`get`, else a type guessed from the literal type in
    ``variable_map``.
    """

    def __init__(
        self,
        literals: Mapping[str, literals_pb2.Literal],
        variable_map: Mapping[str, interface_pb2.Variable] | None = None,
        python_types: Mapping[str, Any] | None = None,
    ) -> None:
        self._literals = dict(literals)
        self._variables = dict(variable_map or {})
        self._types = dict(python_types or {})
        self._values: dict[str, Any] = {}

    @property
    def literals(self) -> dict[str, literals_pb2.Literal]:
        """The literals themselves, by name."""
        return self._literals

    @property
    def variable_map(self) -> dict[str, interface_pb2.Variable]:
        return self._variables

    def get_literal(self, key: str) -> literals_pb2.Literal:
        """The literal named ``key``; KeyError naming the ones there are otherwise."""
        if key not in self._literals:
            raise KeyError(f"'{key}' is not one of these values; there are: {', '.join(self._literals) or 'none'}")
        return self._literals[key]

    def get(self, key: str, as_type: Any = None) -> Any:  # type: ignore[override]
        """``key``'s value as ``as_type`` (or the known or guessed type)."""
        if as_type is None and key in self._values:
            return self._values[key]
        literal = self.get_literal(key)
        python_type = as_type or self._python_type(key, literal)
        from flyte_core.types.type_engine import TypeEngine

        value = TypeEngine.to_python_value(None, literal, python_type)
        if as_type is None:
            self._values[key] = value
        return value

    def _python_type(self, key: str, literal: literals_pb2.Literal) -> Any:
        from flyte_core.types.type_engine import TypeEngine

        if key in self._types:
            return self._types[key]
        if key in self._variables:
            return TypeEngine.guess_python_type(self._variables[key].type)
        try:
            return guess_literal_type(literal)
        except TypeError:
            raise ValueError(
                f"the type of '{key}' is unknown (no interface came with these values); ask for it with "
                f".get('{key}', as_type=...)"
            ) from None

    def __getitem__(self, key: str) -> Any:
        return self.get(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._literals)

    def __len__(self) -> int:
        return len(self._literals)

    def __contains__(self, key: object) -> bool:
        return key in self._literals

    def as_python_native(self) -> dict[str, Any]:
        """Every value, converted."""
        return {key: self.get(key) for key in self._literals}

    def __repr__(self) -> str:
        return f"LiteralsResolver({', '.join(self._literals)})"

    def __str__(self) -> str:
        try:
            return str(self.as_python_native())
        except Exception:
            return repr(self)


_PRIMITIVES = {
    "integer": int,
    "float_value": float,
    "string_value": str,
    "boolean": bool,
    "datetime": datetime.datetime,
    "duration": datetime.timedelta,
}


def guess_literal_type(literal: literals_pb2.Literal) -> Any:
    """A Python type for a literal that came without its declared type (node data, ``remote.get``).

    Raises:
        TypeError: the literal holds something whose type cannot be told from the value alone.
    """
    if literal.HasField("collection"):
        items = literal.collection.literals
        return list[guess_literal_type(items[0])] if items else list  # type: ignore[misc]
    if literal.HasField("map"):
        values = list(literal.map.literals.values())
        return dict[str, guess_literal_type(values[0])] if values else dict  # type: ignore[misc]
    scalar = literal.scalar
    if scalar.HasField("primitive"):
        return _PRIMITIVES[scalar.primitive.WhichOneof("value")]
    if scalar.HasField("none_type"):
        return type(None)
    if scalar.HasField("blob"):
        from flyte_core.types.directory.types import FlyteDirectory
        from flyte_core.types.file.file import FlyteFile

        return FlyteDirectory if scalar.blob.metadata.type.dimensionality == 1 else FlyteFile
    if scalar.HasField("union"):
        return guess_literal_type(scalar.union.value)
    if scalar.HasField("generic"):
        return dict
    raise TypeError(f"the type of a {literal.WhichOneof('value')} literal cannot be guessed from its value")

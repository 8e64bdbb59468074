"""The machinery of flytekit's wire-model classes: a class per flyteidl message, declared by its fields.

flytekit's ``flytekit.models.literals`` / ``.types`` classes (``Literal``, ``Scalar``, ``LiteralType``...) are
what custom type transformers and dataframe handlers build. Here each is a :class:`Message` subclass naming
its flyteidl message and its fields in flytekit's constructor order; the base gives it flytekit's constructor
(positional or keyword), read-only properties, ``to_flyte_idl()``, ``from_flyte_idl()``, and equality by
message. Nested models are converted both ways; protobuf is imported when a message is first built.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, ClassVar

from flyte_core.values.common import FlyteIdlEntity

__all__ = ["Field", "Message", "as_idl"]

_MODELS: dict[str, type[Message]] = {}
"""Every model class by name, so fields can name classes declared later (``LiteralType`` inside itself)."""


class Field:
    """One field of a message.

    Attributes:
        name: the field's name in flytekit's constructor and in the flyteidl message.
        model: the model class (by name) of a message field; ``""`` for a plain value or a raw protobuf message.
        shape: ``"one"``, ``"list"`` (repeated) or ``"map"`` (string keys).
        to_idl / from_idl: conversions of a plain value (a ``datetime`` to a ``Timestamp``...), when needed.
        pb_name: the message's field name when flytekit names it differently (``Union.stored_type`` is ``type``).
    """

    __slots__ = ("from_idl", "model", "name", "pb_name", "shape", "to_idl")

    def __init__(
        self,
        name: str,
        model: str = "",
        shape: str = "one",
        to_idl: Callable[[Any, Any], None] | None = None,
        from_idl: Callable[[Any], Any] | None = None,
        pb_name: str = "",
    ) -> None:
        self.name = name
        self.pb_name = pb_name or name
        self.model = model
        self.shape = shape
        self.to_idl = to_idl
        self.from_idl = from_idl

    def write(self, pb: Any, value: Any) -> None:
        if value is None:
            return
        if self.to_idl is not None:
            self.to_idl(getattr(pb, self.pb_name), value)
        elif self.shape == "list":
            target = getattr(pb, self.pb_name)
            target.extend([as_idl(v) for v in value])
        elif self.shape == "map":
            target = getattr(pb, self.pb_name)
            for key, item in value.items():
                if self.model:
                    target[key].CopyFrom(as_idl(item))
                else:
                    target[key] = item
        elif self.model or hasattr(getattr(pb, self.pb_name), "CopyFrom"):
            getattr(pb, self.pb_name).CopyFrom(as_idl(value))
        else:
            setattr(pb, self.pb_name, value)

    def read(self, pb: Any) -> Any:
        value = getattr(pb, self.pb_name)
        if self.shape == "list":
            return [self._model(item) for item in value]
        if self.shape == "map":
            return {key: self._model(item) for key, item in value.items()}
        descriptor = pb.DESCRIPTOR.fields_by_name[self.pb_name]
        if (descriptor.message_type is not None or descriptor.containing_oneof is not None) and not pb.HasField(
            self.pb_name
        ):
            return None
        if self.from_idl is not None:
            return self.from_idl(value)
        return self._model(value)

    def _model(self, value: Any) -> Any:
        return _MODELS[self.model].from_flyte_idl(value) if self.model else value


class Message(FlyteIdlEntity):
    """A flytekit model class standing for one flyteidl message (see the module docstring)."""

    _PB: ClassVar[str] = ""
    """The flyteidl message, as ``"module:Name"`` (``"flyteidl.core.literals_pb2:Primitive"``)."""
    _FIELDS: ClassVar[tuple[Field, ...]] = ()
    _pb_class: ClassVar[Any] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _MODELS[cls.__name__] = cls
        for field in cls._FIELDS:
            if field.name not in cls.__dict__:
                setattr(cls, field.name, property(_getter(field.name), doc=f"The ``{field.name}`` field."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = [field.name for field in self._FIELDS]
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__}() takes at most {len(names)} arguments ({len(args)} given)")
        values = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in names:
                raise TypeError(
                    f"{type(self).__name__}() got an unexpected keyword argument '{key}' "
                    f"(its fields: {', '.join(names)})"
                )
            if key in values:
                raise TypeError(f"{type(self).__name__}() got multiple values for argument '{key}'")
            values[key] = value
        for name in names:
            setattr(self, f"_{name}", values.get(name))

    @classmethod
    def _message_class(cls) -> Any:
        if cls.__dict__.get("_pb_class") is None:
            module, _, path = cls._PB.partition(":")
            found = importlib.import_module(module)
            for part in path.split("."):
                found = getattr(found, part)
            cls._pb_class = found
        return cls._pb_class

    def to_flyte_idl(self) -> Any:
        """The flyteidl message."""
        pb = self._message_class()()
        for field in self._FIELDS:
            field.write(pb, getattr(self, f"_{field.name}"))
        return pb

    @classmethod
    def from_flyte_idl(cls, pb2_object: Any) -> Any:
        """The model of a flyteidl message."""
        return cls(**{field.name: field.read(pb2_object) for field in cls._FIELDS})


def _getter(name: str) -> Callable[[Any], Any]:
    attr = f"_{name}"
    return lambda self: getattr(self, attr)


def as_idl(value: Any) -> Any:
    """``value`` as its flyteidl message: a model is converted, a message stays as it is."""
    to_idl = getattr(value, "to_flyte_idl", None)
    return to_idl() if to_idl is not None and not hasattr(value, "DESCRIPTOR") else value

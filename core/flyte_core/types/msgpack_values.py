"""msgpack encoding of typed Python values, byte-identical to what flytekit writes in ``Binary(tag="msgpack")``.

flytekit encodes dataclasses and untyped dicts with mashumaro's ``MessagePackEncoder(python_type)``
and decodes them with ``MessagePackDecoder``. This module reproduces that dialect without mashumaro:
for each declared type it compiles, once, a function turning a value into msgpack-native data and
one turning such data back into the declared type (dataclasses get generated code, the hot path of
``list[MyDataclass]``), then packs with ``msgpack.packb``.

The dialect, as mashumaro's MessagePack dialect has it:

* ``int``/``float``/``str``/``bool``/``None``/``bytes``/``Any`` and bare ``list``/``dict`` pass through
  unchanged when encoding (``1`` in a ``float`` field stays ``1``); decoding coerces with the type
  (``float(v)``, ``int(v)``, ``str(v)``, ``bool(v)``);
* a dataclass is a map of its fields in declaration order (``init=False`` fields included on the
  way out, ignored on the way in); a missing field with a default takes the default;
* ``Enum`` -> its value; ``datetime``/``date``/``time`` -> ISO string; ``timedelta`` -> seconds
  (float); ``tuple``/``set``/``frozenset`` -> array; ``UUID``/``Decimal``/``Path`` -> string;
* ``Optional[T]`` -> ``None`` or ``T``; other unions try their variants in mashumaro's order;
* a class defining ``_serialize(self)`` and a classmethod ``_deserialize(cls, data)`` (mashumaro's
  ``SerializableType`` protocol) is encoded as what ``_serialize`` returns and rebuilt with
  ``_deserialize``. ``FlyteFile``, ``FlyteDirectory`` and ``StructuredDataset`` use it (their
  ``_serialize`` returns ``{"path": ...}`` / ``{"uri": ..., "file_format": ...}``); a ``str`` or
  ``os.PathLike`` value in a field of such a type is first turned into the type (``FlyteFile(path)``),
  as flytekit does.

Errors name where the value went wrong: ``dataclass Shape field 'points': expected list[Point], got
str 'x'``. They are ``TypeTransformerFailedError`` (a ``TypeError`` and ``ValueError``, as
mashumaro's errors are); a missing field is also a ``LookupError`` (mashumaro's ``MissingField``).
"""

from __future__ import annotations

import ast
import base64
import collections.abc
import contextlib
import dataclasses
import datetime
import decimal
import enum
import inspect
import itertools
import os
import pathlib
import sys
import threading
import types
import typing
import uuid
from collections.abc import Callable
from typing import Any

import msgpack

from flyte_core.types.type_engine import TypeTransformerFailedError, type_name, value_repr

if typing.TYPE_CHECKING:
    from flyte_core.context import FlyteContext

__all__ = [
    "FieldAttributeError",
    "MissingFieldError",
    "decode_generic",
    "decode_msgpack",
    "encode_msgpack",
    "from_builtin",
    "to_builtin",
]

Converter = Callable[[Any], Any]
MSGPACK = "msgpack"
JSON = "json"
_NoneType = type(None)
_MISSING = dataclasses.MISSING
_LIST_ORIGINS = (
    list,
    collections.abc.Sequence,
    collections.abc.MutableSequence,
    collections.abc.Collection,
    collections.abc.Iterable,
)
_SET_ORIGINS = (set, frozenset, collections.abc.Set, collections.abc.MutableSet)
_DICT_ORIGINS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)


class MissingFieldError(TypeTransformerFailedError, LookupError):
    """A required dataclass field is absent from the data being decoded."""


class FieldAttributeError(TypeTransformerFailedError, AttributeError):
    """A value lacks what its declared type needs (an enum's ``.value``, a nested dataclass's fields...).

    Also an ``AttributeError``: the type flytekit (mashumaro) raises for the same mistake.
    """


class UnsupportedFieldTypeError(TypeTransformerFailedError):
    """A declared type has no msgpack form (no transformer, no ``_serialize``/``_deserialize``)."""


# --------------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------------


_packers = threading.local()


def _pack(data: Any) -> bytes:
    """``msgpack.packb(data)`` with a per-thread ``Packer`` (building one per call costs a quarter of the time)."""
    try:
        packer = _packers.packer
    except AttributeError:
        packer = _packers.packer = msgpack.Packer()
    try:
        return typing.cast(bytes, packer.pack(data))
    except BaseException:
        _packers.packer = msgpack.Packer()  # a failed pack may leave data in the buffer
        raise


def encode_msgpack(value: Any, python_type: Any) -> bytes:
    """msgpack bytes of ``value`` declared as ``python_type``; ``TypeError`` when a part has no msgpack form."""
    try:
        encoder = _MSGPACK_ENCODERS.get(_type_key(python_type), _NOT_COMPILED)
    except TypeError:  # unhashable: Annotated[dict, kwtypes(allow_pickle=True)]
        encoder = _NOT_COMPILED
    if encoder is _NOT_COMPILED:
        encoder = _encoder(python_type, MSGPACK)
        _remember(_MSGPACK_ENCODERS, _type_key(python_type), encoder)
    if encoder is None:
        data = value
    else:
        try:
            data = encoder(value)
        except Exception as exc:
            raise _explain(value, python_type, MSGPACK, exc, encoding=True) from exc
    try:
        return _pack(data)
    except (TypeError, ValueError, OverflowError) as exc:
        raise _packing_error(data, python_type, exc) from exc


def decode_msgpack(payload: bytes, python_type: Any) -> Any:
    """The value msgpack ``payload`` holds, as ``python_type``."""
    try:
        data = msgpack.unpackb(payload, strict_map_key=False)
    except Exception as exc:
        raise TypeTransformerFailedError(
            f"cannot read a {type_name(python_type)} from msgpack data: {type(exc).__name__}: {exc}"
        ) from exc
    try:
        decoder = _MSGPACK_DECODERS.get(_type_key(python_type), _NOT_COMPILED)
    except TypeError:
        decoder = _NOT_COMPILED
    if decoder is _NOT_COMPILED:
        decoder = _decoder(python_type, MSGPACK)
        _remember(_MSGPACK_DECODERS, _type_key(python_type), decoder)
    if decoder is None:
        return data
    try:
        return decoder(data)
    except Exception as exc:
        raise _explain(data, python_type, MSGPACK, exc, encoding=False) from exc


# Hot-path caches keyed by the type alone (the msgpack dialect); unhashable types skip them.
_NOT_COMPILED: Any = object()
_MSGPACK_ENCODERS: dict[Any, Converter | None] = {}
_MSGPACK_DECODERS: dict[Any, Converter | None] = {}


def _remember(cache: dict[Any, Converter | None], t: Any, converter: Converter | None) -> None:
    with contextlib.suppress(TypeError):
        cache[t] = converter


def to_builtin(value: Any, python_type: Any, dialect: str = MSGPACK) -> Any:
    """``value`` as msgpack-native data (dicts, lists, str, numbers, bytes, None), per ``python_type``."""
    encoder = _encoder(python_type, dialect)
    if encoder is None:
        return value
    try:
        return encoder(value)
    except Exception as exc:
        raise _explain(value, python_type, dialect, exc, encoding=True) from exc


def from_builtin(data: Any, python_type: Any, dialect: str = MSGPACK) -> Any:
    """The ``python_type`` value that msgpack-native ``data`` describes (coercing as mashumaro does)."""
    decoder = _decoder(python_type, dialect)
    if decoder is None:
        return data
    try:
        return decoder(data)
    except Exception as exc:
        raise _explain(data, python_type, dialect, exc, encoding=False) from exc


def decode_generic(ctx: FlyteContext | None, literal: Any, python_type: Any) -> Any:
    """A value from a ``Scalar.generic`` Struct: the console's input, the legacy JSON form, or a pickled dict."""
    from google.protobuf import json_format

    data = json_format.MessageToDict(literal.scalar.generic)
    if literal.metadata.get("format") == "pickle":
        from flyte_core.types.pickle.pickle import read_pickle

        uri = data.get("pickle_file")
        if not isinstance(uri, str):
            raise TypeTransformerFailedError(
                f"a pickled {type_name(python_type)} literal must hold {{'pickle_file': uri}}, found {data!r}"
            )
        return read_pickle(ctx, uri)
    return from_builtin(data, python_type, JSON)


# --------------------------------------------------------------------------------------------------
# Type analysis shared by the compilers
# --------------------------------------------------------------------------------------------------


def strip_type(t: Any) -> Any:
    """The type that decides the encoding: without ``Annotated[...]`` and ``NewType`` wrappers."""
    while True:
        if typing.get_origin(t) is typing.Annotated:
            t = typing.get_args(t)[0]
        elif isinstance(t, typing.NewType):
            t = t.__supertype__
        elif isinstance(t, typing.ForwardRef):
            raise UnsupportedFieldTypeError(f"the forward reference {t.__forward_arg__!r} cannot be resolved")
        else:
            return t


def is_union(t: Any) -> bool:
    """``Union[...]``, ``Optional[...]`` or ``X | Y``."""
    return typing.get_origin(t) is typing.Union or isinstance(t, types.UnionType)


def field_types(cls: type) -> dict[str, Any]:
    """The resolved type of each dataclass field (string annotations evaluated), in declaration order."""
    cached = _FIELD_TYPES.get(cls)
    if cached is not None:
        return cached
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception:
        hints = {}
    resolved = {}
    for f in dataclasses.fields(cls):
        t = hints.get(f.name, f.type)
        if isinstance(t, str):  # one unresolvable annotation made get_type_hints give up: resolve field by field
            module = sys.modules.get(cls.__module__)
            try:
                t = eval(t, dict(vars(module)) if module else {}, {cls.__name__: cls})
            except Exception as exc:
                raise UnsupportedFieldTypeError(
                    f"dataclass {cls.__name__} field '{f.name}': its annotation {t!r} cannot be resolved ({exc});"
                    " define the types it names at module level"
                ) from None
        resolved[f.name] = t
    _FIELD_TYPES[cls] = resolved
    return resolved


_FIELD_TYPES: dict[type, dict[str, Any]] = {}


def has_serializable_protocol(t: Any) -> bool:
    """Whether ``t`` encodes itself: ``_serialize(self)`` and a ``_deserialize(cls, data)`` classmethod."""
    return (
        inspect.isclass(t) and callable(getattr(t, "_serialize", None)) and callable(getattr(t, "_deserialize", None))
    )


# --------------------------------------------------------------------------------------------------
# Compiled converters, cached by (type, dialect, direction)
# --------------------------------------------------------------------------------------------------

_CACHE: dict[tuple[Any, str, bool], Converter | None] = {}
_IN_PROGRESS: dict[tuple[Any, str, bool], Converter] = {}  # trampolines of dataclasses being compiled
_LOCK = threading.RLock()


def _encoder(t: Any, dialect: str) -> Converter | None:
    return _converter(t, dialect, True)


def _decoder(t: Any, dialect: str) -> Converter | None:
    return _converter(t, dialect, False)


def _type_key(t: Any) -> Any:
    """A cache key telling apart types that compare equal: ``Union[A, B] == Union[B, A]`` but decodes differently."""
    return t if isinstance(t, type) else (t, repr(t))


def _converter(t: Any, dialect: str, encoding: bool) -> Converter | None:
    key: Any = (_type_key(t), dialect, encoding)
    try:
        return _CACHE[key]
    except KeyError:
        pass
    except TypeError:  # unhashable (Annotated with a dict): built each time
        key = None
    with _LOCK:
        if key is not None:
            if key in _CACHE:
                return _CACHE[key]
            if key in _IN_PROGRESS:
                return _IN_PROGRESS[key]
        converter = _build(t, dialect, encoding)
        if key is not None:
            _CACHE[key] = converter
        return converter


def _build(t: Any, dialect: str, encoding: bool) -> Converter | None:
    t = strip_type(t)
    if t in (Any, object, None, _NoneType, int, float, str, bool) or isinstance(t, typing.TypeVar):
        return _leaf_decoder(t) if not encoding else None
    if t is bytes or t is bytearray:
        return _bytes_converter(t, dialect, encoding)
    if is_union(t):
        return _union_encoder(t, dialect) if encoding else _union_decoder(t, dialect)
    origin = typing.get_origin(t)
    args = typing.get_args(t)
    if origin is typing.Literal:
        return _literal_converter(t, encoding)
    if origin is None and t in (list, tuple, set, frozenset, dict):
        origin, args = t, ()
    if origin is not None:
        return _container(t, origin, args, dialect, encoding)
    if inspect.isclass(t):
        return _class_converter(t, dialect, encoding)
    raise UnsupportedFieldTypeError(f"type {type_name(t)} has no msgpack form")


def _leaf_decoder(t: Any) -> Converter | None:
    if t in (int, float, str, bool):
        return typing.cast(Converter, t)
    if t is _NoneType or t is None:
        return _to_none
    return None


def _to_none(value: Any) -> None:
    return None


def _bytes_converter(t: Any, dialect: str, encoding: bool) -> Converter | None:
    if dialect == MSGPACK:
        return None if encoding or t is bytes else bytearray
    if encoding:
        return _b64encode
    return _b64decode if t is bytes else lambda v: bytearray(_b64decode(v))


def _b64encode(value: bytes) -> str:
    return base64.encodebytes(value).decode()


def _b64decode(value: str) -> bytes:
    return base64.decodebytes(value.encode())


def _literal_converter(t: Any, encoding: bool) -> Converter:
    allowed = typing.get_args(t)
    wire = [v.value if isinstance(v, enum.Enum) else v for v in allowed]

    def encode(value: Any) -> Any:
        for candidate, out in zip(allowed, wire, strict=True):
            if value == candidate:
                return out
        raise ValueError(value)

    def decode(value: Any) -> Any:
        for candidate, out in zip(wire, allowed, strict=True):
            if value == candidate:
                return out
        raise ValueError(value)

    return encode if encoding else decode


def _container(t: Any, origin: Any, args: tuple[Any, ...], dialect: str, encoding: bool) -> Converter | None:
    if origin is tuple or (inspect.isclass(origin) and issubclass(origin, tuple) and origin is not tuple):
        return _tuple_converter(origin, args, dialect, encoding)
    if origin in _DICT_ORIGINS or (inspect.isclass(origin) and issubclass(origin, dict)):
        return _dict_converter(args, dialect, encoding)
    if origin in _SET_ORIGINS:
        return _sequence_converter(args, dialect, encoding, frozenset if origin is frozenset else set)
    if origin in _LIST_ORIGINS or (inspect.isclass(origin) and issubclass(origin, list)):
        return _sequence_converter(args, dialect, encoding, list)
    raise UnsupportedFieldTypeError(f"type {type_name(t)} has no msgpack form")


def _sequence_converter(args: tuple[Any, ...], dialect: str, encoding: bool, kind: type) -> Converter | None:
    inner = _converter(args[0], dialect, encoding) if args else None
    if encoding:
        if kind is list:
            # mashumaro passes lists of pass-through values unchanged (no copy)
            return None if inner is None else (lambda v: [inner(x) for x in v])
        return (lambda v: list(v)) if inner is None else (lambda v: [inner(x) for x in v])
    if kind is list:
        return (lambda v: list(v)) if inner is None else (lambda v: [inner(x) for x in v])
    if inner is None:
        return lambda v: kind(v)
    return lambda v: kind([inner(x) for x in v])


def _tuple_converter(origin: Any, args: tuple[Any, ...], dialect: str, encoding: bool) -> Converter:
    if not args or (len(args) == 2 and args[1] is Ellipsis):
        inner = _converter(args[0], dialect, encoding) if args else None
        if encoding:
            return (lambda v: list(v)) if inner is None else (lambda v: [inner(x) for x in v])
        return (lambda v: tuple(v)) if inner is None else (lambda v: tuple([inner(x) for x in v]))
    items = [_converter(a, dialect, encoding) or _identity for a in args]
    if encoding:
        return lambda v: [f(v[i]) for i, f in enumerate(items)]
    return lambda v: tuple([f(v[i]) for i, f in enumerate(items)])


def _identity(value: Any) -> Any:
    return value


def _dict_converter(args: tuple[Any, ...], dialect: str, encoding: bool) -> Converter | None:
    key = _converter(args[0], dialect, encoding) if args else None
    val = _converter(args[1], dialect, encoding) if len(args) > 1 else None
    if key is None and val is None:
        return None if encoding else (lambda v: {k: x for k, x in v.items()})
    key_f = key or _identity
    val_f = val or _identity
    return lambda v: {key_f(k): val_f(x) for k, x in v.items()}


def _union_encoder(t: Any, dialect: str) -> Converter | None:
    variants = typing.get_args(t)
    if len(variants) == 2 and _NoneType in variants:
        inner = _encoder(variants[0] if variants[1] is _NoneType else variants[1], dialect)
        return None if inner is None else (lambda v: None if v is None else inner(v))
    direct: list[type] = []
    attempts: list[Converter] = []
    for variant in variants:
        converter = _encoder(variant, dialect)
        base = strip_type(variant)
        origin = typing.get_origin(base) or base
        if converter is None and not (inspect.isclass(origin) and issubclass(origin, collections.abc.Collection)):
            if origin is not Any and inspect.isclass(origin):
                direct.append(origin)
            elif origin is None or origin is _NoneType:
                direct.append(_NoneType)
            else:
                attempts.append(_identity)
        else:
            attempts.append(converter or _identity)
    if not attempts:
        return None
    direct_types = tuple(direct)

    def encode(value: Any) -> Any:
        if value.__class__ in direct_types:
            return value
        for attempt in attempts:
            try:
                return attempt(value)
            except Exception:
                continue
        raise ValueError(value)

    return encode


def _union_decoder(t: Any, dialect: str) -> Converter | None:
    variants = typing.get_args(t)
    if len(variants) == 2 and _NoneType in variants:
        inner = _decoder(variants[0] if variants[1] is _NoneType else variants[1], dialect)
        return None if inner is None else (lambda v: None if v is None else inner(v))
    # mashumaro's order: variants in declaration order, a primitive variant matching by exact type;
    # then the primitive variants again, coercing (int(v), str(v)...).
    steps: list[tuple[str, Any]] = []
    fallbacks: list[Converter] = []
    for variant in variants:
        base = strip_type(variant)
        if base in (int, float, str, bool) or base in (None, _NoneType):
            kind = _NoneType if base is None else base
            steps.append(("match", kind))
            fallbacks.append(_to_none if kind is _NoneType else kind)
            continue
        converter = _decoder(variant, dialect)
        steps.append(("try", converter) if converter is not None else ("return", None))

    def decode(value: Any) -> Any:
        cls = value.__class__
        for how, what in steps:
            if how == "match":
                if cls is what:
                    return value
            elif how == "return":
                return value
            else:
                try:
                    return what(value)
                except Exception:
                    continue
        for fallback in fallbacks:
            try:
                return fallback(value)
            except Exception:
                continue
        raise ValueError(value)

    return decode


def _class_converter(t: type, dialect: str, encoding: bool) -> Converter | None:
    if has_serializable_protocol(t):
        return _self_serializing(t, encoding)
    if dataclasses.is_dataclass(t):
        return _dataclass_converter(t, dialect, encoding)
    if issubclass(t, enum.Enum):
        return _enum_value if encoding else t
    if issubclass(t, datetime.datetime):
        return _isoformat if encoding else datetime.datetime.fromisoformat
    if issubclass(t, datetime.date):
        return _isoformat if encoding else datetime.date.fromisoformat
    if issubclass(t, datetime.time):
        return _isoformat if encoding else datetime.time.fromisoformat
    if issubclass(t, datetime.timedelta):
        return _total_seconds if encoding else _seconds
    if issubclass(t, pathlib.PurePath):
        return os.fspath if encoding else t
    if issubclass(t, (uuid.UUID, decimal.Decimal)):
        return str if encoding else t
    if issubclass(t, dict):
        return _dict_converter((), dialect, encoding)
    if issubclass(t, tuple) and hasattr(t, "_fields"):  # a NamedTuple: an array of its fields
        items = [_converter(f, dialect, encoding) or _identity for f in typing.get_type_hints(t).values()]
        if encoding:
            return lambda v: [f(x) for f, x in zip(items, v, strict=False)]
        return lambda v: t(*[f(x) for f, x in zip(items, v, strict=False)])
    if issubclass(t, (list, tuple, set, frozenset)):
        return _sequence_converter((), dialect, encoding, list if encoding else t)
    if issubclass(t, (int, float, str, bool, bytes)):  # subclasses of the primitives (NewType-like classes)
        return None if encoding else t
    raise UnsupportedFieldTypeError(
        f"type {type_name(t)} has no msgpack form: use a supported type (primitives, containers, dataclasses, "
        "enums, datetimes) or give the class _serialize(self) and a _deserialize(cls, data) classmethod"
    )


def _enum_value(value: enum.Enum) -> Any:
    return value.value


def _isoformat(value: Any) -> str:
    return typing.cast(str, value.isoformat())


def _total_seconds(value: datetime.timedelta) -> float:
    return value.total_seconds()


def _seconds(value: Any) -> datetime.timedelta:
    return datetime.timedelta(seconds=value)


def _self_serializing(t: type, encoding: bool) -> Converter:
    if not encoding:
        return typing.cast(Converter, t._deserialize)  # type: ignore[attr-defined]

    def encode(value: Any) -> Any:
        if isinstance(value, (str, os.PathLike)) and not isinstance(value, t):
            value = t(value)  # flytekit accepts a path where a FlyteFile/FlyteDirectory is declared
        return value._serialize()

    return encode


_counter = itertools.count()


def _dataclass_converter(cls: type, dialect: str, encoding: bool) -> Converter:
    """Generated code for one dataclass: a dict display (encode) or one constructor call (decode)."""
    key = (cls, dialect, encoding)
    with _LOCK:
        found = _CACHE.get(key)
        if found is not None:
            return found
        # A self-referencing dataclass reaches itself while being compiled: it gets a trampoline, which only
        # this thread can see (others wait on the lock) and which works once the compiled function exists.
        holder: list[Converter] = []
        _IN_PROGRESS[key] = lambda v: holder[0](v)
        try:
            compiled = (
                _compile_dataclass_encoder(cls, dialect) if encoding else _compile_dataclass_decoder(cls, dialect)
            )
        finally:
            _IN_PROGRESS.pop(key, None)
        holder.append(compiled)
        _CACHE[key] = compiled
        return compiled


class _Source:
    """Generated-code builder: inline expressions for the common shapes, calls to compiled converters otherwise."""

    def __init__(self, cls: type, dialect: str, encoding: bool) -> None:
        self.cls = cls
        self.dialect = dialect
        self.encoding = encoding
        self.namespace: dict[str, Any] = {"cls": cls, "MISSING": _MISSING}
        self._names = itertools.count()

    def _bind(self, obj: Any) -> str:
        name = f"_g{next(self._names)}"
        self.namespace[name] = obj
        return name

    def expr(self, t: Any, source: str, field_name: str) -> str:
        """Source of an expression converting the value of ``source`` (declared ``t``)."""
        converter = _field_converter(self.cls, field_name, t, self.dialect, self.encoding)
        if converter is None:
            return source
        base = strip_type(t)
        if self.encoding:
            if converter is _enum_value:
                return f"{source}.value"
            if converter is _isoformat:
                return f"{source}.isoformat()"
            if converter is _total_seconds:
                return f"{source}.total_seconds()"
        elif base in (int, float, str, bool):
            return f"{base.__name__}({source})"
        if is_union(base):
            args = typing.get_args(base)
            if len(args) == 2 and _NoneType in args:
                inner = args[0] if args[1] is _NoneType else args[1]
                var = f"_o{next(self._names)}"
                return f"(None if ({var} := {source}) is None else {self.expr(inner, var, field_name)})"
        origin = typing.get_origin(base)
        args = typing.get_args(base)
        if origin is list and args and strip_type(args[0]) in (int, float, str, bool) and not self.encoding:
            return f"list(map({strip_type(args[0]).__name__}, {source}))"
        if origin is list and args:
            var = f"_x{next(self._names)}"
            return f"[{self.expr(args[0], var, field_name)} for {var} in {source}]"
        if origin is dict and len(args) == 2:
            key, var = f"_k{next(self._names)}", f"_x{next(self._names)}"
            key_expr = self.expr(args[0], key, field_name)
            return f"{{{key_expr}: {self.expr(args[1], var, field_name)} for {key}, {var} in {source}.items()}}"
        return f"{self._bind(converter)}({source})"

    def compile(self, source: str, name: str) -> Converter:
        return _exec(source, self.namespace, name, self.cls)


def _compile_dataclass_encoder(cls: type, dialect: str) -> Converter:
    src = _Source(cls, dialect, True)
    items = []
    for f in dataclasses.fields(cls):
        t = field_types(cls)[f.name]
        items.append(f"{f.name!r}: {src.expr(t, f'v.{f.name}', f.name)}")
    return src.compile(f"def encode(v):\n    return {{{', '.join(items)}}}\n", "encode")


def _compile_dataclass_decoder(cls: type, dialect: str) -> Converter:
    """``cls(...)`` of every field read with ``d[name]``; when a field is absent, the slow path applies defaults."""
    src = _Source(cls, dialect, False)
    positional: list[str] = []
    keywords: list[str] = []
    required = []
    optional_lines = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        t = field_types(cls)[f.name]
        value = src.expr(t, f"d[{f.name!r}]", f.name)
        # positional where the generated __init__ takes it so (a third faster than keywords)
        (keywords if getattr(f, "kw_only", False) else positional).append(
            f"{f.name}={value}" if getattr(f, "kw_only", False) else value
        )
        if f.default is _MISSING and f.default_factory is _MISSING:
            required.append(f"{f.name}={value}")
        else:
            optional_lines.append(f"    x = d.get({f.name!r}, MISSING)")
            optional_lines.append(f"    if x is not MISSING: kw[{f.name!r}] = {src.expr(t, 'x', f.name)}")
    every = positional + keywords
    if not optional_lines:
        return src.compile(f"def decode(d):\n    return cls({', '.join(every)})\n", "decode")
    slow_args = ", ".join([*required, "**kw"])
    source = (
        "def decode(d):\n"
        "    try:\n"
        f"        return cls({', '.join(every)})\n"
        "    except KeyError:\n"
        "        pass\n"
        "    kw = {}\n" + "\n".join(optional_lines) + f"\n    return cls({slow_args})\n"
    )
    return src.compile(source, "decode")


def _field_converter(cls: type, name: str, t: Any, dialect: str, encoding: bool) -> Converter | None:
    try:
        return _converter(t, dialect, encoding)
    except UnsupportedFieldTypeError as exc:
        raise UnsupportedFieldTypeError(f"dataclass {cls.__name__} field '{name}': {exc}") from None


def _exec(source: str, namespace: dict[str, Any], name: str, cls: type) -> Converter:
    filename = f"<flyte_core msgpack {name} {cls.__qualname__} #{next(_counter)}>"
    exec(compile(source, filename, "exec"), namespace)
    return typing.cast(Converter, namespace[name])


# --------------------------------------------------------------------------------------------------
# Errors: find where a value went wrong (slow path, taken only after a failure)
# --------------------------------------------------------------------------------------------------


def short_type_name(t: Any) -> str:
    """A type as a user wrote it: ``list[Point]``, ``Optional[int]``, ``dict[str, float]``."""
    t = strip_type(t)
    if t is None or t is _NoneType:
        return "None"
    if t is Any:
        return "Any"
    if is_union(t):
        args = typing.get_args(t)
        if len(args) == 2 and _NoneType in args:
            return f"Optional[{short_type_name(args[0] if args[1] is _NoneType else args[1])}]"
        return " | ".join(short_type_name(a) for a in args)
    origin = typing.get_origin(t)
    if origin is typing.Literal:
        return f"Literal[{', '.join(repr(a) for a in typing.get_args(t))}]"
    if origin is not None:
        args = typing.get_args(t)
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{', '.join('...' if a is Ellipsis else short_type_name(a) for a in args)}]" if args else name
    if inspect.isclass(t):
        return t.__qualname__
    return str(t).replace("typing.", "")


class _Failure(Exception):
    """Where a conversion failed: the path inside the value, the declared type there and what was found."""

    def __init__(self, path: list[str], expected: Any, found: Any, missing: bool = False) -> None:
        super().__init__(path)
        self.path = path
        self.expected = expected
        self.found = found
        self.missing = missing


def _where(python_type: Any, path: list[str]) -> str:
    top = strip_type(python_type)
    rel = "".join(path).lstrip(".")
    if inspect.isclass(top) and dataclasses.is_dataclass(top):
        return f"dataclass {top.__name__} field '{rel}'" if rel else f"dataclass {top.__name__}"
    return f"{short_type_name(top)} at '{rel}'" if rel else ""


def _explain(value: Any, python_type: Any, dialect: str, exc: Exception, encoding: bool) -> TypeTransformerFailedError:
    if isinstance(exc, TypeTransformerFailedError):
        return exc
    try:
        _walk(value, python_type, dialect, encoding, [])
    except _Failure as failure:
        where = _where(python_type, failure.path)
        if failure.missing:
            found = ", ".join(repr(k) for k in failure.found) or "none"
            return MissingFieldError(
                f"{where} is missing: expected a {short_type_name(failure.expected)} value (fields found: {found})"
            )
        prefix = f"{where}: " if where else ""
        error = FieldAttributeError if encoding and isinstance(exc, AttributeError) else TypeTransformerFailedError
        return error(f"{prefix}expected {short_type_name(failure.expected)}, got {value_repr(failure.found)}")
    except Exception:  # the walker could not tell where: report the raw error
        pass
    action = "encode" if encoding else "decode"
    return TypeTransformerFailedError(
        f"cannot {action} {value_repr(value)} as {short_type_name(python_type)}: {type(exc).__name__}: {exc}"
    )


def _walk(value: Any, t: Any, dialect: str, encoding: bool, path: list[str]) -> None:
    """Convert ``value`` part by part; raise ``_Failure`` at the innermost part that fails."""
    t = strip_type(t)
    if t in (Any, object, None, _NoneType) or isinstance(t, typing.TypeVar):
        return None
    if is_union(t):
        for variant in typing.get_args(t):
            converter = _converter(variant, dialect, encoding)
            try:
                if converter is not None:
                    converter(value)
                elif not encoding and strip_type(variant) in (None, _NoneType) and value is not None:
                    continue
                return None
            except Exception:
                continue
        raise _Failure(path, t, value)
    if inspect.isclass(t) and dataclasses.is_dataclass(t) and not has_serializable_protocol(t):
        return _walk_dataclass(value, t, dialect, encoding, path)
    origin = typing.get_origin(t)
    args = typing.get_args(t)
    if origin is None and inspect.isclass(t) and issubclass(t, (dict, list, tuple, set, frozenset)):
        origin = t
    if inspect.isclass(origin) and issubclass(origin, (dict, collections.abc.Mapping)):
        if not isinstance(value, (dict, collections.abc.Mapping)):
            raise _Failure(path, t, value)
        key_t, val_t = (args[0], args[1]) if len(args) == 2 else (Any, Any)
        for k, v in value.items():
            _walk(k, key_t, dialect, encoding, [*path, f"[{k!r}] (a key)"])
            _walk(v, val_t, dialect, encoding, [*path, f"[{k!r}]"])
        return None
    if inspect.isclass(origin) and issubclass(origin, collections.abc.Iterable) and origin not in (str, bytes):
        if isinstance(value, (str, bytes, bytearray, dict)) or not isinstance(value, collections.abc.Iterable):
            raise _Failure(path, t, value)
        items = list(value)
        if issubclass(origin, tuple) and args and not (len(args) == 2 and args[1] is Ellipsis):
            if len(items) != len(args):
                raise _Failure(path, t, value)
            for i, (item, item_t) in enumerate(zip(items, args, strict=True)):
                _walk(item, item_t, dialect, encoding, [*path, f"[{i}]"])
            return None
        for i, item in enumerate(items):
            _walk(item, args[0] if args else Any, dialect, encoding, [*path, f"[{i}]"])
        return None
    converter = _converter(t, dialect, encoding)
    if converter is not None:
        try:
            converter(value)
        except Exception:
            raise _Failure(path, t, value) from None
    return None


def _walk_dataclass(value: Any, t: type, dialect: str, encoding: bool, path: list[str]) -> None:
    hints = field_types(t)
    if encoding:
        for f in dataclasses.fields(t):
            try:
                item = getattr(value, f.name)
            except AttributeError:
                raise _Failure(path, t, value) from None
            _walk(item, hints[f.name], dialect, encoding, [*path, f".{f.name}"])
        return None
    if not isinstance(value, dict):
        raise _Failure(path, t, value)
    for f in dataclasses.fields(t):
        if not f.init:
            continue
        if f.name not in value:
            if f.default is _MISSING and f.default_factory is _MISSING:
                raise _Failure([*path, f".{f.name}"], hints[f.name], list(value), missing=True)
            continue
        _walk(value[f.name], hints[f.name], dialect, encoding, [*path, f".{f.name}"])
    return None


def _unpackable(data: Any, path: list[str]) -> _Failure | None:
    """The first part of ``data`` that msgpack cannot serialize."""
    try:
        msgpack.packb(data)
        return None
    except Exception:
        pass
    if isinstance(data, dict):
        for k, v in data.items():
            found = _unpackable(v, [*path, f"[{k!r}]"])
            if found is not None:
                return found
    elif isinstance(data, (list, tuple)):
        for i, v in enumerate(data):
            found = _unpackable(v, [*path, f"[{i}]"])
            if found is not None:
                return found
    return _Failure(path, Any, data)


def _packing_error(data: Any, python_type: Any, exc: Exception) -> TypeTransformerFailedError:
    failure = _unpackable(data, [])
    if failure is None:
        return TypeTransformerFailedError(f"cannot serialize to msgpack: {type(exc).__name__}: {exc}")
    path = list(failure.path)
    top = strip_type(python_type)
    if path and inspect.isclass(top) and dataclasses.is_dataclass(top) and isinstance(data, dict):
        path[0] = "." + str(ast.literal_eval(path[0][1:-1]))  # a top-level key of a dataclass is a field
    where = _where(python_type, path)
    prefix = f"{where}: " if where else ""
    return TypeTransformerFailedError(
        f"{prefix}{value_repr(failure.found)} has no msgpack form ({type(exc).__name__}: {exc})"
    )

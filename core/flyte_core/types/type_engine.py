"""The type engine: converts Python values to flyteidl literals and back, one transformer per type.

Transformers are contributed by plugins through the ``flyte_type_transformers`` hook (the built-in
ones included) and resolved lazily: a transformer registered for ``"pandas.DataFrame"`` is only
looked at once pandas is imported. ``TypeEngine.register`` keeps flytekit's API for code that
registers transformers directly.

Literals and literal types are flyteidl protobuf messages (``flyteidl.core.literals_pb2`` /
``types_pb2``); there is no parallel model layer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import inspect
import threading
import types
import typing
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from flyteidl.core import interface_pb2, literals_pb2, types_pb2

from flyte_core.values.messages import as_idl

if typing.TYPE_CHECKING:
    from flyte_core.context import FlyteContext
    from flyte_core.plugins.types import FlyteTypeTransformer

T = TypeVar("T")

Literal = literals_pb2.Literal
LiteralMap = literals_pb2.LiteralMap
LiteralCollection = literals_pb2.LiteralCollection
Scalar = literals_pb2.Scalar
Primitive = literals_pb2.Primitive
LiteralType = types_pb2.LiteralType
SimpleType = types_pb2.SimpleType

MESSAGEPACK = "msgpack"
CACHE_KEY_METADATA = "cache-key-metadata"
SERIALIZATION_FORMAT = "serialization-format"


class TypeTransformerFailedError(TypeError, AssertionError, ValueError):
    """A value or literal could not be converted (raised with what was expected and what was found)."""


class RestrictedTypeError(Exception):
    """The type cannot be an input or output of a task or workflow (bare tuples, NamedTuple values...)."""


_ANNOTATED_ALIAS = type(typing.Annotated[int, "x"])


def is_annotated(t: Any) -> bool:
    """True for ``typing.Annotated[...]`` types."""
    return type(t) is _ANNOTATED_ALIAS


def get_underlying_type(t: Any) -> Any:
    """The type inside ``Annotated[...]``, else the type itself."""
    return typing.get_args(t)[0] if is_annotated(t) else t


def type_name(t: Any) -> str:
    """A short, readable name of a Python type for error messages (``int``, ``list[int]``, ``Optional[str]``)."""
    if isinstance(t, type) and not typing.get_args(t):
        return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
    text = repr(t)
    return text.replace("typing.", "")


def value_repr(v: Any, limit: int = 80) -> str:
    """The found value as shown in errors: its type and a bounded repr."""
    text = repr(v)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{type(v).__name__} {text}"


class TypeTransformer(Generic[T]):
    """Converts one Python type (family) to flyteidl literals and back.

    Subclasses implement ``get_literal_type``, ``to_literal`` and ``to_python_value``; the
    signatures are flytekit's, so transformers written for flytekit work after the import rename.
    """

    def __init__(self, name: str, t: type[T], enable_type_assertions: bool = True) -> None:
        self._t = t
        self._name = name
        self._type_assertions_enabled = enable_type_assertions

    @property
    def name(self) -> str:
        return self._name

    @property
    def python_type(self) -> type[T]:
        return self._t

    @property
    def is_async(self) -> bool:
        return False

    @property
    def type_assertions_enabled(self) -> bool:
        """Whether the engine checks the value's type (``assert_type``) before ``to_literal``."""
        return self._type_assertions_enabled

    def isinstance_generic(self, obj: Any, generic_alias: Any) -> None:
        origin = typing.get_origin(generic_alias)
        if not isinstance(obj, origin):
            raise TypeTransformerFailedError(f"Value '{obj}' is not of container type {origin}")

    def assert_type(self, t: Any, v: Any) -> None:
        """Raise ``TypeTransformerFailedError`` when ``v`` is not a ``t``."""
        if isinstance(t, types.GenericAlias):
            return self.isinstance_generic(v, t)
        if not hasattr(t, "__origin__") and isinstance(t, type) and not isinstance(v, t):
            raise TypeTransformerFailedError(f"Expected value of type {t} but got '{v}' of type {type(v)}")
        return None

    def get_literal_type(self, t: Any) -> LiteralType:
        raise NotImplementedError(f"{type(self).__name__} must implement get_literal_type")

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        raise ValueError("By default, transformers do not translate from Flyte types back to Python types")

    def to_literal(self, ctx: FlyteContext, python_val: T, python_type: Any, expected: LiteralType) -> Literal:
        raise NotImplementedError(f"Conversion to Literal for python type {python_type} not implemented")

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> T | None:
        raise NotImplementedError(f"Conversion to python value of type {expected_python_type} not implemented")

    async def async_to_literal(
        self, ctx: FlyteContext, python_val: T, python_type: Any, expected: LiteralType
    ) -> Literal:
        """flytekit's async API on a sync transformer: the conversion itself."""
        return self.to_literal(ctx, python_val, python_type, expected)

    async def async_to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> T | None:
        """flytekit's async API on a sync transformer: the conversion itself."""
        return self.to_python_value(ctx, lv, expected_python_type)

    def from_binary_idl(self, binary_idl_object: literals_pb2.Binary, expected_python_type: Any) -> Any:
        """A value from a msgpack ``Binary`` literal (dataclass attribute access, untyped dicts)."""
        if binary_idl_object.tag != MESSAGEPACK:
            raise TypeTransformerFailedError(f"Unsupported binary format `{binary_idl_object.tag}`")
        from flyte_core.types.msgpack_values import decode_msgpack

        return decode_msgpack(binary_idl_object.value, expected_python_type)

    def to_html(self, ctx: FlyteContext, python_val: T, expected_python_type: Any) -> str:
        return str(python_val)

    def __repr__(self) -> str:
        return f"{self._name} Transforms ({self._t}) to Flyte native"


class AsyncTypeTransformer(TypeTransformer[T]):
    """A transformer whose conversions are coroutines (file transfers...); the sync API runs them."""

    @property
    def is_async(self) -> bool:
        return True

    async def async_to_literal(
        self, ctx: FlyteContext, python_val: T, python_type: Any, expected: LiteralType
    ) -> Literal:
        raise NotImplementedError

    async def async_to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> T | None:
        raise NotImplementedError

    def to_literal(self, ctx: FlyteContext, python_val: T, python_type: Any, expected: LiteralType) -> Literal:
        return run_sync(self.async_to_literal(ctx, python_val, python_type, expected))

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> T | None:
        return run_sync(self.async_to_python_value(ctx, lv, expected_python_type))


def run_sync(coro: typing.Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, also when called inside a running event loop."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    result: list[Any] = []

    def _run() -> None:
        try:
            result.append((True, asyncio.run(coro)))
        except BaseException as exc:
            result.append((False, exc))

    import contextvars

    thread = threading.Thread(target=contextvars.copy_context().run, args=(_run,))  # keep the Flyte context
    thread.start()
    thread.join()
    ok, value = result[0]
    if not ok:
        raise value
    return typing.cast(T, value)


class SimpleTransformer(TypeTransformer[T]):
    """A transformer given by a literal type and two functions (the primitives use it)."""

    def __init__(
        self,
        name: str,
        t: type[T],
        lt: LiteralType,
        to_literal_transformer: typing.Callable[[T], Literal],
        from_literal_transformer: typing.Callable[[Literal], T],
    ) -> None:
        super().__init__(name, t)
        self._type = t
        self._lt = lt
        self._to_literal_transformer = to_literal_transformer
        self._from_literal_transformer = from_literal_transformer

    @property
    def base_type(self) -> type:
        return self._type

    def get_literal_type(self, t: Any = None) -> LiteralType:
        lt = LiteralType()
        lt.CopyFrom(self._lt)
        return lt

    def assert_type(self, t: Any, v: Any) -> None:
        if type(v) is not self._type:
            raise TypeTransformerFailedError(f"Expected value of type {self._type} but got '{v}' of type {type(v)}")

    def to_literal(self, ctx: FlyteContext, python_val: T, python_type: Any, expected: LiteralType) -> Literal:
        if type(python_val) is not self._type:
            raise TypeTransformerFailedError(
                f"Expected value of type {self._type} but got '{python_val}' of type {type(python_val)}"
            )
        return self._to_literal_transformer(python_val)

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> T:
        expected = get_underlying_type(expected_python_type)
        if expected is not self._type and expected != self._type:
            raise TypeTransformerFailedError(f"Cannot convert to type {expected}, only {self._type} is supported")
        if lv.HasField("scalar") and lv.scalar.HasField("binary"):
            return typing.cast(T, self.from_binary_idl(lv.scalar.binary, expected))
        try:
            res = self._from_literal_transformer(lv)
        except TypeTransformerFailedError:
            raise
        except (AttributeError, ValueError) as exc:
            raise TypeTransformerFailedError(f"Cannot convert literal {_short(lv)} to {self._type}") from exc
        if type(res) is not self._type:
            raise TypeTransformerFailedError(f"Cannot convert literal {_short(lv)} to {self._type}")
        return res

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.WhichOneof("type") == "simple" and literal_type.simple == self._lt.simple:
            return self.python_type
        raise ValueError(f"Transformer {self} cannot reverse {literal_type}")


class RestrictedTypeTransformer(TypeTransformer[T]):
    """Types that may never be task inputs or outputs (bare tuples, NamedTuple values)."""

    def get_literal_type(self, t: Any = None) -> LiteralType:
        raise RestrictedTypeError(f"Transformer for type {self.python_type} is restricted currently")

    def to_literal(self, ctx: FlyteContext, python_val: T, python_type: Any, expected: LiteralType) -> Literal:
        raise RestrictedTypeError(f"Transformer for type {self.python_type} is restricted currently")

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> T:
        raise RestrictedTypeError(f"Transformer for type {self.python_type} is restricted currently")


def _short(lv: Literal) -> str:
    text = str(lv).replace("\n", " ").strip()
    return text if len(text) < 120 else text[:117] + "..."


# --------------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------------


class TypeEngine(Generic[T]):
    """Finds the transformer of a Python type and converts values with it.

    The registry is filled from the ``flyte_type_transformers`` hook on first use; registrations
    naming a type by string stay pending until the module defining that type is imported.
    """

    _REGISTRY: dict[Any, TypeTransformer[Any]] = {}
    _RESTRICTED_TYPES: list[Any] = []
    _pending: list[FlyteTypeTransformer] | None = None
    _lazy: dict[Any, FlyteTypeTransformer] = {}
    _from_plugins: set[Any] = set()
    """Types whose transformer a plugin registration supplied (forgotten when the plugin manager changes)."""
    _lock = threading.RLock()
    _lookup_cache: dict[Any, TypeTransformer[Any]] = {}

    # ----------------------------------------------------------------------------------------------
    # Registration
    # ----------------------------------------------------------------------------------------------

    @classmethod
    def register(cls, transformer: TypeTransformer[Any], additional_types: list[Any] | None = None) -> None:
        """Register ``transformer`` for its python type (and ``additional_types``); duplicates are errors."""
        cls._ensure_plugins()
        for t in [transformer.python_type, *(additional_types or [])]:
            existing = cls._REGISTRY.get(t)
            if existing is not None and existing is not transformer:
                raise ValueError(
                    f"Transformer {existing.name} for type {t} is already registered."
                    f" Cannot override with {transformer.name}"
                )
            cls._REGISTRY[t] = transformer
        cls._lookup_cache.clear()

    @classmethod
    def register_restricted_type(cls, name: str, type: Any) -> None:
        cls._RESTRICTED_TYPES.append(type)
        cls.register(RestrictedTypeTransformer(name, type))

    @classmethod
    def register_additional_type(
        cls, transformer: TypeTransformer[Any], additional_type: Any, override: bool = False
    ) -> None:
        cls._ensure_plugins()
        if additional_type not in cls._REGISTRY or override:
            cls._REGISTRY[additional_type] = transformer
            cls._lookup_cache.clear()

    @classmethod
    def _ensure_plugins(cls) -> None:
        """Load the plugin registrations once: resolvable ones now, the rest when their module appears."""
        if cls._pending is not None:
            return
        with cls._lock:
            if cls._pending is not None:
                return
            from flyte_core.plugins.manager import get_plugin_manager, on_plugin_manager_change

            on_plugin_manager_change(cls._forget_plugins)
            registrations = list(get_plugin_manager().type_transformers().values())
            cls._pending = []
            for registration in registrations:
                cls._admit(registration)

    @classmethod
    def _forget_plugins(cls) -> None:
        """Drop what plugins registered (the manager changed); transformers registered directly stay."""
        with cls._lock:
            for python_type in cls._from_plugins:
                cls._REGISTRY.pop(python_type, None)
            cls._from_plugins = set()
            cls._lazy = {}
            cls._pending = None
            cls._lookup_cache = {}

    @classmethod
    def _admit(cls, registration: FlyteTypeTransformer) -> bool:
        """Register a plugin's transformer under its type if that type can be resolved without importing."""
        assert cls._pending is not None
        python_type = registration.python_type
        if isinstance(python_type, str):
            if not registration.is_loadable_now():
                cls._pending.append(registration)
                return False
            try:
                python_type = registration.load_python_type()
            except Exception:
                cls._pending.append(registration)
                return False
        existing = cls._REGISTRY.get(python_type)
        if existing is None or registration.override:
            cls._lazy[python_type] = registration
            cls._REGISTRY.pop(python_type, None)
        cls._lookup_cache.clear()
        return True

    @classmethod
    def _admit_pending(cls) -> bool:
        """Try pending registrations again (a module they name may have been imported since)."""
        if not cls._pending:
            return False
        with cls._lock:
            pending, cls._pending = cls._pending, []
            admitted = False
            for registration in pending:
                admitted = cls._admit(registration) or admitted
            return admitted

    @classmethod
    def _registered(cls, t: Any) -> TypeTransformer[Any] | None:
        try:
            found = cls._REGISTRY.get(t)
        except TypeError:  # unhashable type (e.g. Annotated with a dict)
            return None
        if found is not None:
            return found
        try:
            registration = cls._lazy.get(t)
        except TypeError:
            return None
        if registration is None:
            return None
        with cls._lock:
            transformer = cls._REGISTRY.get(t)
            if transformer is None:
                transformer = registration.load_transformer()
                cls._REGISTRY[t] = transformer
                cls._from_plugins.add(t)
            cls._lazy.pop(t, None)
        return transformer

    # ----------------------------------------------------------------------------------------------
    # Lookup
    # ----------------------------------------------------------------------------------------------

    @classmethod
    def _find_direct(cls, python_type: Any) -> TypeTransformer[Any] | None:
        if python_type is None:
            return cls._registered(type(None))
        if is_annotated(python_type):
            args = typing.get_args(python_type)
            for annotation in args[1:]:
                if isinstance(annotation, TypeTransformer):
                    return annotation
            return cls.get_transformer(args[0])
        if inspect.isclass(python_type) and issubclass(python_type, enum.Enum):
            return cls._registered(enum.Enum)
        origin = typing.get_origin(python_type)
        if origin is typing.Literal:
            return cls._registered(typing.Literal)
        if origin is not None:
            found = cls._registered(python_type)
            if found is not None:
                return found
            if origin is typing.Union or origin is types.UnionType:
                return cls._registered(typing.Union)
            return cls._registered(origin)
        if isinstance(python_type, types.UnionType):
            return cls._registered(typing.Union)
        return cls._registered(python_type)

    @classmethod
    def get_transformer(cls, python_type: Any) -> TypeTransformer[Any]:
        """The transformer for ``python_type``: exact, generic origin, then the class hierarchy, then fallbacks."""
        try:
            return cls._lookup_cache[python_type]
        except (KeyError, TypeError):
            pass
        cls._ensure_plugins()
        transformer = cls._find_direct(python_type)
        if transformer is None and cls._admit_pending():
            transformer = cls._find_direct(python_type)
        if transformer is None:
            transformer = cls._lookup_bases(python_type)
        if transformer is None:
            transformer = cls._fallback(python_type)
        with contextlib.suppress(TypeError):  # unhashable types are looked up each time
            cls._lookup_cache[python_type] = transformer
        return transformer

    @classmethod
    def _lookup_bases(cls, python_type: Any) -> TypeTransformer[Any] | None:
        if inspect.isclass(python_type):
            for base in inspect.getmro(python_type)[1:]:
                if base is object:
                    break
                found = cls._find_direct(base)
                if found is not None:
                    return found
        return None

    @classmethod
    def _fallback(cls, python_type: Any) -> TypeTransformer[Any]:
        if dataclasses.is_dataclass(python_type):
            found = cls._registered(dataclasses.dataclass)
            if found is not None:
                return found
        pickle = cls._pickle_transformer()
        if pickle is None:
            raise TypeTransformerFailedError(
                f"No transformer for type {type_name(python_type)} and the pickle fallback is not installed"
            )
        _warn_pickle(python_type)
        return pickle

    @classmethod
    def _pickle_transformer(cls) -> TypeTransformer[Any] | None:
        try:
            from flyte_core.types.pickle import FlytePickle
        except ImportError:
            return None
        cls._admit_pending()
        return cls._registered(FlytePickle)

    @classmethod
    def lazy_import_transformers(cls) -> None:
        """flytekit API: make transformers for already-imported libraries available."""
        cls._ensure_plugins()
        cls._admit_pending()

    @classmethod
    def get_available_transformers(cls) -> typing.KeysView[Any]:
        cls._ensure_plugins()
        for t in list(cls._lazy):
            cls._registered(t)
        return cls._REGISTRY.keys()

    # ----------------------------------------------------------------------------------------------
    # Conversions
    # ----------------------------------------------------------------------------------------------

    @classmethod
    def to_literal_type(cls, python_type: Any) -> LiteralType:
        """The flyteidl ``LiteralType`` of a Python type (``Annotated[T, FlyteAnnotation(...)]`` adds annotations)."""
        transformer = cls.get_transformer(python_type)
        lt = transformer.get_literal_type(python_type)
        if type(lt) is not LiteralType:
            lt = as_idl(lt)  # a flytekit-style transformer's LiteralType model
        if is_annotated(python_type):
            data = None
            for arg in typing.get_args(python_type)[1:]:
                if type(arg).__name__ == "FlyteAnnotation":
                    if data is not None:
                        raise ValueError(
                            f"More than one FlyteAnnotation used within {python_type} typehint. "
                            "Flytekit requires a max of one."
                        )
                    data = arg.data
            if data is not None:
                if CACHE_KEY_METADATA in data:
                    raise AssertionError(f"FlyteAnnotation cannot contain `{CACHE_KEY_METADATA}`.")
                from google.protobuf import struct_pb2

                merged = dict(_struct_to_dict(lt.annotation.annotations)) if lt.HasField("annotation") else {}
                merged.update(data)
                annotations = struct_pb2.Struct()
                annotations.update(merged)
                copy = LiteralType()
                copy.CopyFrom(lt)
                copy.annotation.annotations.CopyFrom(annotations)
                lt = copy
        return lt

    @classmethod
    def to_literal_checks(cls, python_val: Any, python_type: Any, expected: LiteralType | None) -> None:
        if type(python_val).__name__ == "VoidPromise":
            raise AssertionError(
                f"Outputs of a non-output producing task {python_val.task_name} cannot be passed to another task."
            )
        if isinstance(python_val, tuple):
            raise AssertionError(
                "Tuples are not a supported type for individual values in Flyte - got a tuple -"
                f" {python_val}. If using named tuple in an inner task, please, de-reference the"
                " actual attribute that you want to use. For example, in NamedTuple('OP', x=int) then"
                " return v.x, instead of v, even if this has a single element"
            )
        if (
            python_val is None
            and python_type is not type(None)
            and python_type is not None
            and python_type is not Any
            and expected is not None
            and expected.WhichOneof("type") != "union_type"
        ):
            raise TypeTransformerFailedError(f"Python value cannot be None, expected {type_name(python_type)}")

    @classmethod
    def to_literal(cls, ctx: FlyteContext | None, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        """Convert ``python_val``, declared as ``python_type``, to a literal of the ``expected`` literal type."""
        if type(python_val) is _promise_class:
            return python_val.val
        if expected is not None and type(expected) is not LiteralType:
            expected = as_idl(expected)  # a flytekit LiteralType model, from a caller written for flytekit
        cls.to_literal_checks(python_val, python_type, expected)
        transformer = cls.get_transformer(python_type)
        if transformer.type_assertions_enabled:
            transformer.assert_type(python_type, python_val)
        lv = transformer.to_literal(ctx, python_val, python_type, expected)  # type: ignore[arg-type]
        if type(lv) is not Literal:
            lv = as_idl(lv)  # a flytekit-style transformer returns a Literal model
        if is_annotated(python_type):
            digest = _calculate_hash(python_val, python_type)
            if digest is not None:
                lv.hash = digest
        return lv

    @classmethod
    async def async_to_literal(
        cls, ctx: FlyteContext | None, python_val: Any, python_type: Any, expected: LiteralType
    ) -> Literal:
        transformer = cls.get_transformer(python_type)
        if isinstance(transformer, AsyncTypeTransformer):
            if isinstance(python_val, _promise_class):
                return python_val.val
            cls.to_literal_checks(python_val, python_type, expected)
            if transformer.type_assertions_enabled:
                transformer.assert_type(python_type, python_val)
            lv = await transformer.async_to_literal(ctx, python_val, python_type, expected)  # type: ignore[arg-type]
            if type(lv) is not Literal:
                lv = as_idl(lv)
            if is_annotated(python_type):
                digest = _calculate_hash(python_val, python_type)
                if digest is not None:
                    lv.hash = digest
            return lv
        return cls.to_literal(ctx, python_val, python_type, expected)

    @classmethod
    def to_python_value(cls, ctx: FlyteContext | None, lv: Literal, expected_python_type: Any) -> Any:
        """Convert a literal to a value of ``expected_python_type``."""
        if lv.HasField("offloaded_metadata"):
            lv = _load_offloaded(ctx, lv)
        transformer = cls.get_transformer(expected_python_type)
        return transformer.to_python_value(ctx, lv, expected_python_type)  # type: ignore[arg-type]

    @classmethod
    async def async_to_python_value(cls, ctx: FlyteContext | None, lv: Literal, expected_python_type: Any) -> Any:
        transformer = cls.get_transformer(expected_python_type)
        if isinstance(transformer, AsyncTypeTransformer):
            if lv.HasField("offloaded_metadata"):
                lv = _load_offloaded(ctx, lv)
            return await transformer.async_to_python_value(ctx, lv, expected_python_type)  # type: ignore[arg-type]
        return cls.to_python_value(ctx, lv, expected_python_type)

    @classmethod
    def to_html(cls, ctx: FlyteContext | None, python_val: Any, expected_python_type: Any) -> str:
        transformer = cls.get_transformer(expected_python_type)
        if is_annotated(expected_python_type):
            for arg in typing.get_args(expected_python_type)[1:]:
                if hasattr(arg, "to_html") and not isinstance(arg, TypeTransformer):
                    return str(arg.to_html(python_val))
        return transformer.to_html(ctx, python_val, expected_python_type)  # type: ignore[arg-type]

    @classmethod
    def named_tuple_to_variable_map(cls, t: Any) -> interface_pb2.VariableMap:
        variables = {}
        for idx, (var_name, var_type) in enumerate(t.__annotations__.items()):
            variables[var_name] = interface_pb2.Variable(type=cls.to_literal_type(var_type), description=f"{idx}")
        return interface_pb2.VariableMap(variables=variables)

    @classmethod
    def literal_map_to_kwargs(
        cls,
        ctx: FlyteContext | None,
        lm: LiteralMap,
        python_types: Mapping[str, Any] | None = None,
        literal_types: Mapping[str, interface_pb2.Variable] | None = None,
    ) -> dict[str, Any]:
        """Python values for each literal of ``lm`` (inputs of a task)."""
        if python_types is None and literal_types is None:
            raise ValueError("At least one of python_types or literal_types must be provided")
        if literal_types:
            python_types = {name: cls.guess_python_type(v.type) for name, v in literal_types.items()}
        assert python_types is not None
        if not python_types:
            return {}
        if len(lm.literals) > len(python_types):
            raise ValueError(
                f"Received more input values {len(lm.literals)} than allowed by the input spec {len(python_types)}"
            )
        kwargs = {}
        for name, literal in lm.literals.items():
            try:
                kwargs[name] = cls.to_python_value(ctx, literal, python_types[name])
            except Exception as exc:
                raise TypeTransformerFailedError(
                    f"Error converting input '{name}':\n"
                    f"Literal value: {_short(literal)}\n"
                    f"Expected Python type: {python_types[name]!r}\n"
                    f"Exception: {exc}"
                ) from exc
        return kwargs

    @classmethod
    def dict_to_literal_map(
        cls, ctx: FlyteContext | None, d: Mapping[str, Any], type_hints: Mapping[str, Any] | None = None
    ) -> LiteralMap:
        """A ``LiteralMap`` of Python values; ``type_hints`` win over the values' own types."""
        type_hints = type_hints or {}
        literals = {}
        for key, value in d.items():
            python_type = type_hints.get(key, type(value))
            literals[key] = cls.to_literal(ctx, value, python_type, cls.to_literal_type(python_type))
        return LiteralMap(literals=literals)

    @classmethod
    def guess_python_types(cls, variables: Mapping[str, interface_pb2.Variable]) -> dict[str, Any]:
        return {name: cls.guess_python_type(v.type) for name, v in variables.items()}

    @classmethod
    def guess_python_type(cls, flyte_type: LiteralType) -> Any:
        """A Python type able to hold literals of ``flyte_type`` (for outputs fetched without their code)."""
        cls._ensure_plugins()
        for t in list(cls._lazy):
            cls._registered(t)
        for transformer in list(dict.fromkeys(cls._REGISTRY.values())):
            try:
                return transformer.guess_python_type(flyte_type)
            except (ValueError, NotImplementedError, TypeError):
                continue
        raise ValueError(f"No transformers could reverse Flyte literal type {flyte_type}")


class _NoPromiseClassYet:
    """Stands for the promise class until the sdk registers it: no value is an instance."""


_promise_class: type = _NoPromiseClassYet


def register_promise_class(cls: type) -> None:
    """Make instances of ``cls`` pass their literal (``.val``) through the type engine unconverted.

    Called by ``flyte_core.sdk.promise`` for its ``Promise``, so that the engine, a layer below the sdk,
    recognises workflow values without importing the sdk; before that module is imported, none exists.
    """
    global _promise_class
    _promise_class = cls


def promise_class() -> type:
    """The registered promise class (see :func:`register_promise_class`)."""
    return _promise_class


def _struct_to_dict(struct: Any) -> dict[str, Any]:
    from google.protobuf import json_format

    return typing.cast(dict[str, Any], json_format.MessageToDict(struct))


def _calculate_hash(python_val: Any, python_type: Any) -> str | None:
    for annotation in typing.get_args(python_type)[1:]:
        if type(annotation).__name__ == "HashMethod":
            return typing.cast(str, annotation.calculate(python_val))
    return None


def _load_offloaded(ctx: FlyteContext | None, lv: Literal) -> Literal:
    from flyte_core.context import FlyteContextManager

    ctx = ctx or FlyteContextManager.current_context()
    local = ctx.file_access.get_random_local_path()
    ctx.file_access.get_data(lv.offloaded_metadata.uri, local)
    with open(local, "rb") as f:
        return Literal.FromString(f.read())


_warned_pickle: set[str] = set()


def _warn_pickle(python_type: Any) -> None:
    name = str(python_type)
    if name in _warned_pickle:
        return
    _warned_pickle.add(name)
    import logging

    logging.getLogger("flyte_core").warning(
        f"Unsupported Type {python_type} found, Flyte will default to use PickleFile as the transport. "
        "Pickle can only be used to send objects between the exact same version of Python, "
        "and we strongly recommend to use python type that flyte support."
    )


def _reset_for_tests() -> None:
    """Forget every registration (tests that swap the plugin manager)."""
    TypeEngine._REGISTRY = {}
    TypeEngine._lazy = {}
    TypeEngine._from_plugins = set()
    TypeEngine._pending = None
    TypeEngine._lookup_cache = {}

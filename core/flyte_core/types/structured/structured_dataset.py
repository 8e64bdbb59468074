"""``StructuredDataset``: dataframes passed between tasks as ``structured_dataset`` literals.

One transformer, ``StructuredDatasetTransformerEngine``, serves ``StructuredDataset`` and every dataframe
type (pandas, pyarrow, Spark...). It writes and reads data through *handlers* keyed by
``(dataframe type, storage protocol, format)``: encoders (dataframe -> files + literal) and decoders
(literal -> dataframe). The literal carries the URI and a ``StructuredDatasetType`` (columns, format).

Column subsetting: a task declaring ``Annotated[StructuredDataset, kwtypes(a=int)]`` (or
``Annotated[pd.DataFrame, kwtypes(a=int)]``) as an input reads only column ``a``, whatever the
producer wrote.

Registering handlers (a dataframe library plugin)
-------------------------------------------------

A plugin yields its handlers from the ``flyte_dataframe_handlers`` hook, naming the dataframe type and the
handler by string so that nothing is imported until a user converts a value of that type::

    # my_plugin/plugin.py (an entry point of the flyte_core.plugins group)
    @hookimpl
    def flyte_type_transformers():
        yield FlyteTypeTransformer(
            python_type="pyspark.sql.DataFrame",
            transformer="flyte_core.types.structured.structured_dataset:flyte_dataset_transformer",
        )

    @hookimpl
    def flyte_dataframe_handlers():
        yield FlyteDataFrameHandler(python_type="pyspark.sql.DataFrame", role="encoder", format="parquet",
                                    handler="my_plugin.sd:SparkToParquetEncoder", default_format=True)
        yield FlyteDataFrameHandler(python_type="pyspark.sql.DataFrame", role="decoder", format="parquet",
                                    handler="my_plugin.sd:ParquetToSparkDecoder")

The engine registers a type's handlers the first time a value or dataset of that type is converted or
opened (``sd.open(pyspark.sql.DataFrame).all()``). flytekit's API,
``StructuredDatasetTransformerEngine.register(handler, default_for_type=..., override=...)``, still
registers handlers from code; those come first.
"""

from __future__ import annotations

import collections
import contextlib
import datetime
import sys
import types
import typing
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field, is_dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

from flyteidl.core import literals_pb2, types_pb2

from flyte_core.context import FlyteContext, FlyteContextManager
from flyte_core.loggers import logger
from flyte_core.types.file.blobs import is_remote, protocol_of
from flyte_core.types.type_engine import (
    MESSAGEPACK,
    AsyncTypeTransformer,
    TypeEngine,
    TypeTransformerFailedError,
    type_name,
)

if TYPE_CHECKING:
    from flyte_core.plugins.types import FlyteDataFrameHandler

__all__ = [
    "CSV",
    "DF",
    "GENERIC_FORMAT",
    "GENERIC_PROTOCOL",
    "PARQUET",
    "DuplicateHandlerError",
    "StructuredDataset",
    "StructuredDatasetDecoder",
    "StructuredDatasetEncoder",
    "StructuredDatasetFormat",
    "StructuredDatasetMetadata",
    "StructuredDatasetTransformerEngine",
    "StructuredDatasetType",
    "extract_cols_and_format",
    "flatten_dict",
    "flyte_dataset_transformer",
]


T = TypeVar("T")
DF = TypeVar("DF")

StructuredDatasetFormat: TypeAlias = str
"""A storage format name, e.g. ``"parquet"``."""

PARQUET: StructuredDatasetFormat = "parquet"
CSV: StructuredDatasetFormat = "csv"
GENERIC_FORMAT: StructuredDatasetFormat = ""
GENERIC_PROTOCOL: str = "generic protocol"
_FSSPEC = "fsspec"  # the protocol key of handlers that work with any protocol fsspec serves

StructuredDatasetType = types_pb2.StructuredDatasetType
"""flyteidl's ``StructuredDatasetType``: ``columns`` (name + literal type) and ``format``."""
StructuredDatasetMetadata = literals_pb2.StructuredDatasetMetadata
_LiteralSD = literals_pb2.StructuredDataset


@dataclass(init=False, eq=True)
class StructuredDataset:
    """A dataframe, or where one is stored (``uri`` + ``file_format``).

    Return ``StructuredDataset(dataframe=df)`` from a task to write ``df`` with the handler of its type;
    receive one as an input and read it with ``sd.open(pd.DataFrame).all()`` (or ``.iter()``).

    Args:
        dataframe: the dataframe to write (pandas, pyarrow or any type with registered handlers).
        uri: where the data is (to pass existing data on), or where to write ``dataframe``.
        metadata: the ``StructuredDatasetMetadata`` (columns, format) read with.
        file_format: the storage format of the data at ``uri`` (e.g. ``"parquet"``).
    """

    uri: str | None = field(default=None)
    file_format: str | None = field(default=GENERIC_FORMAT)

    def __init__(
        self,
        dataframe: Any = None,
        uri: str | None = None,
        metadata: literals_pb2.StructuredDatasetMetadata | None = None,
        **kwargs: Any,
    ) -> None:
        self._dataframe = dataframe
        self.uri = uri
        self.file_format = kwargs.get("file_format", GENERIC_FORMAT)
        self._metadata = metadata
        self._literal_sd: literals_pb2.StructuredDataset | None = None
        self._dataframe_type: Any = None
        self._already_uploaded = False

    @classmethod
    def _json_schema(cls) -> dict[str, Any]:
        """The JSON schema of a StructuredDataset field of a dataclass, as flytekit (mashumaro) writes it."""
        return {
            "type": "object",
            "title": "StructuredDataset",
            "properties": {
                "uri": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
                "file_format": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": ""},
            },
            "additionalProperties": False,
        }

    def _serialize(self) -> dict[str, str | None]:
        """``{"uri": ..., "file_format": ...}``: the data is written (or uploaded) first when it must be."""
        lv = flyte_dataset_transformer.to_literal(FlyteContextManager.current_context(), self, type(self), None)
        sd = lv.scalar.structured_dataset
        return {"uri": sd.uri, "file_format": sd.metadata.structured_dataset_type.format}

    @classmethod
    def _deserialize(cls, value: dict[str, Any]) -> StructuredDataset:
        """The ``StructuredDataset`` a dataclass field holds, from its ``{"uri", "file_format"}`` dict."""
        return typing.cast(StructuredDataset, flyte_dataset_transformer.dict_to_structured_dataset(value, cls))

    @classmethod
    def columns(cls) -> dict[str, type]:
        return {}

    @classmethod
    def column_names(cls) -> list[str]:
        return list(cls.columns())

    @property
    def dataframe(self) -> Any:
        """The dataframe this value was created with (``None`` for a dataset read from storage)."""
        return self._dataframe

    @property
    def metadata(self) -> literals_pb2.StructuredDatasetMetadata | None:
        """The columns and format this dataset is read with."""
        return self._metadata

    @property
    def literal(self) -> literals_pb2.StructuredDataset | None:
        """The ``StructuredDataset`` literal once written or received."""
        return self._literal_sd

    def open(self, dataframe_type: type[DF]) -> StructuredDataset:
        """Choose the dataframe type to read as (``pd.DataFrame``, ``pa.Table``...); then ``all()`` or ``iter()``."""
        self._dataframe_type = dataframe_type
        return self

    def all(self) -> Any:
        """The whole dataset, as the type given to ``open()``."""
        df_type = self._require_type()
        if self._literal_sd is None and self._dataframe is not None and _is_instance(self._dataframe, df_type):
            return self._dataframe
        ctx = FlyteContextManager.current_context()
        literal = self._reading_literal(ctx)
        return flyte_dataset_transformer.open_as(ctx, literal, df_type, self._metadata or literal.metadata)

    def iter(self) -> Iterator[Any]:
        """The dataset in chunks, as the type given to ``open()`` (one chunk when its decoder reads it whole)."""
        df_type = self._require_type()
        ctx = FlyteContextManager.current_context()
        literal = self._reading_literal(ctx)
        return flyte_dataset_transformer.iter_as(ctx, literal, df_type, self._metadata or literal.metadata)

    def _require_type(self) -> Any:
        if self._dataframe_type is None:
            raise ValueError("No dataframe type set. Use open() to set the local dataframe type you want to use.")
        return self._dataframe_type

    def _reading_literal(self, ctx: FlyteContext) -> literals_pb2.StructuredDataset:
        """The literal to read from: the received or written one, else one naming ``uri`` (nothing is copied)."""
        if self._literal_sd is not None:
            return self._literal_sd
        if self._dataframe is not None:
            self._set_literal(ctx, TypeEngine.to_literal_type(StructuredDataset))
            return typing.cast(literals_pb2.StructuredDataset, self._literal_sd)
        if not self.uri:
            raise ValueError(f"{self!r} has neither a dataframe nor a uri to read from")
        sdt = StructuredDatasetType(format=self.file_format or GENERIC_FORMAT)
        return _LiteralSD(uri=self.uri, metadata=StructuredDatasetMetadata(structured_dataset_type=sdt))

    def _set_literal(self, ctx: FlyteContext, expected: types_pb2.LiteralType) -> None:
        """Write (or upload) this dataset now and keep its literal."""
        lv = flyte_dataset_transformer.to_literal(ctx, self, StructuredDataset, expected)
        self._literal_sd = lv.scalar.structured_dataset
        if self._metadata is None:
            self._metadata = self._literal_sd.metadata

    def set_literal(self, ctx: FlyteContext, expected: types_pb2.LiteralType) -> None:
        """Write (or upload) this dataset now and keep its literal."""
        self._set_literal(ctx, expected)


def _is_instance(value: Any, t: Any) -> bool:
    try:
        return isinstance(value, t)
    except TypeError:
        return False


def flatten_dict(sub_dict: dict[str, Any], parent_key: str = "") -> dict[str, Any]:
    """Nested column maps (dicts, dataclasses) as flat ``{"a.b": type}``."""
    result: dict[str, Any] = {}
    for key, value in sub_dict.items():
        current_key = f"{parent_key}.{key}" if parent_key else key
        if isinstance(value, dict):
            result.update(flatten_dict(value, current_key))
        elif is_dataclass(value):
            fields = {k: v.type for k, v in value.__dataclass_fields__.items()}
            result.update(flatten_dict(fields, current_key))
        else:
            result[current_key] = value
    return result


def extract_cols_and_format(t: Any) -> tuple[Any, collections.OrderedDict[str, Any] | None, str | None, Any]:
    """``(type, columns, format, pyarrow schema)`` from ``Annotated[type, kwtypes(...), "format", schema]``."""
    fmt = ""
    ordered_dict_cols: collections.OrderedDict[str, Any] | None = None
    pa_schema = None
    if typing.get_origin(t) is not typing.Annotated:
        return t, None, fmt, None
    base_type, *annotations = typing.get_args(t)
    pa = sys.modules.get("pyarrow")  # a schema can only be given if pyarrow is imported
    for annotation in annotations:
        if hasattr(annotation, "__annotations__") and isinstance(annotation, type):
            ordered_dict_cols = collections.OrderedDict(annotation.__annotations__)
        elif isinstance(annotation, dict):
            ordered_dict_cols = collections.OrderedDict(annotation)
        elif isinstance(annotation, str):
            if fmt != "":
                raise ValueError(f"A format was already specified {fmt}, cannot use {annotation}")
            fmt = annotation
        elif pa is not None and isinstance(annotation, pa.lib.Schema):
            if pa_schema is not None:
                raise ValueError(f"Arrow schema was already found {pa_schema}, cannot use {annotation}")
            pa_schema = annotation
    return base_type, ordered_dict_cols, fmt, pa_schema


class StructuredDatasetEncoder(ABC, Generic[T]):
    """Writes dataframes of one type, to one protocol (or any: ``None``), in one format, and returns the literal.

    Args:
        python_type: the dataframe type written.
        protocol: the storage protocol (``"s3"`` or ``"s3://"``), ``None`` for any protocol fsspec serves.
        supported_format: the format written (``""``: any format).
    """

    def __init__(self, python_type: type[T], protocol: str | None = None, supported_format: str | None = None):
        self._python_type = python_type
        self._protocol = protocol.replace("://", "") if protocol else None
        self._supported_format = supported_format or ""

    @property
    def python_type(self) -> type[T]:
        return self._python_type

    @property
    def protocol(self) -> str | None:
        return self._protocol

    @property
    def supported_format(self) -> str:
        return self._supported_format

    @abstractmethod
    def encode(
        self,
        ctx: FlyteContext,
        structured_dataset: StructuredDataset,
        structured_dataset_type: types_pb2.StructuredDatasetType,
    ) -> literals_pb2.StructuredDataset:
        """Write ``structured_dataset.dataframe`` (to ``structured_dataset.uri`` if set); return the literal."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({type_name(self._python_type)}, {self._protocol}, {self._supported_format!r})"


class StructuredDatasetDecoder(ABC, Generic[DF]):
    """Reads literals of one protocol (or any: ``None``) and format into dataframes of one type.

    Args:
        python_type: the dataframe type returned.
        protocol: the storage protocol, ``None`` for any protocol fsspec serves.
        supported_format: the format read (``""``: any format).
        additional_protocols: accepted for flytekit compatibility; unused.
    """

    def __init__(
        self,
        python_type: type[DF],
        protocol: str | None = None,
        supported_format: str | None = None,
        additional_protocols: list[str] | None = None,
    ):
        self._python_type = python_type
        self._protocol = protocol.replace("://", "") if protocol else None
        self._supported_format = supported_format or ""

    @property
    def python_type(self) -> type[DF]:
        return self._python_type

    @property
    def protocol(self) -> str | None:
        return self._protocol

    @property
    def supported_format(self) -> str:
        return self._supported_format

    @abstractmethod
    def decode(
        self,
        ctx: FlyteContext,
        flyte_value: literals_pb2.StructuredDataset,
        current_task_metadata: literals_pb2.StructuredDatasetMetadata,
    ) -> DF | Iterator[DF]:
        """The dataframe (or an iterator of dataframes) of ``flyte_value``, with the columns of the metadata."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({type_name(self._python_type)}, {self._protocol}, {self._supported_format!r})"


class DuplicateHandlerError(ValueError):
    """A handler is already registered for the same dataframe type, protocol and format."""


_SCHEMA_TO_SIMPLE = {0: types_pb2.INTEGER, 1: types_pb2.FLOAT, 2: types_pb2.STRING, 3: types_pb2.BOOLEAN}
_SCHEMA_TO_SIMPLE.update({4: types_pb2.DATETIME, 5: types_pb2.DURATION})

_BUILTIN_COLUMN_TYPES: dict[Any, int] = {
    int: types_pb2.INTEGER,
    float: types_pb2.FLOAT,
    bool: types_pb2.BOOLEAN,
    str: types_pb2.STRING,
    datetime.datetime: types_pb2.DATETIME,
    datetime.timedelta: types_pb2.DURATION,
}
_NUMPY_COLUMN_TYPES = {
    "int32": types_pb2.INTEGER,
    "int64": types_pb2.INTEGER,
    "uint32": types_pb2.INTEGER,
    "uint64": types_pb2.INTEGER,
    "float32": types_pb2.FLOAT,
    "float64": types_pb2.FLOAT,
    "bool_": types_pb2.BOOLEAN,
    "datetime64": types_pb2.DATETIME,
    "timedelta64": types_pb2.DURATION,
    "bytes_": types_pb2.STRING,
    "str_": types_pb2.STRING,
    "object_": types_pb2.STRING,
}

Handlers = StructuredDatasetEncoder[Any] | StructuredDatasetDecoder[Any]


class StructuredDatasetTransformerEngine(AsyncTypeTransformer[StructuredDataset]):
    """The transformer of ``StructuredDataset`` and of every dataframe type with registered handlers.

    Registrations are class-wide: every instance sees the same handlers.
    """

    ENCODERS: dict[Any, dict[str, dict[str, StructuredDatasetEncoder[Any]]]] = {}
    DECODERS: dict[Any, dict[str, dict[str, StructuredDatasetDecoder[Any]]]] = {}
    DEFAULT_PROTOCOLS: dict[Any, str] = {}
    DEFAULT_FORMATS: dict[Any, str] = {}
    Renderers: dict[Any, Any] = {}
    _admitted: set[Any] = set()
    """Dataframe types whose ``flyte_dataframe_handlers`` registrations are registered."""

    def __init__(self) -> None:
        super().__init__("StructuredDataset Transformer", StructuredDataset)
        self._type_assertions_enabled = False

    # ------------------------------------------------------------------------------------------
    # Handlers
    # ------------------------------------------------------------------------------------------

    @classmethod
    def _finder(cls, handler_map: dict[Any, Any], df_type: Any, protocol: str, format: str, kind: str) -> Any:
        """The handler for ``(df_type, protocol, format)``, resolving ``df_type``'s plugin when none is known."""
        cls.admit_plugin_handlers(df_type)
        found = cls._find(handler_map, df_type, protocol, format)
        if found is None:
            _resolve_plugin_for(df_type)
            found = cls._find(handler_map, df_type, protocol, format)
        if found is None:
            known = sorted(f"({p}, {f!r})" for p, by_format in handler_map.get(df_type, {}).items() for f in by_format)
            raise ValueError(
                f"Failed to find a handler for {df_type}, protocol [{protocol}], fmt ['{format}']: no "
                f"StructuredDataset {kind} reads/writes {type_name(df_type)} as '{format or 'any format'}' over "
                f"'{protocol}' (registered for this type: {', '.join(known) or 'none'}). Register one with "
                "StructuredDatasetTransformerEngine.register(...)"
            )
        return found

    @classmethod
    def _find(cls, handler_map: dict[Any, Any], df_type: Any, protocol: str, format: str) -> Any:
        by_protocol = handler_map.get(df_type)
        if not by_protocol:
            return None
        exact = by_protocol.get(protocol, {}).get(format)
        if exact is not None:
            return exact
        default_format = cls.DEFAULT_FORMATS.get(df_type)
        fsspec_handler = single_handler = protocol_handler = None
        generic = by_protocol.get(_FSSPEC)
        if generic:
            if format in generic:
                fsspec_handler = generic[format]
            elif GENERIC_FORMAT in generic:
                fsspec_handler = generic[GENERIC_FORMAT]
            elif default_format and default_format in generic and format == GENERIC_FORMAT:
                fsspec_handler = generic[default_format]
            elif len(generic) == 1 and format == GENERIC_FORMAT:
                single_handler = next(iter(generic.values()))
        specific = by_protocol.get(protocol)
        if specific:
            if GENERIC_FORMAT in specific:
                protocol_handler = specific[GENERIC_FORMAT]
            elif default_format and default_format in specific:
                protocol_handler = specific[default_format]
            elif len(specific) == 1:
                single_handler = next(iter(specific.values()))
        return protocol_handler or fsspec_handler or single_handler

    @classmethod
    def get_encoder(cls, df_type: Any, protocol: str, format: str) -> StructuredDatasetEncoder[Any]:
        """The encoder writing ``df_type`` to ``protocol`` in ``format`` (``ValueError`` if none)."""
        return typing.cast(
            StructuredDatasetEncoder[Any], cls._finder(cls.ENCODERS, df_type, protocol, format, "encoder")
        )

    @classmethod
    def get_decoder(cls, df_type: Any, protocol: str, format: str) -> StructuredDatasetDecoder[Any]:
        """The decoder reading ``format`` from ``protocol`` as ``df_type`` (``ValueError`` if none)."""
        return typing.cast(
            StructuredDatasetDecoder[Any], cls._finder(cls.DECODERS, df_type, protocol, format, "decoder")
        )

    @classmethod
    def admit_plugin_handlers(cls, df_type: Any = None) -> None:
        """Register the handlers plugins yield for ``df_type`` (every imported dataframe type when None), once.

        A handler registered from code for the same type, protocol and format first stays (flytekit's rule
        for its own lazily registered handlers).
        """
        if df_type is not None and df_type in cls._admitted:
            return
        from flyte_core.plugins.lookup import registrations_for_type
        from flyte_core.plugins.manager import get_plugin_manager, on_plugin_manager_change

        on_plugin_manager_change(cls._admitted.clear)
        registrations = get_plugin_manager().dataframe_handlers().values()
        if df_type is None:
            chosen = [r for r in registrations if r.is_loadable_now()]
        else:
            matches = registrations_for_type(registrations, df_type, _python_type)
            chosen = [r for distance, r in matches if distance == 0]
        for registration in chosen:
            handler = registration.load_handler()
            _check_registered_handler(registration, handler)
            with contextlib.suppress(DuplicateHandlerError):
                cls.register(handler, default_format_for_type=registration.default_format)
        if df_type is not None:
            with contextlib.suppress(TypeError):  # an unhashable annotation is looked up each time
                cls._admitted.add(df_type)

    @classmethod
    def _handler_finder(cls, h: Handlers, protocol: str) -> dict[str, Any]:
        if isinstance(h, StructuredDatasetEncoder):
            top_level: dict[Any, Any] = cls.ENCODERS
        elif isinstance(h, StructuredDatasetDecoder):
            top_level = cls.DECODERS
        else:
            raise TypeError(f"We don't support this type of handler {h}")
        return typing.cast(dict[str, Any], top_level.setdefault(h.python_type, {}).setdefault(protocol, {}))

    @classmethod
    def register_renderer(cls, python_type: Any, renderer: Any) -> None:
        """Render values of ``python_type`` in decks with ``renderer.to_html(value)``."""
        cls.Renderers[python_type] = renderer

    @classmethod
    def register(
        cls,
        h: Handlers,
        default_for_type: bool = False,
        override: bool = False,
        default_format_for_type: bool = False,
        default_storage_for_type: bool = False,
    ) -> None:
        """Register an encoder or decoder (and make its dataframe type known to the type engine).

        Args:
            h: the ``StructuredDatasetEncoder`` or ``StructuredDatasetDecoder``.
            default_for_type: its protocol and format become the defaults for plain dataframes of its type
                (not allowed for a handler of every protocol, ``protocol=None``).
            override: replace a handler registered for the same type, protocol and format, and defaults.
            default_format_for_type: only its format becomes the default.
            default_storage_for_type: only its protocol becomes the default.

        Raises:
            DuplicateHandlerError: a handler is registered for the same key and ``override`` is false.
        """
        if not isinstance(h, (StructuredDatasetEncoder, StructuredDatasetDecoder)):
            raise TypeError(f"We don't support this type of handler {h}")
        if h.protocol is None:
            if default_for_type:
                raise ValueError(f"Registering SD handler {h} with all protocols should never have default specified.")
            try:
                cls.register_for_protocol(
                    h, _FSSPEC, False, override, default_format_for_type, default_storage_for_type
                )
            except DuplicateHandlerError:
                logger.debug(f"Skipping generic fsspec protocol for handler {h} because duplicate")
        elif h.protocol == "":
            raise ValueError(f"Use None instead of empty string for registering handler {h}")
        else:
            cls.register_for_protocol(
                h, h.protocol, default_for_type, override, default_format_for_type, default_storage_for_type
            )

    @classmethod
    def register_for_protocol(
        cls,
        h: Handlers,
        protocol: str,
        default_for_type: bool,
        override: bool,
        default_format_for_type: bool,
        default_storage_for_type: bool,
    ) -> None:
        """Register ``h`` for one protocol (see ``register``)."""
        if protocol == "/":
            protocol = "file"
        lowest_level = cls._handler_finder(h, protocol)
        if h.supported_format in lowest_level and not override:
            raise DuplicateHandlerError(
                f"Already registered a handler for {(h.python_type, protocol, h.supported_format)}"
            )
        lowest_level[h.supported_format] = h
        # The first registered default wins unless overridden (flytekit's rule).
        wants_format = (default_format_for_type or default_for_type) and h.supported_format != GENERIC_FORMAT
        if wants_format and (h.python_type not in cls.DEFAULT_FORMATS or override):
            cls.DEFAULT_FORMATS[h.python_type] = h.supported_format
        wants_storage = default_storage_for_type or default_for_type
        if wants_storage and (h.python_type not in cls.DEFAULT_PROTOCOLS or override):
            cls.DEFAULT_PROTOCOLS[h.python_type] = protocol
        TypeEngine.register_additional_type(flyte_dataset_transformer, h.python_type, override=True)

    # ------------------------------------------------------------------------------------------
    # Types
    # ------------------------------------------------------------------------------------------

    def assert_type(self, t: Any, v: Any) -> None:
        return None

    def get_literal_type(self, t: Any) -> types_pb2.LiteralType:
        """``structured_dataset_type{columns, format}`` from the annotation (the dataframe type is not in it)."""
        return types_pb2.LiteralType(structured_dataset_type=self._get_dataset_type(t))

    def _get_dataset_type(self, t: Any) -> types_pb2.StructuredDatasetType:
        _, column_map, storage_format, pa_schema = extract_cols_and_format(t)
        sdt = StructuredDatasetType(
            columns=self._convert_ordered_dict_of_columns_to_list(column_map), format=storage_format or ""
        )
        if pa_schema is not None:
            sdt.external_schema_type = "arrow"
            sdt.external_schema_bytes = pa_schema.to_string().encode()
        return sdt

    def _convert_ordered_dict_of_columns_to_list(
        self, column_map: dict[str, Any] | None
    ) -> list[types_pb2.StructuredDatasetType.DatasetColumn]:
        if not column_map:
            return []
        return [
            StructuredDatasetType.DatasetColumn(name=name, literal_type=self._get_dataset_column_literal_type(t))
            for name, t in flatten_dict(column_map).items()
        ]

    def _get_dataset_column_literal_type(self, t: Any) -> types_pb2.LiteralType:
        simple = _BUILTIN_COLUMN_TYPES.get(t)
        if simple is None and getattr(t, "__module__", None) == "numpy":
            simple = _NUMPY_COLUMN_TYPES.get(getattr(t, "__name__", ""))
        if simple is not None:
            return types_pb2.LiteralType(simple=simple)  # type: ignore[arg-type]
        origin, args = typing.get_origin(t), typing.get_args(t)
        if origin is list and args:
            return types_pb2.LiteralType(collection_type=self._get_dataset_column_literal_type(args[0]))
        if origin is dict and len(args) == 2:
            return types_pb2.LiteralType(map_value_type=self._get_dataset_column_literal_type(args[1]))
        raise AssertionError(f"type {t} is currently not supported by StructuredDataset")

    def guess_python_type(self, literal_type: types_pb2.LiteralType) -> type[StructuredDataset]:
        if literal_type.HasField("structured_dataset_type"):
            return StructuredDataset
        raise ValueError(f"StructuredDatasetTransformerEngine cannot reverse {literal_type}")

    # ------------------------------------------------------------------------------------------
    # Python -> literal
    # ------------------------------------------------------------------------------------------

    def to_literal(
        self, ctx: FlyteContext | None, python_val: Any, python_type: Any, expected: types_pb2.LiteralType | None
    ) -> literals_pb2.Literal:
        ctx = ctx if ctx is not None else FlyteContextManager.current_context()
        python_type, *_ = extract_cols_and_format(python_type)
        self.admit_plugin_handlers(python_type)
        sdt = StructuredDatasetType(format=self.DEFAULT_FORMATS.get(python_type, GENERIC_FORMAT))
        is_sd_type = isinstance(python_type, type) and issubclass(python_type, StructuredDataset)
        if is_sd_type and not isinstance(python_val, StructuredDataset):
            raise TypeTransformerFailedError(
                f"Expected a StructuredDataset instance, but got {type(python_val)} instead."
                " Did you forget to wrap your dataframe in a StructuredDataset instance?"
            )
        if expected is not None and expected.HasField("structured_dataset_type"):
            sdt = StructuredDatasetType()
            sdt.CopyFrom(expected.structured_dataset_type)

        if isinstance(python_val, StructuredDataset):
            # 1. A dataset received (or already written) is passed on as is.
            if python_val._literal_sd is not None:
                if not python_val._already_uploaded and python_val.dataframe is not None:
                    raise ValueError(
                        f"Shouldn't have specified both literal {python_val._literal_sd} and dataframe "
                        f"{python_val.dataframe}"
                    )
                return literals_pb2.Literal(scalar=literals_pb2.Scalar(structured_dataset=python_val._literal_sd))
            # 2. A dataset named by its URI: a local one is uploaded under the raw output prefix.
            if python_val.dataframe is None:
                uri = python_val.uri
                if not uri:
                    raise ValueError(f"If dataframe is not specified, then the uri should be specified. {python_val}")
                if not is_remote(uri):
                    uri = ctx.file_access.put_raw_data(uri)
                if sdt.format == GENERIC_FORMAT and python_val.file_format:
                    sdt.format = python_val.file_format
                literal_sd = _LiteralSD(uri=uri, metadata=StructuredDatasetMetadata(structured_dataset_type=sdt))
                return literals_pb2.Literal(scalar=literals_pb2.Scalar(structured_dataset=literal_sd))
            # 3. A dataframe to write with the encoder of its type.
            df_type = type(python_val.dataframe)
            self.admit_plugin_handlers(df_type)
            protocol = self._protocol_from_type_or_prefix(ctx, df_type, python_val.uri)
            return self.encode(ctx, python_val, df_type, protocol, sdt.format, sdt)

        # A plain dataframe: wrapped with the defaults of its type.
        fmt = self.DEFAULT_FORMATS.get(python_type, GENERIC_FORMAT)
        protocol = self._protocol_from_type_or_prefix(ctx, python_type)
        meta = StructuredDatasetMetadata()
        if expected is not None and expected.HasField("structured_dataset_type"):
            meta.structured_dataset_type.CopyFrom(expected.structured_dataset_type)
        sd = StructuredDataset(dataframe=python_val, metadata=meta)
        return self.encode(ctx, sd, python_type, protocol, fmt, sdt)

    def _protocol_from_type_or_prefix(self, ctx: FlyteContext, df_type: Any, uri: str | None = None) -> str:
        """The type's default protocol, else the protocol of ``uri``, else the raw output prefix's."""
        if df_type in self.DEFAULT_PROTOCOLS:
            return self.DEFAULT_PROTOCOLS[df_type]
        return protocol_of(uri or ctx.file_access.raw_output_prefix)

    def encode(
        self,
        ctx: FlyteContext,
        sd: StructuredDataset,
        df_type: Any,
        protocol: str,
        format: str,
        structured_literal_type: types_pb2.StructuredDatasetType,
    ) -> literals_pb2.Literal:
        """Write ``sd.dataframe`` with the handler for ``(df_type, protocol, format)``; return the literal."""
        handler = self.get_encoder(df_type, protocol, format)
        sd_model = handler.encode(ctx, sd, structured_literal_type)
        if not sd_model.HasField("metadata") or not sd_model.metadata.HasField("structured_dataset_type"):
            sd_model.metadata.structured_dataset_type.CopyFrom(structured_literal_type)
        # The handler's format, which differs from the one asked for only when the "" handler was used.
        sd_model.metadata.structured_dataset_type.format = handler.supported_format
        sd._literal_sd = sd_model
        sd._already_uploaded = True
        return literals_pb2.Literal(scalar=literals_pb2.Scalar(structured_dataset=sd_model))

    # ------------------------------------------------------------------------------------------
    # literal -> Python
    # ------------------------------------------------------------------------------------------

    def to_python_value(self, ctx: FlyteContext | None, lv: literals_pb2.Literal, expected_python_type: Any) -> Any:
        """A ``StructuredDataset`` (read on ``open(...).all()``) or, for a dataframe type, the dataframe now.

        Columns declared by the reading task win over the literal's: decoders read only those.
        """
        ctx = ctx if ctx is not None else FlyteContextManager.current_context()
        if lv.HasField("scalar"):
            if lv.scalar.HasField("binary"):
                return self.from_binary_idl(lv.scalar.binary, expected_python_type)
            if lv.scalar.HasField("generic"):
                return self.from_generic_idl(lv.scalar.generic, expected_python_type)
        python_type, column_dict, _, _ = extract_cols_and_format(expected_python_type)
        wants_sd = isinstance(python_type, type) and issubclass(python_type, StructuredDataset)

        if lv.HasField("scalar") and lv.scalar.HasField("schema"):
            # A literal of the deprecated FlyteSchema: parquet files, columns in the schema type.
            schema = lv.scalar.schema
            if column_dict:
                columns = self._convert_ordered_dict_of_columns_to_list(column_dict)
            else:
                columns = [
                    StructuredDatasetType.DatasetColumn(
                        name=c.name, literal_type=types_pb2.LiteralType(simple=_SCHEMA_TO_SIMPLE[c.type])
                    )
                    for c in schema.type.columns
                ]
            metadata = StructuredDatasetMetadata(
                structured_dataset_type=StructuredDatasetType(columns=columns, format=PARQUET)
            )
            literal_sd = _LiteralSD(uri=schema.uri, metadata=metadata)
            if wants_sd:
                sd = StructuredDataset(dataframe=None, metadata=metadata)
                sd._literal_sd = literal_sd
                return sd
            return self.open_as(ctx, literal_sd, python_type, metadata)

        if not (lv.HasField("scalar") and lv.scalar.HasField("structured_dataset")):
            found = lv.scalar.WhichOneof("value") if lv.HasField("scalar") else lv.WhichOneof("value")
            raise TypeTransformerFailedError(
                f"cannot convert a {found or 'empty'} literal to {type_name(python_type)}: "
                "expected a structured dataset"
            )
        incoming = lv.scalar.structured_dataset
        incoming_type = incoming.metadata.structured_dataset_type
        new_sdt = StructuredDatasetType()
        new_sdt.CopyFrom(incoming_type)
        if column_dict:
            del new_sdt.columns[:]
            new_sdt.columns.extend(self._convert_ordered_dict_of_columns_to_list(column_dict))
        metadata = StructuredDatasetMetadata(structured_dataset_type=new_sdt)
        if wants_sd:
            sd = python_type(dataframe=None, metadata=metadata)
            sd._literal_sd = incoming
            sd.uri = incoming.uri  # flytekit leaves uri None here; where the data is is useful to know
            sd.file_format = new_sdt.format
            return sd
        return self.open_as(ctx, incoming, python_type, metadata)

    def open_as(
        self,
        ctx: FlyteContext,
        sd: literals_pb2.StructuredDataset,
        df_type: type[DF],
        updated_metadata: literals_pb2.StructuredDatasetMetadata,
    ) -> DF:
        """The whole dataset ``sd`` as a ``df_type``, read with the columns of ``updated_metadata``."""
        decoder = self.get_decoder(df_type, protocol_of(sd.uri), sd.metadata.structured_dataset_type.format)
        result = decoder.decode(ctx, sd, updated_metadata)
        if isinstance(result, types.GeneratorType):
            raise ValueError(f"Decoder {decoder} returned iterator {result} but whole value requested from {sd}")
        return typing.cast(DF, result)

    def iter_as(
        self,
        ctx: FlyteContext,
        sd: literals_pb2.StructuredDataset,
        df_type: type[DF],
        updated_metadata: literals_pb2.StructuredDatasetMetadata,
    ) -> Iterator[DF]:
        """The dataset ``sd`` as ``df_type`` chunks: the decoder's iterator, or its whole value as one chunk."""
        decoder = self.get_decoder(df_type, protocol_of(sd.uri), sd.metadata.structured_dataset_type.format)
        result = decoder.decode(ctx, sd, updated_metadata)
        if isinstance(result, (types.GeneratorType, Iterator)) and not _is_instance(result, df_type):
            return typing.cast(Iterator[DF], result)
        return iter((typing.cast(DF, result),))

    def dict_to_structured_dataset(self, dict_obj: dict[str, Any], expected_python_type: Any) -> Any:
        """The value of a dataclass field's ``{"uri": ..., "file_format": ...}`` dict."""
        uri = dict_obj.get("uri")
        if uri is None:
            raise ValueError(f"StructuredDataset's uri and file format should not be None (got {dict_obj!r})")
        sdt = StructuredDatasetType(format=dict_obj.get("file_format") or "")
        literal_sd = _LiteralSD(uri=uri, metadata=StructuredDatasetMetadata(structured_dataset_type=sdt))
        literal = literals_pb2.Literal(scalar=literals_pb2.Scalar(structured_dataset=literal_sd))
        return self.to_python_value(FlyteContextManager.current_context(), literal, expected_python_type)

    def from_binary_idl(self, binary_idl_object: literals_pb2.Binary, expected_python_type: Any) -> Any:
        """The value of a msgpack ``Binary`` (a dataclass attribute passed on its own)."""
        if binary_idl_object.tag != MESSAGEPACK:
            raise TypeTransformerFailedError(f"Unsupported binary format: `{binary_idl_object.tag}`")
        import msgpack

        return self.dict_to_structured_dataset(msgpack.unpackb(binary_idl_object.value), expected_python_type)

    def from_generic_idl(self, generic: Any, expected_python_type: Any) -> Any:
        """The value of a ``Struct`` (the console's JSON input)."""
        from google.protobuf import json_format

        return self.dict_to_structured_dataset(json_format.MessageToDict(generic), expected_python_type)

    def to_html(self, ctx: FlyteContext, python_val: Any, expected_python_type: Any) -> str:
        if isinstance(python_val, StructuredDataset):
            if python_val.dataframe is None:
                columns = typing.cast(StructuredDataset, python_val).columns()
                return "".join(f"<p>{name}: {type_name(t)}</p>" for name, t in columns.items())
            python_val = python_val.dataframe
        renderer = self.Renderers.get(type(python_val))
        if renderer is not None:
            return str(renderer.to_html(python_val))
        if hasattr(python_val, "to_html"):
            return str(python_val.to_html())
        return str(python_val)


def _python_type(registration: FlyteDataFrameHandler) -> type | str:
    return registration.python_type


def _check_registered_handler(registration: FlyteDataFrameHandler, handler: Any) -> None:
    """A plugin's handler is what its registration says it is (role, format, protocol)."""
    role = "encoder" if isinstance(handler, StructuredDatasetEncoder) else "decoder"
    if not isinstance(handler, (StructuredDatasetEncoder, StructuredDatasetDecoder)):
        found = f"{handler!r}, which is neither a StructuredDatasetEncoder nor a StructuredDatasetDecoder"
    elif (role, handler.supported_format, handler.protocol) != (
        registration.role,
        registration.format,
        registration.protocol,
    ):
        found = f"a {role} of format {handler.supported_format!r} for protocol {handler.protocol!r}"
    else:
        return
    raise TypeError(
        f"the dataframe handler registered as '{registration.key}' by {registration.source or 'a plugin'} is "
        f"{found}; make the registration's role, format and protocol match its handler"
    )


def _resolve_plugin_for(df_type: Any) -> None:
    """Before a handler lookup is retried: resolve the type transformer a plugin registered for ``df_type``.

    A plugin written against the older protocol registers its handlers from that transformer's factory.
    """
    TypeEngine.lazy_import_transformers()
    with contextlib.suppress(TypeError):  # not a type the registry can hold
        TypeEngine._registered(df_type)


flyte_dataset_transformer = StructuredDatasetTransformerEngine()
"""The engine instance registered with the type engine."""

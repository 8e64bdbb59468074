"""Command-line inputs of tasks and workflows: one click option per input, typed by its literal type.

Values arrive as text and leave as the Python values the entity expects: ``--x 1`` for an int,
``--flag/--no-flag`` for a bool, ISO dates, ``now``/``today``, durations such as ``1h30m``, JSON (or a
JSON/YAML file path) for lists, dicts, dataclasses and pydantic models, paths or URIs for files,
directories and datasets, ``module:attr`` for pickled objects. A plugin can give its own Python type a
click parameter type with ``FlyteTypeTransformer(cli_param_type=...)``.
"""

from __future__ import annotations

import datetime
import enum
import importlib
import json
import os
import re
import sys
import typing
from typing import Any

import click
from flyteidl.core import types_pb2

from flyte_core.types.type_engine import TypeEngine, get_underlying_type


class DateTimeType(click.DateTime):
    """ISO 8601 (with or without a timezone), ``now``, ``today``, or ``<one of those> +/- <duration>``."""

    name = "datetime"
    _FLOATING = re.compile(r"(.+)\s+([-+])\s+(.+)")

    def __init__(self) -> None:
        super().__init__()
        self.formats.extend(["now", "today", "<FORMAT> - <duration>"])

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:  # type: ignore[override]
        return "[ISO 8601|now|today|<datetime> +/- <duration>]"

    def _single(self, value: str, param: click.Parameter | None, ctx: click.Context | None) -> datetime.datetime:
        if value == "now":
            return datetime.datetime.now()
        if value == "today":
            now = datetime.datetime.now()
            return datetime.datetime(now.year, now.month, now.day)
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            return typing.cast(datetime.datetime, super().convert(value, param, ctx))

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime.datetime):
            return value
        text = str(value).strip()
        match = self._FLOATING.fullmatch(text) if " " in text else None
        if match:
            base, sign, duration = match.groups()
            delta = datetime.timedelta(seconds=_parse_duration(duration, param, ctx))
            start = self._single(base, param, ctx)
            return start - delta if sign == "-" else start + delta
        return self._single(text, param, ctx)


def _parse_duration(text: str, param: click.Parameter | None, ctx: click.Context | None) -> float:
    from pytimeparse import parse

    seconds = parse(text.strip())
    if seconds is None:
        try:
            seconds = float(text)
        except ValueError:
            raise click.BadParameter(
                f"'{text}' is not a duration (examples: 90, 1:30, 1h30m, '2 days', 45s)", ctx=ctx, param=param
            ) from None
    return float(seconds)


class DurationParamType(click.ParamType):
    """Seconds or a human duration: ``90``, ``1:24``, ``1h30m``, ``10 days``."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime.timedelta):
            return value
        return datetime.timedelta(seconds=_parse_duration(str(value), param, ctx))


class EnumParamType(click.Choice):
    """One of the enum's values."""

    def __init__(self, enum_type: type[enum.Enum]) -> None:
        super().__init__([str(e.value) for e in enum_type])
        self._enum_type = enum_type

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, self._enum_type):
            return value
        return self._enum_type(super().convert(value, param, ctx))


class JsonParamType(click.ParamType):
    """JSON text, or the path of a JSON or YAML file, converted to the input's Python type."""

    def __init__(self, python_type: Any, name: str) -> None:
        self._python_type = python_type
        self.name = name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        data = value if isinstance(value, dict | list) else self._parse(value, param, ctx)
        return _from_plain(data, self._python_type, param, ctx)

    def _parse(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return _to_plain(value)
        try:
            return json.loads(value)
        except json.JSONDecodeError as json_error:
            if os.path.isfile(value):
                with open(value, encoding="utf-8") as f:
                    text = f.read()
                if value.endswith((".yaml", ".yml")):
                    import yaml

                    return yaml.safe_load(text)
                try:
                    return json.loads(text)
                except json.JSONDecodeError as exc:
                    raise click.BadParameter(f"'{value}' is not valid JSON: {exc}", ctx=ctx, param=param) from exc
            raise click.BadParameter(
                f"'{value}' is neither JSON ({json_error.msg} at character {json_error.pos}) nor an existing "
                "JSON/YAML file",
                ctx=ctx,
                param=param,
            ) from None


def _to_plain(value: Any) -> Any:
    """A default value (dataclass, model...) as JSON-like data, to show and to reparse uniformly."""
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_plain(v) for k, v in value.items()}
    return value


def _from_plain(data: Any, python_type: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
    """JSON-like data as ``python_type``: through the type engine's msgpack path (dataclasses, models...)."""
    import msgpack
    from flyteidl.core import literals_pb2

    base = get_underlying_type(python_type)
    origin = typing.get_origin(base)
    if base in (dict, list) or (origin in (dict, list) and not _contains_structured(base)):
        if origin is list and not isinstance(data, list):
            raise click.BadParameter(f"expected a JSON list, got {type(data).__name__}", ctx=ctx, param=param)
        if (origin is dict or base is dict) and not isinstance(data, dict):
            raise click.BadParameter(f"expected a JSON object, got {type(data).__name__}", ctx=ctx, param=param)
        if origin is list and typing.get_args(base):
            element = typing.get_args(base)[0]
            return [_from_plain(v, element, param, ctx) if _is_structured(element) else v for v in data]
        if origin is dict and typing.get_args(base):
            value_type = typing.get_args(base)[1]
            return {
                k: _from_plain(v, value_type, param, ctx) if _is_structured(value_type) else v for k, v in data.items()
            }
        return data
    if origin is list:
        element = typing.get_args(base)[0]
        return [_from_plain(v, element, param, ctx) for v in data]
    if origin is dict:
        value_type = typing.get_args(base)[1]
        return {k: _from_plain(v, value_type, param, ctx) for k, v in data.items()}
    if not _is_structured(base):
        return data
    literal = literals_pb2.Literal(
        scalar=literals_pb2.Scalar(binary=literals_pb2.Binary(value=msgpack.packb(data), tag="msgpack"))
    )
    try:
        return TypeEngine.to_python_value(None, literal, base)
    except Exception as exc:
        raise click.BadParameter(
            f"cannot make a {getattr(base, '__name__', base)} from {json.dumps(data)[:200]}: {exc}",
            ctx=ctx,
            param=param,
        ) from exc


def _is_structured(t: Any) -> bool:
    import dataclasses

    t = get_underlying_type(t)
    return (isinstance(t, type) and dataclasses.is_dataclass(t)) or hasattr(t, "model_validate")


def _contains_structured(t: Any) -> bool:
    return _is_structured(t) or any(_contains_structured(a) for a in typing.get_args(t))


class FileParamType(click.ParamType):
    """A local file (it must exist) or a remote URI."""

    name = "file path"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from flyte_core.data.file_access import FileAccessProvider
        from flyte_core.types.file import FlyteFile

        if isinstance(value, FlyteFile):
            return value
        if not FileAccessProvider.is_remote(value) and not os.path.isfile(value):
            raise click.BadParameter(
                f"'{value}' is not an existing file (give a local file path or a URI)", ctx=ctx, param=param
            )
        return FlyteFile(path=value, remote_path=False if not _is_remote_run(ctx) else None)


class DirParamType(click.ParamType):
    """A local directory (it must exist) or a remote URI."""

    name = "directory path"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from flyte_core.data.file_access import FileAccessProvider
        from flyte_core.types.directory import FlyteDirectory

        if isinstance(value, FlyteDirectory):
            return value
        if not FileAccessProvider.is_remote(value) and not os.path.isdir(value):
            raise click.BadParameter(
                f"'{value}' is not an existing directory (give a local directory or a URI)", ctx=ctx, param=param
            )
        return FlyteDirectory(path=value, remote_directory=False if not _is_remote_run(ctx) else None)


class StructuredDatasetParamType(click.ParamType):
    """A dataset's location: a local parquet file or directory, or a URI."""

    name = "structured dataset path (dir/file)"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from flyte_core.types.structured import StructuredDataset

        if isinstance(value, StructuredDataset):
            return value
        if isinstance(value, str):
            return StructuredDataset(uri=value)
        return StructuredDataset(dataframe=value)


class PickleParamType(click.ParamType):
    """A Python object given as ``module:attribute`` (imported from the current directory)."""

    name = "module:attr"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str) or value.count(":") != 1:
            return value
        module_name, attr = value.split(":")
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())
        try:
            return getattr(importlib.import_module(module_name), attr)
        except ModuleNotFoundError as exc:
            raise click.BadParameter(f"cannot import module '{module_name}': {exc}", ctx=ctx, param=param) from exc
        except AttributeError as exc:
            raise click.BadParameter(f"module '{module_name}' has no attribute '{attr}'", ctx=ctx, param=param) from exc


class JSONIteratorParamType(click.ParamType):
    """A JSON Lines file of JSON objects."""

    name = "json iterator (jsonl file)"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and os.path.isfile(value):
            with open(value, encoding="utf-8") as f:
                return iter([json.loads(line) for line in f if line.strip()])
        return value


class UnionParamType(click.ParamType):
    """Each variant's type tried in turn (strings last, so ``1`` is an int in ``int | str``)."""

    def __init__(self, types: list[click.ParamType]) -> None:
        others = [t for t in types if t is not click.STRING and t is not click.UNPROCESSED]
        self._types = others + [t for t in types if t is click.STRING] + [t for t in types if t is click.UNPROCESSED]
        self.name = "|".join(t.name for t in self._types)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        errors = []
        for variant in self._types:
            try:
                return variant.convert(value, param, ctx)
            except Exception as exc:
                errors.append(f"{variant.name}: {exc}")
        raise click.BadParameter(f"'{value}' fits none of: {'; '.join(errors)}", ctx=ctx, param=param)


class NoneParamType(click.ParamType):
    """The value None (for ``Optional`` inputs given as ``none``/``null``)."""

    name = "none"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value is None or str(value).lower() in ("none", "null", ""):
            return None
        self.fail(f"'{value}' is not none/null", param, ctx)


def _is_remote_run(ctx: click.Context | None) -> bool:
    while ctx is not None:
        if isinstance(ctx.obj, dict) and "remote" in ctx.obj:
            return bool(ctx.obj["remote"])
        params = getattr(ctx, "params", {}) or {}
        if "remote" in params:
            return bool(params["remote"])
        ctx = ctx.parent
    return False


_SIMPLE: dict[int, click.ParamType] = {
    types_pb2.INTEGER: click.INT,
    types_pb2.FLOAT: click.FLOAT,
    types_pb2.STRING: click.STRING,
    types_pb2.BOOLEAN: click.BOOL,
}


def click_type_for(literal_type: types_pb2.LiteralType, python_type: Any) -> click.ParamType:
    """The click parameter type that reads an input of ``python_type`` from text."""
    plugin_type = _plugin_param_type(python_type)
    if plugin_type is not None:
        return plugin_type
    kind = literal_type.WhichOneof("type")
    base = get_underlying_type(python_type)
    if kind == "simple":
        simple = literal_type.simple
        if simple == types_pb2.STRUCT:
            return JsonParamType(base, f"JSON object {getattr(base, '__name__', 'dict')}")
        if simple == types_pb2.DATETIME:
            return DateTimeType()
        if simple == types_pb2.DURATION:
            return DurationParamType()
        if simple == types_pb2.NONE:
            return NoneParamType()
        if simple in _SIMPLE:
            return _SIMPLE[simple]
        return click.UNPROCESSED
    if kind == "enum_type":
        return EnumParamType(base)
    if kind == "structured_dataset_type":
        return StructuredDatasetParamType()
    if kind == "collection_type":
        return JsonParamType(base, "json list")
    if kind == "map_value_type":
        return JsonParamType(base, "json dictionary")
    if kind == "blob":
        blob = literal_type.blob
        if blob.dimensionality == types_pb2.BlobType.SINGLE:
            if blob.format == "PythonPickle":
                return PickleParamType()
            if blob.format == "jsonl":
                return JSONIteratorParamType()
            return FileParamType()
        return DirParamType()
    if kind == "union_type":
        variants = typing.get_args(base)
        return UnionParamType([click_type_for(v, variants[i]) for i, v in enumerate(literal_type.union_type.variants)])
    return click.UNPROCESSED


def _plugin_param_type(python_type: Any) -> click.ParamType | None:
    """The click type a plugin registered for this Python type (``FlyteTypeTransformer.cli_param_type``)."""
    base = get_underlying_type(python_type)
    if not isinstance(base, type):
        return None
    from flyte_core.plugins.lookup import registration_for_type
    from flyte_core.plugins.manager import get_plugin_manager

    with_param_types = [r for r in get_plugin_manager().type_transformers().values() if r.cli_param_type is not None]
    registration = registration_for_type(with_param_types, base, lambda r: r.python_type)
    return None if registration is None else registration.load_cli_param_type(base)

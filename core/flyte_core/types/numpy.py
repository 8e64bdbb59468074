"""``numpy.ndarray`` <-> a ``NumpyArray`` blob: the array saved with ``np.save`` (a ``.npy`` file).

``Annotated[np.ndarray, kwtypes(allow_pickle=True)]`` allows object arrays (pickled inside the file),
and ``kwtypes(mmap_mode="r")`` memory-maps the file when reading, as in flytekit.
"""

from __future__ import annotations

import pathlib
import typing
from collections import OrderedDict
from typing import Any

import numpy as np
from flyteidl.core import literals_pb2, types_pb2

from flyte_core.types.type_engine import TypeTransformer, TypeTransformerFailedError, value_repr

if typing.TYPE_CHECKING:
    from flyte_core.context import FlyteContext

Literal = literals_pb2.Literal
LiteralType = types_pb2.LiteralType
NUMPY_ARRAY_FORMAT = "NumpyArray"
_SINGLE = types_pb2.BlobType.BlobDimensionality.SINGLE


def extract_metadata(t: Any) -> tuple[Any, dict[str, Any]]:
    """The array type and its ``kwtypes(...)`` options from ``Annotated[np.ndarray, kwtypes(...)]``."""
    if typing.get_origin(t) is not typing.Annotated:
        return t, {}
    base, *extras = typing.get_args(t)
    metadata: dict[str, Any] | None = None
    for extra in extras:
        if isinstance(extra, OrderedDict):
            if metadata is not None:
                raise TypeTransformerFailedError(f"Metadata {metadata} is already specified, cannot use {extra}.")
            metadata = extra
        elif type(extra).__name__ != "HashMethod":
            raise TypeTransformerFailedError(f"The metadata for {t} must be of type kwtypes or HashMethod.")
    return base, dict(metadata or {})


def _blob_type() -> types_pb2.BlobType:
    return types_pb2.BlobType(format=NUMPY_ARRAY_FORMAT, dimensionality=_SINGLE)


class NumpyArrayTransformer(TypeTransformer[np.ndarray]):
    """``np.ndarray`` <-> a ``.npy`` file under the raw output prefix."""

    NUMPY_ARRAY_FORMAT = NUMPY_ARRAY_FORMAT

    def __init__(self) -> None:
        super().__init__(name="Numpy Array", t=np.ndarray)

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(blob=_blob_type())

    def to_literal(self, ctx: FlyteContext, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        ctx = _current(ctx)
        _, metadata = extract_metadata(python_type)
        if not isinstance(python_val, np.ndarray):
            raise TypeTransformerFailedError(f"expected a numpy.ndarray, got {value_repr(python_val)}")
        local_path = ctx.file_access.get_random_local_path() + ".npy"
        pathlib.Path(local_path).parent.mkdir(parents=True, exist_ok=True)
        try:
            np.save(file=local_path, arr=python_val, allow_pickle=metadata.get("allow_pickle", False))
        except ValueError as exc:
            raise TypeTransformerFailedError(
                f"cannot save a numpy array of dtype {python_val.dtype}: {exc}. Object arrays need "
                "Annotated[np.ndarray, kwtypes(allow_pickle=True)]"
            ) from exc
        lit = Literal()
        lit.scalar.blob.metadata.type.CopyFrom(_blob_type())
        lit.scalar.blob.uri = ctx.file_access.put_raw_data(local_path)
        return lit

    def to_python_value(self, ctx: FlyteContext, lv: Literal, expected_python_type: Any) -> np.ndarray:
        ctx = _current(ctx)
        if not (lv.HasField("scalar") and lv.scalar.HasField("blob")):
            raise TypeTransformerFailedError(f"Cannot convert from {lv.WhichOneof('value')} to {expected_python_type}")
        _, metadata = extract_metadata(expected_python_type)
        local_path = ctx.file_access.get_random_local_path()
        ctx.file_access.get_data(lv.scalar.blob.uri, local_path, is_multipart=False)
        return typing.cast(
            np.ndarray,
            np.load(
                file=local_path, allow_pickle=metadata.get("allow_pickle", False), mmap_mode=metadata.get("mmap_mode")
            ),
        )

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if (
            literal_type.WhichOneof("type") == "blob"
            and literal_type.blob.dimensionality == _SINGLE
            and literal_type.blob.format == NUMPY_ARRAY_FORMAT
        ):
            return np.ndarray
        raise ValueError(f"Transformer {self} cannot reverse {literal_type}")


def _current(ctx: FlyteContext | None) -> FlyteContext:
    """``ctx``, or the current context when the engine was called without one."""
    if ctx is not None:
        return ctx
    from flyte_core.context import FlyteContextManager

    return FlyteContextManager.current_context()

"""``numpy.ndarray`` as a ``.npy`` blob."""

from __future__ import annotations

import subprocess
import sys
import typing

import pytest

np = pytest.importorskip("numpy")

from flyte_core import kwtypes, task, workflow  # noqa: E402
from flyte_core.types.type_engine import TypeEngine, TypeTransformerFailedError  # noqa: E402


def test_array_round_trips_through_an_npy_file(round_trip) -> None:
    value = np.arange(6, dtype=np.int32).reshape(2, 3)
    lt, literal, back = round_trip(value, np.ndarray)
    assert lt.blob.format == "NumpyArray"
    assert literal.scalar.blob.uri.endswith(".npy")
    with open(literal.scalar.blob.uri, "rb") as f:
        assert f.read(6) == b"\x93NUMPY"
    assert back.dtype == np.int32
    assert np.array_equal(back, value)


def test_object_arrays_need_allow_pickle(round_trip, ctx) -> None:
    value = np.array([{"a": 1}, None], dtype=object)
    with pytest.raises(TypeTransformerFailedError, match="allow_pickle=True"):
        TypeEngine.to_literal(ctx, value, np.ndarray, TypeEngine.to_literal_type(np.ndarray))
    _, _, back = round_trip(value, typing.Annotated[np.ndarray, kwtypes(allow_pickle=True)])
    assert back[0] == {"a": 1}


def test_transformer_reverses_its_literal_type_to_ndarray() -> None:
    # (the engine itself guesses FlyteFile[NumpyArray], the file transformer coming first, as in flytekit)
    from flyte_core.types.numpy import NumpyArrayTransformer

    assert NumpyArrayTransformer().guess_python_type(TypeEngine.to_literal_type(np.ndarray)) is np.ndarray


@task
def scale(a: np.ndarray, k: float) -> np.ndarray:
    return a * k


@workflow
def scale_wf(a: np.ndarray) -> np.ndarray:
    return scale(a=scale(a=a, k=2.0), k=0.5)


def test_arrays_flow_between_tasks() -> None:
    assert np.array_equal(scale_wf(a=np.array([1.0, 2.0])), np.array([1.0, 2.0]))


def test_numpy_is_imported_only_when_an_annotation_uses_it() -> None:
    code = (
        "import sys, typing; import flyte_core; from flyte_core.extend import TypeEngine; "
        "TypeEngine.to_literal_type(typing.List[int]); print('numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"

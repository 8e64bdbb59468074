"""pydantic v2 models: flytekit's literal type and msgpack value, validation on the way back."""

from __future__ import annotations

import datetime
import enum
import subprocess
import sys

import pytest

pydantic = pytest.importorskip("pydantic")

import msgpack  # noqa: E402
from google.protobuf import json_format  # noqa: E402

from flyte_core import task, workflow  # noqa: E402
from flyte_core.types.type_engine import TypeEngine, TypeTransformerFailedError  # noqa: E402


class Color(enum.Enum):
    RED = "red"


class Sub(pydantic.BaseModel):
    a: int


class Model(pydantic.BaseModel):
    name: str
    color: Color = Color.RED
    when: datetime.datetime = datetime.datetime(2024, 1, 2)
    subs: list[Sub] = []


def test_literal_type_carries_the_model_schema_and_field_types() -> None:
    lt = TypeEngine.to_literal_type(Model)
    assert json_format.MessageToDict(lt.metadata)["title"] == "Model"
    assert lt.structure.dataclass_type["subs"].collection_type.simple == lt.simple
    assert "cache-key-metadata" in json_format.MessageToDict(lt.annotation.annotations)


def test_value_is_msgpack_of_the_json_dump(round_trip) -> None:
    value = Model(name="m", subs=[Sub(a=1)])
    _, literal, back = round_trip(value, Model)
    assert msgpack.unpackb(literal.scalar.binary.value) == {
        "name": "m",
        "color": "red",
        "when": "2024-01-02T00:00:00",
        "subs": [{"a": 1}],
    }
    assert back == value


def test_invalid_data_is_a_transformer_error_naming_the_model(ctx) -> None:
    literal = TypeEngine.to_literal(ctx, Sub(a=1), Sub, TypeEngine.to_literal_type(Sub))
    literal.scalar.binary.value = msgpack.packb({"a": "not a number"})
    with pytest.raises(TypeTransformerFailedError, match="pydantic model Sub"):
        TypeEngine.to_python_value(ctx, literal, Sub)


@task
def rename(m: Model, name: str) -> Model:
    return m.model_copy(update={"name": name})


@workflow
def rename_wf(m: Model) -> Model:
    return rename(m=m, name="renamed")


def test_models_flow_between_tasks() -> None:
    assert rename_wf(m=Model(name="m")).name == "renamed"


def test_pydantic_is_not_imported_by_the_sdk() -> None:
    code = "import sys, flyte_core; from flyte_core.extend import TypeEngine; print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"

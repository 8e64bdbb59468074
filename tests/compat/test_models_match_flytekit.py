"""flytekit's model classes (``flytekit.models.literals``, ``.types``, ``.core.types``) under ``flyte_core.models``:
the same constructions build the same flyteidl messages as flytekit's (expected/models.json, written by
generate/models.py from generate/models_cases.py), read back the same way, and the type engine takes them
from a custom transformer written for flytekit."""

from __future__ import annotations

import base64
import json
import pathlib
import sys
import typing

import pytest

from flyte_core.models import literals, types
from flyte_core.models.core import types as core_types

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE / "generate"))
from models_cases import CASES, namespace  # noqa: E402

EXPECTED = json.loads((HERE / "expected" / "models.json").read_text())
ENV = namespace(literals, types, core_types)


@pytest.mark.parametrize(("name", "expression"), CASES, ids=[name for name, _ in CASES])
def test_model_builds_the_message_flytekit_builds(name: str, expression: str) -> None:
    message = eval(expression, ENV).to_flyte_idl()
    assert type(message).DESCRIPTOR.full_name == EXPECTED[name]["type"]
    assert base64.b64encode(message.SerializeToString(deterministic=True)).decode() == EXPECTED[name]["bytes"]


@pytest.mark.parametrize(("name", "expression"), CASES, ids=[name for name, _ in CASES])
def test_model_reads_back_from_its_message(name: str, expression: str) -> None:
    model = eval(expression, ENV)
    again = type(model).from_flyte_idl(model.to_flyte_idl())
    assert again == model and again.to_flyte_idl() == model.to_flyte_idl()


def test_models_read_as_flytekits_do() -> None:
    lit = literals.Literal.from_flyte_idl(eval(dict(CASES)["literal-collection"], ENV).to_flyte_idl())
    assert [item.scalar.primitive.integer for item in lit.collection.literals] == [0, 1, 2]
    assert lit.hash is None and lit.metadata is None and lit.value is lit.collection
    primitive = literals.Primitive.from_flyte_idl(eval(dict(CASES)["primitive-datetime-naive"], ENV).to_flyte_idl())
    assert primitive.value == primitive.datetime and primitive.datetime.tzinfo is not None
    assert primitive.integer is None and primitive.string_value is None
    scalar = literals.Scalar(none_type=literals.Void())
    assert isinstance(scalar.value, literals.Void) and scalar.primitive is None
    blob_type = core_types.BlobType("csv", core_types.BlobType.BlobDimensionality.SINGLE)
    assert (blob_type.format, blob_type.dimensionality) == ("csv", 0)
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'int'.*integer, float_value"):
        literals.Primitive(int=1)


class Celsius:
    def __init__(self, degrees: float) -> None:
        self.degrees = degrees


def test_a_transformer_written_for_flytekit_runs_in_a_workflow() -> None:
    """Builds models (not flyteidl messages) as flytekit code does, and reads literals by their attributes."""
    from flyte_core import task, workflow
    from flyte_core.extend import TypeEngine, TypeTransformer
    from flyte_core.models.literals import Literal, Primitive, Scalar
    from flyte_core.models.types import LiteralType, SimpleType

    class CelsiusTransformer(TypeTransformer[Celsius]):
        def __init__(self) -> None:
            super().__init__(name="celsius", t=Celsius)

        def get_literal_type(self, t: type[Celsius]) -> LiteralType:
            return LiteralType(simple=SimpleType.FLOAT, metadata={"unit": "C"})

        def to_literal(
            self, ctx: typing.Any, python_val: Celsius, python_type: typing.Any, expected: typing.Any
        ) -> Literal:
            return Literal(scalar=Scalar(primitive=Primitive(float_value=python_val.degrees)))

        def to_python_value(self, ctx: typing.Any, lv: typing.Any, expected_python_type: typing.Any) -> Celsius:
            return Celsius(lv.scalar.primitive.float_value)

    if Celsius not in TypeEngine._REGISTRY:
        TypeEngine.register(CelsiusTransformer())

    @task
    def warm(t: Celsius) -> Celsius:
        return Celsius(t.degrees + 1.5)

    @workflow
    def wf(t: Celsius) -> Celsius:
        return warm(t=warm(t=t))

    assert wf(t=Celsius(20.0)).degrees == 23.0
    literal_type = TypeEngine.to_literal_type(Celsius)
    assert literal_type.simple == SimpleType.FLOAT and dict(literal_type.metadata) == {"unit": "C"}

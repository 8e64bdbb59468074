"""Dataclasses through the type engine, tasks and workflows: literal types, attribute access, guessing, errors."""

from __future__ import annotations

import importlib
import json
import pathlib
import re
import shutil
import sys
import typing
from dataclasses import dataclass, field, fields

import pytest
from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import json_format

from flyte_core import task, workflow
from flyte_core.types.dataclass import DataclassTransformer
from flyte_core.types.type_engine import TypeEngine, TypeTransformerFailedError


@dataclass
class Point:
    x: float
    y: float


@dataclass
class Shape:
    name: str
    points: list[Point]
    meta: dict[str, str] = field(default_factory=dict)
    closed: bool = False


@dataclass
class Node:
    value: int
    children: list[Node] = field(default_factory=list)


@dataclass
class Other:
    name: str
    count: int


def test_literal_type_is_a_struct_with_schema_field_types_and_msgpack_annotation() -> None:
    lt = TypeEngine.to_literal_type(Shape)
    assert lt.simple == types_pb2.STRUCT
    assert json_format.MessageToDict(lt.metadata)["title"] == "Shape"
    assert lt.structure.dataclass_type["points"].collection_type.simple == types_pb2.STRUCT
    assert lt.structure.dataclass_type["closed"].simple == types_pb2.BOOLEAN
    assert json_format.MessageToDict(lt.annotation.annotations) == {
        "cache-key-metadata": {"serialization-format": "msgpack"}
    }


def test_literal_types_handed_out_are_copies() -> None:
    first = TypeEngine.to_literal_type(Point)
    first.structure.tag = "changed by a caller"
    assert TypeEngine.to_literal_type(Point).structure.tag == ""


def test_recursive_dataclass_has_a_referencing_schema_and_round_trips(round_trip) -> None:
    tree = Node(1, [Node(2, [Node(3)])])
    lt, _, back = round_trip(tree, Node)
    schema = json_format.MessageToDict(lt.metadata)
    assert schema["$ref"] == "#/$defs/Node"
    assert schema["$defs"]["Node"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    assert set(lt.structure.dataclass_type) == {"value"}  # the field referring back is left out
    assert back == tree


def test_a_dict_of_the_fields_is_accepted_for_a_dataclass(round_trip) -> None:
    _, _, back = round_trip({"x": 1.0, "y": 2.0}, Point)
    assert back == Point(1.0, 2.0)


def test_a_dict_missing_fields_is_rejected_naming_them() -> None:
    with pytest.raises(
        TypeTransformerFailedError, match=r"dataclass Point: the dict is missing the field\(s\) \['y'\]"
    ):
        TypeEngine.to_literal(None, {"x": 1.0}, Point, TypeEngine.to_literal_type(Point))


def test_another_dataclass_is_rejected_naming_the_foreign_field() -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"dataclass Point: got a Other, whose field 'name'"):
        TypeEngine.to_literal(None, Other("a", 1), Point, TypeEngine.to_literal_type(Point))


def test_a_non_dataclass_value_is_a_type_error_naming_the_dataclass() -> None:
    with pytest.raises(TypeError, match=r"dataclass Point: expected a Point instance .* got str 'x'"):
        TypeEngine.to_literal(None, "x", Point, TypeEngine.to_literal_type(Point))


def test_a_console_struct_is_read_with_integers_restored(ctx) -> None:
    literal = literals_pb2.Literal()
    literal.scalar.generic.update({"name": "n", "count": 3})  # a Struct holds numbers as doubles
    back = TypeEngine.to_python_value(ctx, literal, Other)
    assert back == Other("n", 3)
    assert type(back.count) is int


def test_old_format_switch_writes_a_json_struct_and_reads_it_back(round_trip, monkeypatch) -> None:
    monkeypatch.setenv("FLYTE_USE_OLD_DC_FORMAT", "true")
    value = Shape("s", [Point(1.0, 2.0)], {"k": "v"})
    _, literal, back = round_trip(value, Shape)
    assert literal.scalar.WhichOneof("value") == "generic"
    assert back == value


def test_guessed_type_is_a_dataclass_reading_the_same_literal(ctx) -> None:
    lt = TypeEngine.to_literal_type(Shape)
    guessed = TypeEngine.guess_python_type(lt)
    assert [f.name for f in fields(guessed)] == ["name", "points", "meta", "closed"]
    assert TypeEngine.guess_python_type(lt) is guessed  # the same class for the same literal type
    literal = TypeEngine.to_literal(ctx, Shape("s", [Point(1.0, 2.0)]), Shape, lt)
    back = TypeEngine.to_python_value(ctx, literal, guessed)
    assert back.name == "s"
    assert back.points[0].x == 1.0
    assert back.meta == {}


def test_reading_into_a_non_dataclass_type_is_refused(ctx) -> None:
    literal = TypeEngine.to_literal(ctx, Point(1.0, 2.0), Point, TypeEngine.to_literal_type(Point))
    with pytest.raises(TypeTransformerFailedError, match="not of type @dataclass"):
        DataclassTransformer().to_python_value(ctx, literal, int)


@task
def make_shape(n: int) -> Shape:
    return Shape(name=f"shape{n}", points=[Point(float(i), float(i * i)) for i in range(n)])


@task
def y_of(p: Point) -> float:
    return p.y


@task
def shout(s: str) -> str:
    return s.upper()


@task
def bad_shape() -> Shape:
    return Shape(name="bad", points="not points")  # type: ignore[arg-type]


@workflow
def attribute_access_wf(n: int = 3) -> tuple[float, str]:
    shape = make_shape(n=n)
    return y_of(p=shape.points[2]), shout(s=shape.name)


def test_workflow_reads_fields_of_a_dataclass_output() -> None:
    assert tuple(attribute_access_wf(n=3)) == (4.0, "SHAPE3")


def test_task_output_with_a_wrong_field_names_task_output_and_field() -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        bad_shape()
    message = str(info.value)
    assert "bad_shape" in message
    assert "dataclass Shape field 'points': expected list[Point], got str 'not points'" in message


def test_shared_dataclass_example_gives_flytekits_outputs(tmp_path: pathlib.Path, monkeypatch) -> None:
    source = pathlib.Path(__file__).parents[3].parent / "shared" / "compat" / "examples" / "dataclass_io.py"
    if not source.exists():
        pytest.skip(f"the shared compat examples are not available at {source}")
    expected = json.loads(
        (pathlib.Path(__file__).parents[2] / "compat" / "expected" / "literals_structured.json").read_text()
    )["dataclass_io"]
    package = tmp_path / "structured_examples"
    package.mkdir()
    (package / "__init__.py").write_text("")
    shutil.copy(source, package / "dataclass_io.py")
    text = (package / "dataclass_io.py").read_text()
    (package / "dataclass_io.py").write_text(re.sub(r"\bflytekit\b", "flyte_core", text))
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("structured_examples.dataclass_io")
    try:
        for run in expected:
            assert repr(eval(run["expression"], vars(module))) == run["repr"], run["expression"]
    finally:
        for name in [m for m in sys.modules if m.startswith("structured_examples")]:
            del sys.modules[name]


_ = typing

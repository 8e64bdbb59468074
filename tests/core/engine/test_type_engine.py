"""Transformer lookup, plugin registration and conversion errors of the type engine."""

from __future__ import annotations

import datetime
import enum
import sys
import types
import typing

import pytest
from flyteidl.core import literals_pb2, types_pb2

from flyte_core.plugins import FlyteTypeTransformer, hookimpl
from flyte_core.plugins.manager import FlytePluginManager, PluginSettings, use_plugin_manager
from flyte_core.plugins.testing import register_plugin
from flyte_core.types import type_engine
from flyte_core.types.type_engine import (
    RestrictedTypeError,
    SimpleTransformer,
    TypeEngine,
    TypeTransformer,
    TypeTransformerFailedError,
)


@pytest.fixture
def fresh_engine(flyte_plugin_manager):
    """A type engine that reads its transformers from the test's fresh plugin manager."""
    saved = (TypeEngine._REGISTRY, TypeEngine._lazy, TypeEngine._pending, TypeEngine._lookup_cache)
    saved_from_plugins = TypeEngine._from_plugins
    type_engine._reset_for_tests()
    yield TypeEngine
    TypeEngine._REGISTRY, TypeEngine._lazy, TypeEngine._pending, TypeEngine._lookup_cache = saved
    TypeEngine._from_plugins = saved_from_plugins


class Color(enum.Enum):
    RED = "red"


class StrColor(str, enum.Enum):
    BLUE = "blue"


def test_builtin_transformers_come_from_the_plugin_hook(fresh_engine) -> None:
    assert TypeEngine.get_transformer(int).name == "int"
    assert TypeEngine.get_transformer(list[int]).name == "Typed List"
    assert TypeEngine.get_transformer(typing.Dict[str, int]).name == "Typed Dict"
    assert TypeEngine.get_transformer(typing.Optional[int]).name == "Typed Union"
    assert TypeEngine.get_transformer(int | str).name == "Typed Union"
    assert TypeEngine.get_transformer(Color).name == "DefaultEnumTransformer"
    assert TypeEngine.get_transformer(StrColor).name == "DefaultEnumTransformer", "enums win over their str base"
    assert TypeEngine.get_transformer(typing.Literal["a"]).name == "LiteralTypeTransformer"
    assert TypeEngine.get_transformer(None).name == "none"


def test_subclass_uses_its_base_class_transformer(fresh_engine) -> None:
    class MyInt(int):
        pass

    assert TypeEngine.get_transformer(MyInt).name == "int"


def test_tuples_are_restricted(fresh_engine) -> None:
    with pytest.raises(RestrictedTypeError):
        TypeEngine.to_literal_type(typing.Tuple[int, str])
    with pytest.raises(RestrictedTypeError):
        TypeEngine.to_literal_type(tuple)


class Celsius:
    def __init__(self, degrees: float) -> None:
        self.degrees = degrees


class CelsiusTransformer(TypeTransformer[Celsius]):
    def __init__(self) -> None:
        super().__init__("celsius", Celsius)

    def get_literal_type(self, t):
        return types_pb2.LiteralType(simple=types_pb2.FLOAT)

    def to_literal(self, ctx, python_val, python_type, expected):
        return literals_pb2.Literal(
            scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(float_value=python_val.degrees))
        )

    def to_python_value(self, ctx, lv, expected_python_type):
        return Celsius(lv.scalar.primitive.float_value)


class CelsiusPlugin:
    @hookimpl
    def flyte_type_transformers(self):
        yield FlyteTypeTransformer(python_type=Celsius, transformer=f"{__name__}:CelsiusTransformer")


def test_plugin_transformer_is_used_for_its_type(fresh_engine) -> None:
    with register_plugin(CelsiusPlugin(), name="celsius"):
        type_engine._reset_for_tests()
        lt = TypeEngine.to_literal_type(Celsius)
        literal = TypeEngine.to_literal(None, Celsius(21.5), Celsius, lt)
        assert TypeEngine.to_python_value(None, literal, Celsius).degrees == 21.5


def test_plugin_transformers_follow_the_plugin_manager_in_use(fresh_engine) -> None:
    """A manager used first (a test's, an embedding's) does not decide the transformers for the next one."""
    with_celsius = FlytePluginManager.from_environment(builtins_only=True, settings=PluginSettings())
    with_celsius.register(CelsiusPlugin(), "celsius")
    without = FlytePluginManager.from_environment(builtins_only=True, settings=PluginSettings())
    with use_plugin_manager(without):
        assert TypeEngine.to_literal_type(int).simple == types_pb2.INTEGER
        assert TypeEngine._registered(Celsius) is None
    with use_plugin_manager(with_celsius):
        assert isinstance(TypeEngine.get_transformer(Celsius), CelsiusTransformer)
        assert TypeEngine.to_literal_type(Celsius).simple == types_pb2.FLOAT
    with use_plugin_manager(without):
        assert TypeEngine._registered(Celsius) is None
        assert TypeEngine.get_transformer(int).name  # the built-ins come back from this manager


class LazyTypePlugin:
    @hookimpl
    def flyte_type_transformers(self):
        yield FlyteTypeTransformer(
            python_type="tests.core.engine.lazy_type_module:Kelvin",
            transformer="tests.core.engine.lazy_type_module:KelvinTransformer",
        )


def test_transformer_named_by_string_loads_only_once_its_module_is_imported(fresh_engine) -> None:
    sys.modules.pop("tests.core.engine.lazy_type_module", None)
    with register_plugin(LazyTypePlugin(), name="lazy-kelvin"):
        type_engine._reset_for_tests()
        TypeEngine.get_transformer(int)
        assert "tests.core.engine.lazy_type_module" not in sys.modules
        from tests.core.engine.lazy_type_module import Kelvin

        assert TypeEngine.get_transformer(Kelvin).name == "kelvin"


def test_register_keeps_flytekit_api_and_rejects_duplicates(fresh_engine) -> None:
    class Fahrenheit(float):
        pass

    transformer = SimpleTransformer(
        "fahrenheit",
        Fahrenheit,
        types_pb2.LiteralType(simple=types_pb2.FLOAT),
        lambda v: literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(float_value=v))),
        lambda lv: Fahrenheit(lv.scalar.primitive.float_value),
    )
    TypeEngine.register(transformer)
    assert TypeEngine.get_transformer(Fahrenheit) is transformer
    with pytest.raises(ValueError, match="already registered"):
        TypeEngine.register(
            SimpleTransformer(
                "other",
                Fahrenheit,
                transformer._lt,
                transformer._to_literal_transformer,
                transformer._from_literal_transformer,
            )
        )


@pytest.mark.parametrize(
    ("value", "python_type", "message"),
    [
        (1, float, "Expected value of type <class 'float'> but got '1' of type <class 'int'>"),
        (True, int, "Expected value of type <class 'int'> but got 'True'"),
        ("a", int, "Expected value of type <class 'int'>"),
        (None, int, "Python value cannot be None, expected int"),
        ((1, 2), int, "Tuples are not a supported type"),
        ("x", list[int], "is not of container type <class 'list'>"),
        ("x", typing.List[int], "Expected a list"),
        ({"a": "b"}, dict[str, int], "Expected value of type <class 'int'>"),
    ],
)
def test_wrong_values_raise_type_transformer_failed_error(value, python_type, message) -> None:
    with pytest.raises((TypeTransformerFailedError, AssertionError)) as info:
        TypeEngine.to_literal(None, value, python_type, TypeEngine.to_literal_type(python_type))
    assert message in str(info.value)


def test_union_value_matching_no_variant_names_the_union() -> None:
    python_type = typing.Union[int, float]
    with pytest.raises(TypeTransformerFailedError, match="Value x is not of type"):
        TypeEngine.to_literal(None, "x", python_type, TypeEngine.to_literal_type(python_type))


def test_literal_of_wrong_kind_is_reported() -> None:
    literal = TypeEngine.to_literal(None, "a", str, TypeEngine.to_literal_type(str))
    with pytest.raises(TypeTransformerFailedError, match="Cannot convert a string_value literal to int"):
        TypeEngine.to_python_value(None, literal, int)


def test_int_reads_a_float_literal_as_the_console_sends_numbers() -> None:
    literal = TypeEngine.to_literal(None, 3.0, float, TypeEngine.to_literal_type(float))
    assert TypeEngine.to_python_value(None, literal, int) == 3


def test_literal_map_to_kwargs_names_the_failing_input() -> None:
    lm = TypeEngine.dict_to_literal_map(None, {"a": 1, "b": "x"})
    assert TypeEngine.literal_map_to_kwargs(None, lm, {"a": int, "b": str}) == {"a": 1, "b": "x"}
    with pytest.raises(TypeTransformerFailedError, match="Error converting input 'b'"):
        TypeEngine.literal_map_to_kwargs(None, lm, {"a": int, "b": int})


def test_guess_python_type_reverses_core_literal_types() -> None:
    assert TypeEngine.guess_python_type(TypeEngine.to_literal_type(int)) is int
    assert TypeEngine.guess_python_type(TypeEngine.to_literal_type(list[str])) == list[str]
    assert TypeEngine.guess_python_type(TypeEngine.to_literal_type(dict[str, float])) == dict[str, float]
    assert TypeEngine.guess_python_type(TypeEngine.to_literal_type(datetime.timedelta)) is datetime.timedelta


def test_unknown_type_falls_back_to_pickle_with_a_warning() -> None:
    class Opaque:
        pass

    pytest.importorskip("flyte_core.types.pickle", reason="the pickle transformer is not installed yet")
    assert (
        TypeEngine.get_transformer(Opaque).name.lower().startswith("flytepickle")
        or "pickle" in TypeEngine.get_transformer(Opaque).name.lower()
    )


def test_types_module_is_not_needed_to_name_union_types() -> None:
    assert isinstance(int | None, types.UnionType)
    assert TypeEngine.to_literal_type(int | None) == TypeEngine.to_literal_type(typing.Optional[int])

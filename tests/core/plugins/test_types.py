"""Registration objects are frozen, keyword-only, validated on construction, and load lazily."""

from __future__ import annotations

import dataclasses
import sys

import pytest

from flyte_core.plugins import (
    FlyteFileAccessProvider,
    FlyteRemoteBackend,
    FlyteSubcommand,
    FlyteTaskType,
    FlyteTypeTransformer,
    ReferenceLoadError,
    RegistrationError,
)
from flyte_core.plugins.types import load_reference, qualified_name


class Config:
    pass


class TaskClass:
    pass


def test_registrations_are_frozen_and_keyword_only() -> None:
    sub = FlyteSubcommand(name="hello", summary="Say hello", command="pkg.cli:hello")
    with pytest.raises(dataclasses.FrozenInstanceError):
        sub.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        FlyteSubcommand("hello", "Say hello", "pkg.cli:hello")  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "Hello", "summary": "s", "command": "a:b"}, "name must be lowercase"),
        ({"name": "hello world", "summary": "s", "command": "a:b"}, "name must be lowercase"),
        ({"name": "hello", "summary": " ", "command": "a:b"}, "summary must be a non-empty"),
        ({"name": "hello", "summary": "two\nlines", "command": "a:b"}, "summary must be one line"),
        ({"name": "hello", "summary": "s", "command": "a.b.hello"}, "is not a 'module:attr' reference"),
        ({"name": "hello", "summary": "s", "command": None}, "command is required"),
        ({"name": "hello", "summary": "s", "command": "a:b", "aliases": "hi"}, "aliases must be a tuple"),
        ({"name": "hello", "summary": "s", "command": "a:b", "aliases": ("hello",)}, "repeats the command name"),
        ({"name": "hello", "summary": "s", "command": "a:b", "override": "yes"}, "override must be True or False"),
    ],
)
def test_invalid_subcommand_names_the_command_and_the_problem(kwargs: dict, message: str) -> None:
    with pytest.raises(RegistrationError, match=message) as info:
        FlyteSubcommand(**kwargs)
    assert str(info.value).startswith(f"FlyteSubcommand {kwargs['name']!r}")


def test_invalid_task_type_transformer_provider_and_backend_are_rejected() -> None:
    with pytest.raises(RegistrationError, match="config_type must be a type"):
        FlyteTaskType(config_type=3, task_class=TaskClass)  # type: ignore[arg-type]
    with pytest.raises(RegistrationError, match="task_class must be a class"):
        FlyteTaskType(config_type=Config, task_class=object())  # type: ignore[arg-type]
    with pytest.raises(RegistrationError, match="python_type must be a type or its qualified name"):
        FlyteTypeTransformer(python_type="not a type", transformer="a:b")
    with pytest.raises(RegistrationError, match="protocols must be a tuple"):
        FlyteFileAccessProvider(protocols="s3", filesystem="a:b")  # type: ignore[arg-type]
    with pytest.raises(RegistrationError, match="'S3' is not a lowercase URI scheme"):
        FlyteFileAccessProvider(protocols=("S3",), filesystem="a:b")
    with pytest.raises(RegistrationError, match="lists a protocol twice"):
        FlyteFileAccessProvider(protocols=("s3", "s3"), filesystem="a:b")
    with pytest.raises(RegistrationError, match="schemes entry"):
        FlyteRemoteBackend(name="grpc-admin", schemes=("grpc://",), factory="a:b")
    assert FlyteRemoteBackend(name="grpc-admin", schemes=("", "dns"), factory="a:b").schemes == ("", "dns")


def test_qualified_names_are_dotted_for_types_and_references() -> None:
    assert qualified_name(Config) == f"{__name__}.Config"
    assert FlyteTaskType(config_type=Config, task_class=TaskClass).config_type_name == f"{__name__}.Config"
    assert FlyteTaskType(config_type="pkg.mod:Config", task_class="pkg.mod:Task").config_type_name == "pkg.mod.Config"
    assert FlyteTypeTransformer(python_type="pandas.DataFrame", transformer="a:b").defining_module == "pandas"
    assert FlyteTypeTransformer(python_type="a.b:C", transformer="x:y").defining_module == "a.b"


def test_references_load_on_demand() -> None:
    assert load_reference("os.path:join") is __import__("os").path.join
    assert load_reference("collections.abc.Mapping") is __import__("collections.abc").abc.Mapping
    sub = FlyteSubcommand(name="x", summary="s", command="json:dumps")
    assert sub.load() is __import__("json").dumps
    task_type = FlyteTaskType(config_type=f"{__name__}:Config", task_class=f"{__name__}:TaskClass")
    assert task_type.load_config_type() is Config
    assert task_type.load_task_class() is TaskClass


def test_reference_errors_say_what_could_not_be_loaded() -> None:
    with pytest.raises(ReferenceLoadError, match=r"cannot import 'no_such_module_x:attr'.*ModuleNotFoundError"):
        load_reference("no_such_module_x:attr")
    with pytest.raises(ReferenceLoadError, match="'json' has no attribute 'nope'"):
        load_reference("json:nope")
    with pytest.raises(ReferenceLoadError, match="not a class"):
        FlyteTaskType(config_type="json:dumps", task_class=TaskClass).load_config_type()


def test_type_named_by_string_is_loadable_only_once_its_package_is_imported() -> None:
    absent = FlyteTypeTransformer(python_type="surely_not_imported_pkg.Frame", transformer="a:b")
    assert not absent.is_loadable_now()
    present = FlyteTypeTransformer(python_type="json.JSONDecoder", transformer="a:b")
    assert "json" in sys.modules and present.is_loadable_now()
    assert present.load_python_type() is __import__("json").JSONDecoder


def test_transformer_reference_may_name_an_instance_a_class_or_a_factory() -> None:
    instance = FlyteTypeTransformer(python_type=int, transformer="json:_default_encoder")
    assert instance.load_transformer() is __import__("json")._default_encoder
    from_class = FlyteTypeTransformer(python_type=int, transformer="json:JSONEncoder")
    assert type(from_class.load_transformer()).__name__ == "JSONEncoder"
    from_factory = FlyteTypeTransformer(python_type=int, transformer=lambda: "made")
    assert from_factory.load_transformer() == "made"

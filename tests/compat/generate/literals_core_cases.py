"""Cases shared by the generator (run with flytekit) and the test (run with flyte-core)."""

import datetime
import enum
import typing


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


def NAMESPACE(sdk):
    return {"datetime": datetime, "typing": typing, "Color": Color, "sdk": sdk}


CASES = [
    ("int", "42", "int"),
    ("int-zero", "0", "int"),
    ("int-negative", "-(2**63)", "int"),
    ("float", "3.5", "float"),
    ("float-zero", "0.0", "float"),
    ("str", "'hello'", "str"),
    ("str-empty", "''", "str"),
    ("bool-true", "True", "bool"),
    ("bool-false", "False", "bool"),
    ("datetime-naive", "datetime.datetime(2024, 1, 2, 3, 4, 5, 678)", "datetime.datetime"),
    (
        "datetime-aware",
        "datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))",
        "datetime.datetime",
    ),
    ("date", "datetime.date(2024, 1, 2)", "datetime.date"),
    ("timedelta", "datetime.timedelta(minutes=5, microseconds=3)", "datetime.timedelta"),
    ("none", "None", "type(None)"),
    ("list-int", "[1, 2, 3]", "typing.List[int]"),
    ("list-int-empty", "[]", "list[int]"),
    ("list-float", "[1.5, -0.0, 2.0]", "list[float]"),
    ("list-str", "['a', '', 'héllo']", "list[str]"),
    ("list-bool", "[True, False]", "list[bool]"),
    ("list-list-str", "[['x'], ['y', 'z']]", "typing.List[typing.List[str]]"),
    ("dict-str-int", "{'a': 1, 'b': 2}", "typing.Dict[str, int]"),
    ("dict-str-list-float", "{'k': [1.0, 2.0]}", "typing.Dict[str, typing.List[float]]"),
    ("dict-untyped", "{'a': 1, 'b': [1, 2], 'c': {'d': 'e'}}", "dict"),
    ("dict-int-keys", "{1: 'one', 2: 'two'}", "typing.Dict[int, str]"),
    ("optional-none", "None", "typing.Optional[int]"),
    ("optional-int", "3", "typing.Optional[int]"),
    ("union-str", "'x'", "typing.Union[int, str]"),
    ("pep604-union", "7", "int | None"),
    ("list-optional", "[1, None]", "typing.List[typing.Optional[int]]"),
    ("enum", "Color.GREEN", "Color"),
    ("enum-from-str", "'red'", "Color"),
    ("literal", "'b'", "typing.Literal['a', 'b']"),
    ("literal-int", "2", "typing.Literal[1, 2]"),
    ("annotated-int", "5", "typing.Annotated[int, 'meta']"),
]

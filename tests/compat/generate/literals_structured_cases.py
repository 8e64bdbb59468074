"""Structured values (dataclasses, untyped dicts, pickles, numpy, JSON iterators, IO, pydantic): cases shared
by the generator (run with flytekit) and the tests (run with flyte-core). Standard library only at import."""

import datetime
import enum
import typing
from dataclasses import dataclass, field


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclass
class Point:
    x: float
    y: float


@dataclass
class Shape:
    name: str
    points: typing.List[Point]
    meta: typing.Dict[str, str] = field(default_factory=dict)
    closed: bool = False
    color: typing.Optional[str] = None


@dataclass
class Inner:
    a: int
    b: str
    c: typing.List[float] = field(default_factory=list)


@dataclass
class Outer:
    id: int
    name: str
    score: float
    flag: bool
    tags: typing.List[str]
    counts: typing.Dict[str, int]
    inner: Inner
    maybe: typing.Optional[int] = None


@dataclass
class Everything:
    i: int
    inner: Inner
    oi: typing.Optional[Inner]
    inners: typing.List[Inner]
    by_name: typing.Dict[str, typing.List[Inner]]
    lo: typing.List[typing.Optional[int]]
    color: Color = Color.GREEN
    level: Level = Level.HIGH
    when: datetime.datetime = datetime.datetime(2024, 1, 2, 3, 4, 5, 6)
    when_tz: datetime.datetime = datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc)
    day: datetime.date = datetime.date(2024, 1, 2)
    span: datetime.timedelta = datetime.timedelta(seconds=90, microseconds=5)
    either: typing.Union[int, str] = 3
    anything: typing.Any = None
    untyped: dict = field(default_factory=dict)
    untyped_list: list = field(default_factory=list)
    int_keys: typing.Dict[int, str] = field(default_factory=dict)
    raw: bytes = b"\x00\x01"
    pair: typing.Tuple[int, str] = (1, "a")
    frozen: typing.FrozenSet[int] = frozenset()
    choice: typing.Literal["a", "b"] = "a"
    described: int = field(default=7, metadata={"description": "a described field"})
    new_style: "list[int] | None" = None
    f_from_int: float = 1


# flytekit cannot serialize the literal type of a recursive dataclass (RecursionError); flyte-core can.
@dataclass
class Node:
    value: int
    children: typing.List["Node"] = field(default_factory=list)


@dataclass(kw_only=True)
class KwOnly:
    a: int = 1
    b: str


@dataclass
class Derived:
    x: int
    doubled: int = field(init=False, default=0)

    def __post_init__(self):
        self.doubled = self.x * 2


def NAMESPACE(sdk):
    ns = {
        "datetime": datetime,
        "typing": typing,
        "sdk": sdk,
        "kwtypes": sdk.kwtypes,
    }
    ns.update({name: obj for name, obj in globals().items() if isinstance(obj, type) and obj.__module__ == __name__})
    return ns


EVERYTHING = (
    "Everything(i=1, inner=Inner(1, 'x', [1, 2.5]), oi=None, inners=[Inner(2, 'y')],"
    " by_name={'k': [Inner(3, 'z', [0.5])]}, lo=[1, None, 3], untyped={1: 'x', 'y': [1, 2]},"
    " untyped_list=[1, 'a'], int_keys={1: 'a'}, frozen=frozenset([3]))"
)

# (id, value source, type source): literal type, literal and the read-back value are compared.
CASES = [
    ("dc-point", "Point(1.0, 2.0)", "Point"),
    ("dc-point-int-in-float", "Point(1, 2)", "Point"),
    ("dc-shape", "Shape('tri', [Point(0.0, 0.0), Point(1.0, 0.5)], {'k': 'v'}, True, 'red')", "Shape"),
    ("dc-shape-defaults", "Shape('empty', [])", "Shape"),
    (
        "dc-outer",
        "Outer(1, 'n1', 1/3, True, ['a', 'b'], {'x': 1, 'y': -1}, Inner(1, '1', [0.5, 1.5]), None)",
        "Outer",
    ),
    ("dc-everything", EVERYTHING, "Everything"),
    ("dc-kw-only", "KwOnly(b='x')", "KwOnly"),
    ("dc-init-false", "Derived(4)", "Derived"),
    ("dc-list", "[Point(1.0, 2.0), Point(3.0, 4.0)]", "typing.List[Point]"),
    ("dc-optional", "Point(1.0, 2.0)", "typing.Optional[Point]"),
    ("dc-dict-value", "{'x': 1.0, 'y': 2.0}", "Point"),
    ("dict-untyped", "{'a': 1, 'b': [1, 2.5, 'x'], 'c': {'d': None}}", "dict"),
    ("dict-int-keys", "{1: 'a', 2: 'b'}", "typing.Dict[int, str]"),
    ("dict-int-keys-dataclass", "{1: Point(1.0, 2.0)}", "typing.Dict[int, Point]"),
    ("dict-untyped-annotated", "{'a': 1}", "typing.Annotated[dict, kwtypes(allow_pickle=True)]"),
]

# (id, value source, type source): the same with FLYTE_USE_OLD_DC_FORMAT=true (JSON Struct literals).
OLD_FORMAT_CASES = [
    ("old-dc-shape", "Shape('tri', [Point(0.0, 0.0), Point(1.0, 0.5)], {'k': 'v'}, True, 'red')", "Shape"),
    ("old-dc-everything", EVERYTHING, "Everything"),
    ("old-dict-untyped", "{'a': 1, 'b': [1, 2.5, 'x']}", "dict"),
]

# (id, value source, type source): blob literals with random URIs; the literal type, the blob's type and the
# read-back value are compared.
BLOB_CASES = [
    ("pickle-any", "{1, 2}", "typing.Any"),
    ("pickle-bytes", "b'abc'", "bytes"),
    ("pickle-unknown-class", "Color", "type"),
    ("pickle-dict-allowed", "{'a': {1, 2}}", "typing.Annotated[dict, kwtypes(allow_pickle=True)]"),
]

# (id, type source): literal types only.
TYPE_CASES = [
    ("textio", "typing.TextIO"),
    ("binaryio", "typing.BinaryIO"),
]

# (id, value source, type source): need numpy (blob literals, compared like BLOB_CASES).
NUMPY_CASES = [
    ("numpy-int", "np.arange(6).reshape(2, 3)", "np.ndarray"),
    ("numpy-float", "np.array([0.5, 1.5])", "np.ndarray"),
    (
        "numpy-object-pickle",
        "np.array([{'a': 1}, None], dtype=object)",
        "typing.Annotated[np.ndarray, kwtypes(allow_pickle=True)]",
    ),
]

PYDANTIC_SOURCE = """
class Sub(pydantic.BaseModel):
    a: int
    tags: typing.List[str] = []

class Model(pydantic.BaseModel):
    name: str
    color: Color = Color.RED
    when: datetime.datetime = datetime.datetime(2024, 1, 2)
    sub: Sub
    subs: typing.List[Sub] = []
    maybe: typing.Optional[float] = None
    counts: typing.Dict[str, int] = {}
"""

# (id, value source, type source): need pydantic v2; PYDANTIC_SOURCE is executed in the namespace first.
PYDANTIC_CASES = [
    (
        "pydantic-model",
        "Model(name='m', sub=Sub(a=1), subs=[Sub(a=2, tags=['x'])], maybe=1.5, counts={'k': 3})",
        "Model",
    ),
    ("pydantic-defaults", "Model(name='m', sub=Sub(a=1))", "Model"),
]

# Expressions evaluated in the shared example compat/examples/dataclass_io.py (flytekit -> flyte_core renamed).
DATACLASS_IO_RUNS = [
    "dataclass_wf()",
    "dataclass_wf(n=5, template=Shape(name='sq', points=[Point(0.0, 0.0), Point(2.0, 0.0)]))",
    "make_shape(n=2, name='x')",
    "first_point(s=Shape(name='one', points=[Point(3.0, 4.0)]))",
]

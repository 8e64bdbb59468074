"""The modules and cases of sdk_map_dynamic.py (source written for flytekit)."""

PACKAGE = "compat_map_dynamic"
SETTINGS = {"project": "flytesnacks", "domain": "development", "version": "v1", "image": "ghcr.io/example/img:v1"}

MAP_SOURCE = """\
import functools
import typing

from flytekit import map_task, task, workflow


@task
def square(x: int) -> int:
    return x * x


@task
def mul(x: int, y: int) -> int:
    return x * y


@task
def no_three(x: int) -> int:
    if x == 3:
        raise ValueError(f"three is not allowed, got {x}")
    return x


@task
def shout(s: str, times: int) -> str:
    return s.upper() * times


@task(retries=2, interruptible=True)
def careful(x: float) -> float:
    return x / 2


@workflow
def map_wf(xs: typing.List[int] = [1, 2, 3]) -> typing.List[int]:
    return map_task(square)(x=xs)


@workflow
def map_opts_wf(xs: typing.List[int] = [1, 2, 3]) -> typing.Tuple[typing.List[typing.Optional[int]], typing.List[int]]:
    a = map_task(square, concurrency=2, min_success_ratio=0.75)(x=xs)
    b = map_task(functools.partial(mul, y=3))(x=xs)
    return a, b


@workflow
def map_min_successes_wf(xs: typing.List[int] = [1, 2, 3]) -> typing.List[int]:
    return map_task(square, min_successes=2)(x=xs)


@workflow
def map_two_lists_wf(xs: typing.List[int], ys: typing.List[int]) -> typing.List[int]:
    return map_task(mul, concurrency=0)(x=xs, y=ys)


@workflow
def map_chained_wf(xs: typing.List[int]) -> typing.List[int]:
    return map_task(square)(x=map_task(square)(x=xs))


@workflow
def map_partial_str_wf(words: typing.List[str], n: int) -> typing.List[str]:
    return map_task(functools.partial(shout, times=n))(s=words)


@workflow
def map_metadata_wf(xs: typing.List[float]) -> typing.List[float]:
    return map_task(careful, run_all_sub_nodes=True)(x=xs)
"""

DYNAMIC_SOURCE = """\
import typing

from flytekit import dynamic, map_task, task, workflow


@task
def square(x: int) -> int:
    return x * x


@task
def total(xs: typing.List[int]) -> int:
    return sum(xs)


@task
def label(x: int, prefix: str = "n") -> str:
    return f"{prefix}{x}"


@workflow
def sub(x: int) -> int:
    return square(x=square(x=x))


@dynamic
def squares(n: int) -> int:
    return total(xs=[square(x=i) for i in range(n)])


@dynamic
def mixed(n: int) -> typing.List[int]:
    mapped = map_task(square)(x=list(range(n)))
    return [total(xs=mapped), sub(x=n)]


@dynamic
def labels(n: int) -> typing.List[str]:
    out = []
    for i in range(n):
        if i % 2 == 0:
            out.append(label(x=i))
        else:
            out.append(label(x=i, prefix="odd"))
    return out


@dynamic
def constant(n: int) -> int:
    return n * 2


@dynamic
def chain(n: int) -> int:
    x = square(x=n)
    for _ in range(2):
        x = square(x=x)
    return x


@dynamic
def nothing(n: int) -> None:
    for i in range(n):
        square(x=i)


@workflow
def dynamic_wf(n: int = 3) -> int:
    return squares(n=n)


@workflow
def nested_wf(n: int = 2) -> typing.List[int]:
    return mixed(n=squares(n=n))
"""

MODULES = {"maps": MAP_SOURCE, "dynamics": DYNAMIC_SOURCE}

MAP_WORKFLOWS = [
    ("maps", "map_wf"),
    ("maps", "map_opts_wf"),
    ("maps", "map_min_successes_wf"),
    ("maps", "map_two_lists_wf"),
    ("maps", "map_chained_wf"),
    ("maps", "map_partial_str_wf"),
    ("maps", "map_metadata_wf"),
]

DYNAMIC_FUTURES = [
    ("dynamics", "squares", {"n": 3}),
    ("dynamics", "mixed", {"n": 2}),
    ("dynamics", "labels", {"n": 3}),
    ("dynamics", "constant", {"n": 4}),
    ("dynamics", "chain", {"n": 2}),
]

LOCAL_RUNS = [
    ("maps", "map_wf()"),
    ("maps", "map_wf(xs=[4, 5])"),
    ("maps", "map_opts_wf(xs=[1, 2, 3, 4])"),
    ("maps", "map_two_lists_wf(xs=[1, 2], ys=[10, 20])"),
    ("maps", "map_chained_wf(xs=[1, 2, 3])"),
    ("maps", "map_partial_str_wf(words=['a', 'b'], n=2)"),
    ("maps", "map_metadata_wf(xs=[1.0, 3.0])"),
    ("maps", "map_task(square)(x=[])"),
    ("maps", "map_task(square)([2, 3])"),
    ("maps", "map_task(no_three, min_success_ratio=0.5)(x=[1, 2, 3])"),
    ("maps", "map_task(no_three, min_success_ratio=0.5)(x=[3, 3, 1])"),
    ("maps", "map_task(no_three, min_successes=1)(x=[3, 3, 1])"),
    ("maps", "map_task(no_three)(x=[1, 3])"),
    ("maps", "map_task(mul)(x=[1, 2], y=[3])"),
    ("maps", "map_task(square)(x=5)"),
    ("maps", "map_task(square)(x=['a'])"),
    ("maps", "map_task(square)(y=[1])"),
    ("maps", "map_task(functools.partial(mul, y=3))(x=[1, 2], y=4)"),
    ("dynamics", "squares(n=4)"),
    ("dynamics", "mixed(n=3)"),
    ("dynamics", "labels(n=3)"),
    ("dynamics", "constant(n=4)"),
    ("dynamics", "chain(n=2)"),
    ("dynamics", "nothing(n=2)"),
    ("dynamics", "dynamic_wf()"),
    ("dynamics", "nested_wf()"),
]


def load_package(root: str, sdk: str = "flytekit") -> dict:
    """Write the modules under ``root/PACKAGE`` for ``sdk`` (``flyte_core``: module names replaced), import them."""
    from case_package import write_and_import

    return write_and_import(root, PACKAGE, MODULES, sdk)

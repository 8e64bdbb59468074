"""A small pipeline: typed inputs, a dataclass, a map task, a conditional and several outputs.

Run it locally with ``python examples/pipeline.py``.
"""

from dataclasses import dataclass

from flyte_core import conditional, map_task, task, workflow


@dataclass
class Summary:
    count: int
    total: float
    label: str


@task
def square(x: int) -> int:
    return x * x


@task
def summarize(values: list[int], label: str) -> Summary:
    return Summary(count=len(values), total=float(sum(values)), label=label)


@task
def describe_big(s: Summary) -> str:
    return f"{s.label}: {s.count} values, big total {s.total:g}"


@task
def describe_small(s: Summary) -> str:
    return f"{s.label}: {s.count} values, small total {s.total:g}"


@workflow
def pipeline(xs: list[int] = [1, 2, 3, 4], label: str = "squares") -> tuple[Summary, str]:  # noqa: B006
    squares = map_task(square)(x=xs)
    summary = summarize(values=squares, label=label)
    text = (
        conditional("size")
        .if_(summary.total > 20.0)
        .then(describe_big(s=summary))
        .else_()
        .then(describe_small(s=summary))
    )
    return summary, text


if __name__ == "__main__":
    result = pipeline()
    print(result.o0)
    print(result.o1)

"""Hello world: one task, one workflow. Run it locally with ``python examples/hello.py``."""

from flyte_core import task, workflow


@task
def say_hello(name: str) -> str:
    """Return a greeting.

    :param name: who to greet
    :return: the greeting
    """
    return f"hello {name}"


@workflow
def hello_wf(name: str = "world") -> str:
    """A one-task workflow."""
    return say_hello(name=name)


if __name__ == "__main__":
    print(hello_wf())

"""A failed Spark job, reported with the error its Python worker raised rather than pages of JVM stack.

A Python exception in an executor (a ``map`` function, a UDF) reaches the driver as a ``Py4JJavaError`` or a
pyspark ``PythonException`` whose text buries the worker's traceback inside the JVM's; ``worker_error`` finds
the worker's own ``ValueError: ...`` line(s) in it, so the task fails with that message (the original
exception stays as the cause).
"""

from __future__ import annotations

__all__ = ["SparkJobError", "worker_error"]

_TRACEBACK = "Traceback (most recent call last):"


class SparkJobError(RuntimeError):
    """A Spark job of a task failed in a Python worker; the message is the worker's error."""


def worker_error(exc: BaseException) -> str | None:
    """The Python worker's error (``"ValueError: boom"``) in a Spark failure, or None for any other exception."""
    module = type(exc).__module__
    if not (module.startswith("py4j") or module.startswith("pyspark")):
        return None
    text = str(exc)
    start = text.rfind(_TRACEBACK)
    if start < 0:
        return None
    lines: list[str] = []
    for line in text[start + len(_TRACEBACK) :].splitlines():
        if not lines:
            if line.strip() and not line[0].isspace():  # past the frames: the exception line
                lines.append(line.rstrip())
            continue
        if not line.strip() or line.startswith("\tat ") or line.lstrip().startswith("at org.apache."):
            break
        lines.append(line.rstrip())
    return "\n".join(lines) or None

"""``error.pb``: how a failed task tells the backend what went wrong, in flytekit's words.

The backend retries RECOVERABLE errors and shows the message to the user, so the codes, kinds, origins
and the message shape (``Trace:`` with the user's traceback, then ``Message:`` with ``Type: text``) are
flytekit's: ``USER:...`` codes for the user's code, ``SYSTEM`` for everything else.
"""

from __future__ import annotations

import os
import textwrap
import time
import traceback

from flyteidl.core import errors_pb2, execution_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from flyte_core.exceptions.base import FlyteException, FlyteRecoverableException
from flyte_core.exceptions.system import FlyteNonRecoverableSystemException
from flyte_core.exceptions.user import FlyteUserRuntimeException

_RECOVERABLE = errors_pb2.ContainerError.RECOVERABLE
_NON_RECOVERABLE = errors_pb2.ContainerError.NON_RECOVERABLE
_USER = execution_pb2.ExecutionError.USER
_SYSTEM = execution_pb2.ExecutionError.SYSTEM


def error_document(exc: BaseException) -> errors_pb2.ErrorDocument:
    """The error document for an exception escaping the task's run.

    - the user's code raised (``FlyteUserRuntimeException``): origin USER, the error's own code
      (``USER:RuntimeError`` unless it carries one), RECOVERABLE only for a ``FlyteRecoverableException``;
    - inputs or outputs could not be converted (``FlyteNonRecoverableSystemException``): SYSTEM, not retried;
    - anything else (downloads, uploads, flyte-core itself): SYSTEM, retried.
    """
    if isinstance(exc, FlyteUserRuntimeException):
        kind = _RECOVERABLE if isinstance(exc.value, FlyteRecoverableException) else _NON_RECOVERABLE
        return _document(exc.error_code, traceback_text(exc), kind, _USER, exc.value)
    if isinstance(exc, FlyteNonRecoverableSystemException):
        return _document("SYSTEM", traceback_text(exc.value), _NON_RECOVERABLE, _SYSTEM, exc.value)
    return _document("SYSTEM", traceback_text(exc), _RECOVERABLE, _SYSTEM, exc)


def unknown_output_document(outputs: object) -> errors_pb2.ErrorDocument:
    """The error document for a task whose ``dispatch_execute`` returned neither literals nor a dynamic job."""
    message = f"Type of output received not handled {type(outputs)} outputs: {outputs}"
    return _document("UNKNOWN_OUTPUT", message, _RECOVERABLE, _SYSTEM, None)


def summary(document: errors_pb2.ErrorDocument) -> str:
    """The document as the container's log shows it: code, origin, kind, then the message."""
    error = document.error
    origin = "user" if error.origin == _USER else "system"
    kind = "recoverable" if error.kind == _RECOVERABLE else "non-recoverable"
    return f"({error.code}, {origin} error, {kind}):\n{error.message}"


def traceback_text(exc: BaseException) -> str:
    """flytekit's error message: the traceback (of the user's exception for user errors), then ``Type: message``."""
    root: BaseException = exc
    value: BaseException = exc
    if isinstance(exc, FlyteUserRuntimeException):
        root = exc.__cause__ or exc
        value = exc.value
    indent = "    "
    trace = textwrap.indent("".join(traceback.format_exception(type(root), root, root.__traceback__)), indent)
    message = textwrap.indent(f"{type(value).__name__}: {value}", indent)
    return f"Trace:\n\n{trace}\nMessage:\n\n{message}"


def _document(code: str, message: str, kind: int, origin: int, exc: BaseException | None) -> errors_pb2.ErrorDocument:
    worker = (
        _first_of("FLYTE_INTERNAL_WORKER_NAME", "_F_WN")
        if _first_of("FLYTE_INTERNAL_DIST_ERROR_STRATEGY", "_F_DES")
        else ""
    )
    error = errors_pb2.ContainerError(
        code=code,
        message=message,
        kind=kind,
        origin=origin,
        timestamp=_timestamp(exc),
        worker=worker,
    )
    return errors_pb2.ErrorDocument(error=error)


def _timestamp(exc: BaseException | None) -> Timestamp:
    """When the error happened: the Flyte exception's own time if it has one, else now."""
    seconds = exc.timestamp if isinstance(exc, FlyteException) else None
    if seconds is None:
        seconds = time.time()
    whole = int(seconds)
    return Timestamp(seconds=whole, nanos=int((seconds - whole) * 1_000_000_000))


def _first_of(*names: str) -> str:
    for name in names:
        if name in os.environ:
            return os.environ[name]
    return ""

"""The control plane's errors, and the guard that turns them into gRPC statuses the way flyteadmin does.

Every servicer method runs under :func:`guard_servicer`: an :class:`AdminError` becomes its gRPC code with
its message; anything else becomes INTERNAL with a one-line message (the traceback goes to the log).
Nothing ever reaches the client as UNKNOWN or UNAUTHENTICATED: flytekit answers those two codes by
starting a browser login.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

_log = logging.getLogger("flyte_core.sandbox")


class AdminError(Exception):
    """An error with a flyteadmin status code; the message says what is wrong and what to do."""

    code = "INTERNAL"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(AdminError):
    code = "NOT_FOUND"


class AlreadyExists(AdminError):
    code = "ALREADY_EXISTS"


class InvalidArgument(AdminError):
    code = "INVALID_ARGUMENT"


class FailedPrecondition(AdminError):
    code = "FAILED_PRECONDITION"


class Unimplemented(AdminError):
    code = "UNIMPLEMENTED"


class Internal(AdminError):
    code = "INTERNAL"


_S = TypeVar("_S", bound=type)


def guard_servicer(servicer_class: _S) -> _S:
    """Class decorator: every RPC of the generated servicer base maps its errors as flyteadmin does.

    RPCs the subclass does not implement answer UNIMPLEMENTED with a message naming the RPC (the generated
    base would raise and surface as UNKNOWN).
    """
    base = next(
        (klass for klass in servicer_class.__mro__[1:] if klass.__name__.endswith("Servicer")),
        None,
    )
    if base is None:
        raise TypeError(f"{servicer_class.__name__} does not derive from a generated *Servicer class")
    service = base.__name__.removesuffix("Servicer")
    for name, member in vars(base).items():
        if name.startswith("_") or not inspect.isfunction(member):
            continue
        implementation = getattr(servicer_class, name)
        if implementation is member:
            implementation = _unimplemented(service, name)
        setattr(servicer_class, name, _guarded(service, name, implementation))
    return servicer_class


def _unimplemented(service: str, rpc: str) -> Callable[..., Any]:
    def handler(self: Any, request: Any, context: Any) -> Any:
        raise Unimplemented(f"{service}.{rpc} is not implemented by the flyte-core sandbox")

    return handler


def _guarded(service: str, rpc: str, implementation: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(implementation)
    def handler(self: Any, request: Any, context: Any) -> Any:
        try:
            return implementation(self, request, context)
        except AdminError as error:
            code, message = error.code, error.message
        except Exception as error:
            _log.exception("%s.%s failed", service, rpc)
            code = "INTERNAL"
            message = f"{service}.{rpc} failed in the sandbox: {type(error).__name__}: {_one_line(str(error))}"
        import grpc

        context.abort(getattr(grpc.StatusCode, code), message)

    return handler


def _one_line(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:500]

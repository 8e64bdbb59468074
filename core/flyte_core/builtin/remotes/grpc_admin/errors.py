"""gRPC status -> flyte_core exception, each message starting with the RPC's name and carrying the server's details.

Every exception raised here has ``rpc`` (the method, ``"GetTask"``) and ``code`` (the gRPC status name,
``"NOT_FOUND"``) as attributes, so callers can branch on them without parsing messages.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from flyte_core.exceptions.base import FlyteException
from flyte_core.exceptions.system import FlyteSystemException, FlyteSystemUnavailableException
from flyte_core.exceptions.user import (
    FlyteAuthenticationException,
    FlyteEntityAlreadyExistsException,
    FlyteEntityNotExistException,
    FlyteInvalidInputException,
    FlyteTimeout,
)

__all__ = [
    "auth_failed",
    "is_auth_challenge",
    "is_retryable",
    "is_tls_failure",
    "rpc_exception",
    "tagged",
    "unreachable",
]

_E = TypeVar("_E", bound=BaseException)

_TLS_FAILURE = re.compile(r"ssl|tls|handshake|certificate", re.IGNORECASE)
# An ingress that sends unauthenticated callers to a login page (or answers 401/403 over HTTP) reaches the
# client as UNKNOWN "Received http2 header with status: 302"; flytekit refreshes credentials on it too.
_HTTP_AUTH_STATUS = re.compile(r"http2 header with status: (30[1278]|401|403)\b")

_CONNECT_HINT = (
    "Check admin.endpoint in your config (or FLYTE_PLATFORM_URL) and that the server is running; "
    "for the local sandbox, start it with `pyflyte sandbox start`"
)
_TLS_HINT = (
    "If the server's certificate comes from a private CA, set admin.caCertFilePath to that CA's PEM file "
    "(or admin.insecureSkipVerify: true); if the server speaks plaintext (the local sandbox), set "
    "admin.insecure: true (FLYTE_PLATFORM_INSECURE=true)"
)


def tagged(exc: _E, rpc: str, code: str) -> _E:
    """``exc`` with its ``rpc`` and ``code`` attributes set."""
    exc.__dict__.update(rpc=rpc, code=code)
    return exc


def is_tls_failure(details: str) -> bool:
    """Whether an UNAVAILABLE status comes from a failed TLS handshake (retrying will not help)."""
    return bool(_TLS_FAILURE.search(details))


def is_retryable(code: str, details: str) -> bool:
    """Only transient unavailability is retried: never a definite answer such as ALREADY_EXISTS."""
    return code == "UNAVAILABLE" and not is_tls_failure(details)


def is_auth_challenge(code: str, details: str) -> bool:
    """Whether the server (or an ingress in front of it) asks for credentials."""
    return code == "UNAUTHENTICATED" or (code == "UNKNOWN" and bool(_HTTP_AUTH_STATUS.search(details)))


def rpc_exception(
    rpc: str,
    code: str,
    details: str,
    endpoint: str,
    *,
    request: Any = None,
    attempts: int = 1,
    secure: bool = True,
    timeout: float | None = None,
) -> FlyteException:
    """The flyte_core exception for a failed call of ``rpc`` on ``endpoint``.

    ``request`` goes on FlyteInvalidInputException; ``attempts``, ``secure`` and ``timeout`` refine the messages.
    """
    details = details or code
    exc: FlyteException
    if code == "ALREADY_EXISTS":
        exc = FlyteEntityAlreadyExistsException(f"{rpc}: {details}")
    elif code == "NOT_FOUND":
        exc = FlyteEntityNotExistException(f"{rpc}: {details}")
    elif code == "INVALID_ARGUMENT":
        exc = FlyteInvalidInputException(request, message=f"{rpc}: {details}")
    elif code == "PERMISSION_DENIED":
        exc = FlyteAuthenticationException(f"{rpc}: the Flyte admin at {endpoint} denied permission: {details}")
    elif code == "UNAUTHENTICATED":
        exc = FlyteAuthenticationException(f"{rpc}: the Flyte admin at {endpoint} requires credentials: {details}")
    elif code == "UNAVAILABLE" and is_tls_failure(details):
        exc = FlyteSystemUnavailableException(
            f"{rpc}: the TLS handshake with the Flyte admin at {endpoint} failed ({details}). {_TLS_HINT}"
        )
    elif code == "UNAVAILABLE":
        return unreachable(rpc, endpoint, details, attempts, secure=secure)
    elif code == "DEADLINE_EXCEEDED":
        within = f"within {timeout:g} s" if timeout is not None else "before the deadline"
        exc = FlyteTimeout(f"{rpc}: no answer from the Flyte admin at {endpoint} {within} ({details})")
    else:
        exc = FlyteSystemException(f"{rpc}: {details} ({code} from the Flyte admin at {endpoint})")
    return tagged(exc, rpc, code)


def unreachable(
    rpc: str, endpoint: str, details: str, attempts: int = 1, *, secure: bool = True
) -> FlyteSystemUnavailableException:
    """The error when the admin cannot be reached at all (nothing listening, DNS, network, TLS expected)."""
    tried = f" after {attempts} attempts" if attempts > 1 else ""
    hint = _CONNECT_HINT
    if not secure and "socket closed" in details.lower():
        hint += (
            "; the channel is plaintext (admin.insecure: true): if the server expects TLS, set admin.insecure: false"
        )
    exc = FlyteSystemUnavailableException(
        f"{rpc}: the Flyte admin at {endpoint} could not be reached{tried} ({details}). {hint}"
    )
    return tagged(exc, rpc, "UNAVAILABLE")


def auth_failed(rpc: str, endpoint: str, mode: str, problem: str, hint: str) -> FlyteAuthenticationException:
    """The error when credentials could not be obtained, or were obtained and still rejected."""
    exc = FlyteAuthenticationException(
        f"{rpc}: the Flyte admin at {endpoint} requires authentication (auth mode {mode}): {problem}. {hint}"
    )
    return tagged(exc, rpc, "UNAUTHENTICATED")

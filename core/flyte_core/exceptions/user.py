"""Errors caused by user code or user input (``USER:`` error codes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flyte_core.exceptions.base import FlyteException, FlyteRecoverableException


class FlyteUserException(FlyteException):
    _ERROR_CODE = "USER:Unknown"


class FlyteUserRuntimeException(FlyteException):
    """Wraps an exception raised by user code while a task runs in a container."""

    _ERROR_CODE = "USER:RuntimeError"

    def __init__(self, exc_value: BaseException, timestamp: float | None = None) -> None:
        super().__init__(str(exc_value), timestamp=timestamp)
        self._exc_value = exc_value

    @property
    def value(self) -> BaseException:
        return self._exc_value

    @property
    def error_code(self) -> str:
        return str(getattr(self._exc_value, "error_code", self._ERROR_CODE))


class FlyteTypeException(FlyteUserException, TypeError):
    _ERROR_CODE = "USER:TypeError"

    def __init__(
        self,
        received_type: Any,
        expected_type: Any,
        additional_msg: str | None = None,
        received_value: Any = None,
    ) -> None:
        message = f"Type error! Received: {received_type}"
        if received_value is not None:
            message += f" with value: {received_value}"
        message += f", Expected: {expected_type}"
        if additional_msg:
            message += f". {additional_msg}"
        super().__init__(message)


class FlyteValueException(FlyteUserException, ValueError):
    _ERROR_CODE = "USER:ValueError"

    def __init__(self, received_value: Any, error_message: str) -> None:
        super().__init__(f"Value error!  Received: {received_value}. {error_message}")


class FlyteDataNotFoundException(FlyteValueException):
    def __init__(self, path: str) -> None:
        super().__init__(path, "File not found")


class FlyteEntityNotFoundException(FlyteValueException):
    def __init__(self, module_name: str, entity_name: str) -> None:
        self._module_name = module_name
        self._entity_name = entity_name
        ValueError.__init__(self, f"Task/Workflow '{entity_name}' not found in module '{module_name}'")


class FlyteAssertion(FlyteUserException, AssertionError):
    _ERROR_CODE = "USER:AssertionError"


class FlyteValidationException(FlyteAssertion):
    _ERROR_CODE = "USER:ValidationError"


class FlyteFailureNodeInputMismatchException(FlyteAssertion):
    _ERROR_CODE = "USER:FailureNodeInputMismatch"


class FlyteDisapprovalException(FlyteAssertion):
    _ERROR_CODE = "USER:ResultNotApproved"


class FlyteEntityAlreadyExistsException(FlyteAssertion):
    _ERROR_CODE = "USER:EntityAlreadyExists"


class FlyteEntityNotExistException(FlyteAssertion):
    _ERROR_CODE = "USER:EntityNotExist"


class FlyteTimeout(FlyteAssertion):
    _ERROR_CODE = "USER:Timeout"


class FlyteRecoverableUserException(FlyteUserException, FlyteRecoverableException):
    _ERROR_CODE = "USER:Recoverable"


FlyteRecoverableException = FlyteRecoverableUserException  # flytekit's name in this module


class FlyteAuthenticationException(FlyteAssertion):
    _ERROR_CODE = "USER:AuthenticationError"


class FlyteInvalidInputException(FlyteUserException):
    _ERROR_CODE = "USER:InvalidInput"

    def __init__(self, request: Any, message: str | None = None) -> None:
        self.request = request
        super().__init__(message or f"Invalid input: {request}")


class FlytePromiseAttributeResolveException(FlyteAssertion):
    _ERROR_CODE = "USER:PromiseAttributeResolveError"


class FlyteCompilationException(FlyteUserException):
    _ERROR_CODE = "USER:CompileError"

    def __init__(self, fn: Callable[..., Any], param_name: str | None = None) -> None:
        self.fn = fn
        self.param_name = param_name
        super().__init__(str(self))


class FlyteMissingTypeException(FlyteCompilationException):
    _ERROR_CODE = "USER:MissingTypeError"

    def __str__(self) -> str:
        name = getattr(self.fn, "__qualname__", self.fn)
        return (
            f"'{self.param_name}' has no type. Please add a type annotation to the input parameter (function '{name}')."
        )


class FlyteMissingReturnValueException(FlyteCompilationException):
    _ERROR_CODE = "USER:MissingReturnValueError"

    def __str__(self) -> str:
        return (
            f"{self.fn.__name__} function must return a value. Please add a return statement at the end of the "
            "function."
        )

"""Errors of the platform or of flyte-core itself (``SYSTEM:`` error codes)."""

from __future__ import annotations

from typing import Any

from flyte_core.exceptions.base import FlyteException, FlyteRecoverableException


class FlyteSystemException(FlyteRecoverableException):
    _ERROR_CODE = "SYSTEM:Unknown"


class FlyteSystemUnavailableException(FlyteSystemException):
    _ERROR_CODE = "SYSTEM:Unavailable"


class FlyteNotImplementedException(FlyteSystemException, NotImplementedError):
    _ERROR_CODE = "SYSTEM:NotImplemented"


class FlyteEntrypointNotLoadable(FlyteSystemException):
    _ERROR_CODE = "SYSTEM:UnloadableCode"

    def __init__(self, task_module: str, task_name: str | None = None, additional_msg: str | None = None) -> None:
        message = f"Entrypoint is not loadable!  Could not load the module: '{task_module}'"
        if task_name is not None:
            message += f" due to error: {task_name}"
        if additional_msg is not None:
            message += f" {additional_msg}"
        super().__init__(message)


class FlyteSystemAssertion(FlyteSystemException, AssertionError):
    _ERROR_CODE = "SYSTEM:AssertionError"


class FlyteDownloadDataException(FlyteSystemException):
    _ERROR_CODE = "SYSTEM:DownloadDataError"


class FlyteUploadDataException(FlyteSystemException):
    _ERROR_CODE = "SYSTEM:UploadDataError"


class FlyteNonRecoverableSystemException(FlyteException):
    _ERROR_CODE = "SYSTEM:NonRecoverableSystemException"

    def __init__(self, exc_value: Any) -> None:
        self._exc_value = exc_value
        super().__init__(str(exc_value))

    @property
    def value(self) -> Any:
        return self._exc_value

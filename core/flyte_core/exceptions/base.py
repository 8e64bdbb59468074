"""Root exception types; each carries an error code (``USER:...``, ``SYSTEM:...``) written to error.pb."""

from __future__ import annotations

from typing import Any


class FlyteException(Exception):
    """Base of every flyte-core exception."""

    _ERROR_CODE = "UnknownFlyteException"

    @property
    def error_code(self) -> str:
        return self._ERROR_CODE

    def __init__(self, *args: Any, timestamp: float | None = None) -> None:
        super().__init__(*args)
        self._timestamp = timestamp

    @property
    def timestamp(self) -> float | None:
        return self._timestamp


class FlyteRecoverableException(FlyteException):
    """An error after which retrying the task may succeed."""

    _ERROR_CODE = "RecoverableFlyteException"

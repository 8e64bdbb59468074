"""The base of ``FlyteRemote``: its settings (config, default project and domain) and its transport.

``RemoteConnection`` opens the ``RemoteBackend`` on first use and sends admin requests through it; the classes
of the other jobs (fetching, registration, launching, following, signals) build on it.
"""

from __future__ import annotations

import os
from typing import Any

from google.protobuf.message import Message

from flyte_core.config import Config
from flyte_core.exceptions.user import FlyteValueException
from flyte_core.remote.backend import RemoteBackend, open_backend
from flyte_core.remote.interactive import in_notebook

__all__ = ["RemoteConnection"]

_ADMIN = "AdminService"


class RemoteConnection:
    """Where the control plane is, the defaults of every call, and the transport (see ``FlyteRemote``)."""

    def __init__(
        self,
        config: Config,
        default_project: str | None = None,
        default_domain: str | None = None,
        data_upload_location: str = "flyte://my-s3-bucket/",
        interactive_mode_enabled: bool | None = None,
        **backend_kwargs: Any,
    ) -> None:
        if config is None or not isinstance(config, Config):
            raise FlyteValueException(config, "FlyteRemote needs a Config, e.g. Config.auto() or Config.for_sandbox()")
        self._config = config
        self._default_project = default_project or os.environ.get("FLYTE_DEFAULT_PROJECT") or "flytesnacks"
        self._default_domain = default_domain or os.environ.get("FLYTE_DEFAULT_DOMAIN") or "development"
        self._data_upload_location = data_upload_location
        self._interactive_mode_enabled = (
            in_notebook() if interactive_mode_enabled is None else bool(interactive_mode_enabled)
        )
        self._backend_kwargs = backend_kwargs
        self._backend: RemoteBackend | None = None
        self._entity_cache: dict[tuple[int, str, str, str, str], Any] = {}

    @property
    def config(self) -> Config:
        return self._config

    @property
    def default_project(self) -> str:
        return self._default_project

    @property
    def default_domain(self) -> str:
        return self._default_domain

    @property
    def interactive_mode_enabled(self) -> bool:
        return self._interactive_mode_enabled

    @property
    def backend(self) -> RemoteBackend:
        """The transport, opened on first use."""
        if self._backend is None:
            self._backend = open_backend(self._config, **self._backend_kwargs)
        return self._backend

    client = backend
    """flytekit's name for the transport."""

    def close(self) -> None:
        """Close the transport; the remote opens a new one if used again."""
        if self._backend is not None:
            self._backend.close()
            self._backend = None

    def _call(self, method: str, request: Message, service: str = _ADMIN) -> Any:
        return self.backend.call(service, method, request)

    def _project_domain(self, project: str | None, domain: str | None) -> tuple[str, str]:
        return project or self._default_project, domain or self._default_domain


def _required(value: str | None, what: str) -> str:
    if not value:
        raise FlyteValueException(value, f"a {what} is required")
    return value

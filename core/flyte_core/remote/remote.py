"""``FlyteRemote``: register, launch and follow entities on a Flyte control plane (a cluster or the sandbox).

Every call goes through a ``RemoteBackend`` (the gRPC admin client by default, chosen by the endpoint's
scheme); ``FlyteRemote`` is the flytekit-compatible facade over the modules of each job, which turn SDK
entities and Python values into admin requests and the answers back into ``FlyteTask`` / ``FlyteWorkflow`` /
``FlyteLaunchPlan`` and ``FlyteWorkflowExecution`` objects: ``connection.py`` (settings and transport),
``fetching.py``, ``registration.py``, ``launching.py``, ``following.py`` and ``signals.py``.
"""

from __future__ import annotations

from typing import Any

from flyteidl.core import identifier_pb2

from flyte_core.config import Config
from flyte_core.exceptions.user import FlyteValueException
from flyte_core.remote.connection import _ADMIN
from flyte_core.remote.entities import RemoteEntity
from flyte_core.remote.executions import FlyteWorkflowExecution
from flyte_core.remote.fetching import EntityFetching
from flyte_core.remote.following import ExecutionFollowing
from flyte_core.remote.launching import ExecutionLaunching
from flyte_core.remote.registration import EntityRegistration, FastPackageOptions, RegistrationResult
from flyte_core.remote.signals import ExecutionSignals

__all__ = ["FastPackageOptions", "FlyteRemote", "RegistrationResult"]


class FlyteRemote(ExecutionLaunching, EntityRegistration, ExecutionFollowing, ExecutionSignals, EntityFetching):
    """A client of one Flyte control plane.

    Args:
        config: where the control plane is and how to authenticate (``Config.auto()``, ``Config.for_sandbox()``).
        default_project: project used when a call gives none (``flytesnacks`` when unset, as flytekit's CLI).
        default_domain: domain used when a call gives none (``development`` when unset).
        data_upload_location: where local files given as inputs are uploaded (``flyte://`` = through the
            control plane's data proxy).
        interactive_mode_enabled: register entities defined in ``__main__`` or a notebook by pickling them;
            None means: when running in IPython/Jupyter.
        backend_kwargs: passed to the backend factory (gRPC channel options...).
    """

    # -- construction ---------------------------------------------------------------------------------

    @classmethod
    def auto(
        cls,
        config_file: Any = None,
        default_project: str | None = None,
        default_domain: str | None = None,
        **kwargs: Any,
    ) -> FlyteRemote:
        """A remote configured by ``Config.auto(config_file)``."""
        return cls(Config.auto(config_file), default_project, default_domain, **kwargs)

    @classmethod
    def for_sandbox(
        cls, default_project: str | None = None, default_domain: str | None = None, **kwargs: Any
    ) -> FlyteRemote:
        """A remote of the local sandbox (``pyflyte sandbox start``)."""
        return cls(Config.for_sandbox(), default_project, default_domain, **kwargs)

    @classmethod
    def for_endpoint(
        cls,
        endpoint: str,
        insecure: bool = False,
        default_project: str | None = None,
        default_domain: str | None = None,
        **kwargs: Any,
    ) -> FlyteRemote:
        """A remote of ``endpoint`` with the other settings from ``Config.auto()``."""
        return cls(Config.for_endpoint(endpoint, insecure), default_project, default_domain, **kwargs)

    def __enter__(self) -> FlyteRemote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- console and version -----------------------------------------------------------------------------

    def console_base(self) -> str:
        """The console's base URL: ``console.endpoint``, else the admin endpoint's host."""
        platform = self._config.platform
        endpoint = platform.console_endpoint or platform.endpoint
        if "://" in endpoint and not endpoint.startswith(("dns:", "grpc")):
            return endpoint.rstrip("/")
        host = endpoint.split("://", 1)[-1].removeprefix("/").removeprefix("//").lstrip("/")
        return f"{'http' if platform.insecure else 'https'}://{host}".rstrip("/")

    def generate_console_url(self, entity: Any) -> str:
        """The console page of an execution or a registered entity."""
        base = f"{self.console_base()}/console"
        if isinstance(entity, FlyteWorkflowExecution):
            ident = entity.proto.id
            return f"{base}/projects/{ident.project}/domains/{ident.domain}/executions/{ident.name}"
        if isinstance(entity, RemoteEntity):
            kind = {identifier_pb2.TASK: "task", identifier_pb2.WORKFLOW: "workflow"}.get(
                entity.resource_type, "launch_plan"
            )
            where = f"projects/{entity.project}/domains/{entity.domain}"
            return f"{base}/{where}/{kind}/{entity.name}/version/{entity.version}"
        raise FlyteValueException(entity, "has no console page: expected an execution or a registered entity")

    def get_version(self, timeout: float | None = 15.0) -> Any:
        """The control plane's version (``flyteidl.admin.Version``); gives up after ``timeout`` seconds."""
        from flyteidl.admin import version_pb2

        request = version_pb2.GetVersionRequest()
        return self.backend.call(_ADMIN, "GetVersion", request, timeout=timeout).control_plane_version

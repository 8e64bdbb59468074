"""``Secret`` requests and the ``SecurityContext`` a task or execution runs with."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field


@dataclass
class Secret:
    """A secret a task needs: ``Secret(group="db", key="password")``; read it with ``current_context().secrets``."""

    class MountType(enum.Enum):
        ANY = 0
        ENV_VAR = 1
        FILE = 2

    group: str | None = None
    key: str | None = None
    group_version: str | None = None
    mount_requirement: Secret.MountType = MountType.ANY
    env_var: str | None = None

    def __post_init__(self) -> None:
        if self.group is None and _defining_entities():
            # flytekit's rule (its default plugin): while tasks are being defined and registered, a group is needed
            raise ValueError(
                f"Group is a required parameter: Secret(group=..., key={self.key!r}) names the secret's group "
                "(the Kubernetes secret or vault path the backend reads it from)"
            )
        if self.group is None and self.key is None:
            raise ValueError("Secret needs at least a key (and usually a group): Secret(group=..., key=...)")
        if self.env_var is not None and not _ENV_VAR_NAME.match(self.env_var):
            raise ValueError(
                f"Invalid environment variable name: {self.env_var} (Secret env_var= must be upper case letters, "
                "digits and underscores, not starting with a digit)"
            )


_ENV_VAR_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def _defining_entities() -> bool:
    """Outside a task's execution: where flytekit checks secrets (inside a running task it does not)."""
    from flyte_core.context import FlyteContextManager

    state = FlyteContextManager.current_context().execution_state
    return state is None or state.mode is None


@dataclass
class Identity:
    iam_role: str | None = None
    k8s_service_account: str | None = None
    oauth2_client: str | None = None
    execution_identity: str | None = None


@dataclass
class OAuth2TokenRequest:
    name: str
    client: str
    type: int = 0
    idp_discovery_endpoint: str | None = None
    token_endpoint: str | None = None


@dataclass
class SecurityContext:
    run_as: Identity | None = None
    secrets: list[Secret] = field(default_factory=list)
    tokens: list[OAuth2TokenRequest] = field(default_factory=list)

"""flytekit's ``flytekit.models.security`` path for the security objects users pass to launch plans and tasks."""

from __future__ import annotations

from flyte_core.sdk.security import Identity, OAuth2TokenRequest, Secret, SecurityContext

__all__ = ["Identity", "OAuth2TokenRequest", "Secret", "SecurityContext"]

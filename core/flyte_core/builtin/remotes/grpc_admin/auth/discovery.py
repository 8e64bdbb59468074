"""What the admin says about its authorization server (``AuthMetadataService``), merged with the config.

Read only once the server has asked for credentials, over the same channel and without any.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flyte_core.config import PlatformConfig

__all__ = ["DEFAULT_HEADER_KEY", "DEFAULT_REDIRECT_URI", "AuthMetadata", "discover"]

DEFAULT_HEADER_KEY = "authorization"
DEFAULT_REDIRECT_URI = "http://localhost:53593/callback"
"""flytekit's and flytectl's redirect URI, registered for the ``flytectl`` client in a standard deployment."""


@dataclass(frozen=True)
class AuthMetadata:
    """Client settings and OAuth2 endpoints; ``client_id``, ``scopes`` and ``audience`` from the config win.

    Attributes:
        header_key: the gRPC metadata key the token goes in (``authorization`` unless the server says).
    """

    client_id: str = ""
    redirect_uri: str = DEFAULT_REDIRECT_URI
    scopes: tuple[str, ...] = ()
    audience: str = ""
    header_key: str = DEFAULT_HEADER_KEY
    token_endpoint: str = ""
    authorization_endpoint: str = ""
    device_authorization_endpoint: str = ""


def discover(platform: PlatformConfig, fetch: Callable[[str, Any], Any]) -> AuthMetadata:
    """Ask the server (``fetch(method, request)`` on ``AuthMetadataService``) and merge in the config.

    Raises whatever ``fetch`` raises when the server does not answer.
    """
    from flyteidl.service import auth_pb2

    client = fetch("GetPublicClientConfig", auth_pb2.PublicClientAuthConfigRequest())
    oauth2 = fetch("GetOAuth2Metadata", auth_pb2.OAuth2MetadataRequest())
    return AuthMetadata(
        client_id=platform.client_id or client.client_id,
        redirect_uri=client.redirect_uri or DEFAULT_REDIRECT_URI,
        scopes=tuple(platform.scopes or client.scopes),
        audience=platform.audience or client.audience,
        header_key=(client.authorization_metadata_key or DEFAULT_HEADER_KEY).lower(),
        token_endpoint=oauth2.token_endpoint,
        authorization_endpoint=oauth2.authorization_endpoint,
        device_authorization_endpoint=oauth2.device_authorization_endpoint,
    )

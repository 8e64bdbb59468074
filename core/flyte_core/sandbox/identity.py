"""``AuthMetadataService`` and ``IdentityService`` answered as an unauthenticated server.

flytekit never calls these on the happy path (the sandbox needs no login), but it does after any UNKNOWN or
UNAUTHENTICATED status; harmless answers here keep such a client from failing on missing metadata. The
sandbox never returns those two codes itself (see :mod:`sandbox.errors`).
"""

from __future__ import annotations

import getpass
from typing import Any

from flyteidl.service import auth_pb2, auth_pb2_grpc, identity_pb2, identity_pb2_grpc

from flyte_core.sandbox.errors import guard_servicer


@guard_servicer
class AuthMetadataService(auth_pb2_grpc.AuthMetadataServiceServicer):
    """OAuth2 metadata for a server that requires no authentication (endpoints on the sandbox's HTTP side)."""

    def __init__(self, http_base_url: str) -> None:
        self.base = http_base_url.rstrip("/")

    def GetOAuth2Metadata(
        self, request: auth_pb2.OAuth2MetadataRequest, context: Any
    ) -> auth_pb2.OAuth2MetadataResponse:
        return auth_pb2.OAuth2MetadataResponse(
            issuer=self.base,
            authorization_endpoint=f"{self.base}/oauth2/authorize",
            token_endpoint=f"{self.base}/oauth2/token",
            response_types_supported=["code"],
            scopes_supported=["all"],
            token_endpoint_auth_methods_supported=["client_secret_basic"],
            jwks_uri=f"{self.base}/oauth2/jwks",
            code_challenge_methods_supported=["S256"],
            grant_types_supported=["client_credentials", "authorization_code"],
        )

    def GetPublicClientConfig(
        self, request: auth_pb2.PublicClientAuthConfigRequest, context: Any
    ) -> auth_pb2.PublicClientAuthConfigResponse:
        return auth_pb2.PublicClientAuthConfigResponse(
            client_id="flytectl",
            redirect_uri="http://localhost:53593/callback",
            scopes=["all"],
            authorization_metadata_key="flyte-authorization",
        )


@guard_servicer
class IdentityService(identity_pb2_grpc.IdentityServiceServicer):
    """Who the caller is: always the local user (the sandbox does not authenticate)."""

    def UserInfo(self, request: identity_pb2.UserInfoRequest, context: Any) -> identity_pb2.UserInfoResponse:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "sandbox"
        return identity_pb2.UserInfoResponse(subject=user, name=user, preferred_username=user)

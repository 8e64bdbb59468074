"""``ExternalCommand`` / ``external_process``: a command prints the token (``admin.command``, ``proxyCommand``)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from flyte_core.builtin.remotes.grpc_admin.auth.discovery import DEFAULT_HEADER_KEY
from flyte_core.builtin.remotes.grpc_admin.auth.flow import AuthError, TokenFlow
from flyte_core.builtin.remotes.grpc_admin.auth.oauth_http import Token

__all__ = ["ExternalCommandFlow", "run_token_command"]

_COMMAND_TIMEOUT = 120.0


def run_token_command(command: Sequence[str], setting: str) -> str:
    """Run ``command`` and return its stripped standard output, the token; ``setting`` names it in errors."""
    if not command:
        raise AuthError(f"{setting} is not set: give the command that prints a token")
    shown = " ".join(command)
    try:
        result = subprocess.run(list(command), capture_output=True, text=True, timeout=_COMMAND_TIMEOUT, check=False)
    except FileNotFoundError:
        raise AuthError(f"the command {command[0]!r} from {setting} was not found") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AuthError(f"the command {shown!r} from {setting} could not run: {exc}") from None
    if result.returncode != 0:
        tail = result.stderr.strip().splitlines()[-1:] or ["no error output"]
        raise AuthError(f"the command {shown!r} from {setting} exited with {result.returncode}: {tail[0]}")
    token = result.stdout.strip()
    if not token:
        raise AuthError(f"the command {shown!r} from {setting} printed no token")
    return token


class ExternalCommandFlow(TokenFlow):
    """The token is whatever ``admin.command`` prints; it is run again when the server rejects the token."""

    kind = "external command"
    hint = "Check that admin.command (credentials.command) prints a valid access token for this server"

    def header_key(self) -> str:
        # A token from a command needs no OAuth2 server: an admin without AuthMetadataService still works.
        try:
            return super().header_key()
        except Exception:
            return DEFAULT_HEADER_KEY

    def fetch(self, previous: Token | None) -> Token:
        return Token(access_token=run_token_command(self.context.platform.command or [], "admin.command"))

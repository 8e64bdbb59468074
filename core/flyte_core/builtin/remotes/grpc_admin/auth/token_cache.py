"""Where interactive logins (PKCE, device flow) keep their tokens: the OS keyring, else this process's memory.

``keyring`` is optional and imported on first use; when it is missing or has no usable backend (a headless
Linux box), tokens live in memory for the life of the process, shared by every backend of the same endpoint.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flyte_core.builtin.remotes.grpc_admin.auth.oauth_http import Token

__all__ = ["TokenCache"]

_log = logging.getLogger(__name__)

_FIELDS = ("access_token", "refresh_token", "expires_at")
_MEMORY: dict[str, dict[str, str]] = {}
_MEMORY_LOCK = threading.Lock()
_AUTO: Any = object()


class TokenCache:
    """The tokens of one endpoint, under the keyring service ``flyte-core:<endpoint>``.

    ``keyring`` is the keyring module to use: left out, ``import keyring`` is tried on first use; ``None``
    means memory only.
    """

    def __init__(self, endpoint: str, keyring: Any = _AUTO) -> None:
        self.service = f"flyte-core:{endpoint}"
        self._keyring = keyring

    @property
    def where(self) -> str:
        """``"keyring"`` or ``"memory"``: where the tokens are kept (imports ``keyring`` if not tried yet)."""
        return "keyring" if self._backend() is not None else "memory"

    def load(self) -> Token | None:
        """The cached token, or None when there is none."""
        values = {name: self._get(name) for name in _FIELDS}
        access, refresh = values["access_token"], values["refresh_token"]
        if not access and not refresh:
            return None
        try:
            expires_at = float(values["expires_at"]) if values["expires_at"] else None
        except ValueError:
            expires_at = None
        return Token(access_token=access or "", refresh_token=refresh or None, expires_at=expires_at)

    def save(self, token: Token) -> None:
        """Keep ``token`` (access, refresh and expiry) for the next call or process."""
        self._set("access_token", token.access_token)
        self._set("refresh_token", token.refresh_token)
        self._set("expires_at", None if token.expires_at is None else repr(token.expires_at))

    def forget_access_token(self) -> None:
        """Drop the access token (the server rejected it), keeping the refresh token."""
        self._set("access_token", None)
        self._set("expires_at", None)

    def _backend(self) -> Any:
        if self._keyring is _AUTO:
            try:
                import keyring  # type: ignore[import-not-found, unused-ignore]
            except ImportError:
                keyring = None
            self._keyring = keyring
        return self._keyring

    def _get(self, name: str) -> str | None:
        backend = self._backend()
        if backend is not None:
            try:
                value = backend.get_password(self.service, name)
                return value if isinstance(value, str) else None
            except Exception as exc:  # any keyring backend failure: fall back to memory, never fail the call
                self._keyring_failed(exc)
        with _MEMORY_LOCK:
            return _MEMORY.get(self.service, {}).get(name)

    def _set(self, name: str, value: str | None) -> None:
        backend = self._backend()
        if backend is not None:
            try:
                if value is None:
                    if backend.get_password(self.service, name) is not None:
                        backend.delete_password(self.service, name)
                else:
                    backend.set_password(self.service, name, value)
                return
            except Exception as exc:  # see _get
                self._keyring_failed(exc)
        with _MEMORY_LOCK:
            entry = _MEMORY.setdefault(self.service, {})
            if value is None:
                entry.pop(name, None)
            else:
                entry[name] = value

    def _keyring_failed(self, exc: Exception) -> None:
        _log.warning("the OS keyring is unusable (%s); keeping %s tokens in memory", exc, self.service)
        self._keyring = None

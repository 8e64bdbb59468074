"""Task cache settings: ``Cache(version=..., serialize=..., ignored_inputs=..., policies=...)``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass
class VersionParameters:
    """What a cache policy may hash into a version: the function, image and pod template."""

    func: Callable[..., Any]
    container_image: Any = None
    pod_template: Any = None
    pod_template_name: str | None = None


@runtime_checkable
class CachePolicy(Protocol):
    def get_version(self, salt: str, params: VersionParameters) -> str: ...


@dataclass
class Cache:
    """Cache configuration of a task: an explicit ``version`` or ``policies`` that derive one."""

    version: str | None = None
    serialize: bool = False
    ignored_inputs: tuple[str, ...] | str = ()
    salt: str = ""
    policies: list[CachePolicy] | CachePolicy | None = None
    _policies: list[CachePolicy] = field(init=False, repr=False, default_factory=list)
    _ignored_inputs: tuple[str, ...] = field(init=False, repr=False, default=())

    def __post_init__(self) -> None:
        self._ignored_inputs = (
            (self.ignored_inputs,) if isinstance(self.ignored_inputs, str) else tuple(self.ignored_inputs)
        )
        if self.policies is None:
            self._policies = []
        elif isinstance(self.policies, CachePolicy):
            self._policies = [self.policies]
        else:
            self._policies = list(self.policies)
        if self.version is None and not self._policies:
            raise ValueError("If version is not defined then at least one cache policy needs to be set")

    def get_ignored_inputs(self) -> tuple[str, ...]:
        return self._ignored_inputs

    def get_version(self, params: VersionParameters) -> str:
        if self.version is not None:
            return self.version
        digest = ""
        for policy in self._policies:
            try:
                digest += policy.get_version(self.salt, params)
            except Exception as exc:
                raise ValueError(f"Failed to generate version for cache policy {policy}.") from exc
        return hashlib.sha256(digest.encode("utf-8")).hexdigest()

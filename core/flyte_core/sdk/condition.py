"""``conditional(...)``: if/elif/else branches in a workflow (being implemented)."""

from __future__ import annotations

from typing import Any


class ConditionalSection:
    """A conditional being built with ``if_``/``elif_``/``else_``."""


def conditional(name: str) -> Any:
    raise NotImplementedError("conditional() is being implemented")

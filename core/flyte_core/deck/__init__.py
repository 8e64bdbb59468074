"""Decks and their renderers under flytekit's module path (``flytekit.deck`` -> ``flyte_core.deck``)."""

from __future__ import annotations

from flyte_core.sdk.deck import Deck, DeckField, TimeLineDeck
from flyte_core.sdk.renderers import (
    ArrowRenderer,
    MarkdownRenderer,
    PythonDependencyRenderer,
    Renderable,
    SourceCodeRenderer,
    TopFrameRenderer,
)

__all__ = [
    "ArrowRenderer",
    "Deck",
    "DeckField",
    "MarkdownRenderer",
    "PythonDependencyRenderer",
    "Renderable",
    "SourceCodeRenderer",
    "TimeLineDeck",
    "TopFrameRenderer",
]

"""Decks and their renderers under flytekit's module path (``flytekit.deck`` -> ``flyte_core.deck``)."""

from __future__ import annotations

from flyte_core.deck.renderer import (
    ArrowRenderer,
    MarkdownRenderer,
    PythonDependencyRenderer,
    Renderable,
    SourceCodeRenderer,
    TopFrameRenderer,
)
from flyte_core.sdk.deck import Deck, DeckField, TimeLineDeck

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

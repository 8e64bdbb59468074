"""flytekit's ``flytekit.deck.deck`` path: decks live in :mod:`flyte_core.sdk.deck`."""

from flyte_core.sdk.deck import DECK_FILE_NAME, Deck, DeckField, TimeLineDeck

__all__ = ["DECK_FILE_NAME", "Deck", "DeckField", "TimeLineDeck"]

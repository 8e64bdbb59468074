"""Decks: HTML reports a task renders about its inputs, outputs and anything it appends.

Enable with ``@task(enable_deck=True)``; ``Deck("name", html)`` adds a tab. After the task runs the
decks are written to ``deck.html`` (locally under the task's working directory, printed in the log).
"""

from __future__ import annotations

import enum
import html
import logging
import os
import typing
from typing import Any

if typing.TYPE_CHECKING:
    from flyte_core.sdk.context import ExecutionParameters

logger = logging.getLogger("flyte_core")


class DeckField(str, enum.Enum):
    SOURCE_CODE = "Source Code"
    DEPENDENCIES = "Dependencies"
    TIMELINE = "Timeline"
    INPUT = "Input"
    OUTPUT = "Output"


DEFAULT_DECK_FIELDS = (
    DeckField.SOURCE_CODE,
    DeckField.DEPENDENCIES,
    DeckField.TIMELINE,
    DeckField.INPUT,
    DeckField.OUTPUT,
)


class Deck:
    """A named tab of HTML in the task's report: ``Deck("plots", html)``, then ``.append(more_html)``."""

    def __init__(self, name: str, html: str | None = "", auto_add_to_deck: bool = True) -> None:
        self._name = name
        self._html = html or ""
        if auto_add_to_deck:
            from flyte_core.sdk.context import FlyteContextManager

            params = FlyteContextManager.current_context().user_space_params
            if params is not None:
                params.decks.append(self)

    def append(self, html: str) -> Deck:
        if not isinstance(html, str):
            raise TypeError(f"Deck.append takes HTML text, got {type(html).__name__}")
        self._html = self._html + html
        return self

    @property
    def name(self) -> str:
        return self._name

    @property
    def html(self) -> str:
        return self._html

    @staticmethod
    def publish() -> None:
        """Write the current task's decks now (they are written after the task anyway)."""
        from flyte_core.sdk.context import FlyteContextManager

        params = FlyteContextManager.current_context().user_space_params
        if params is not None:
            _write_deck_file(params)


class TimeLineDeck(Deck):
    """The timeline tab: time spent in each phase of the task."""

    def __init__(self, name: str, html: str | None = "", auto_add_to_deck: bool = False) -> None:
        super().__init__(name, html, auto_add_to_deck)
        self.time_info: list[dict[str, Any]] = []

    def append_time_info(self, info: dict[str, Any]) -> None:
        self.time_info.append(info)

    @property
    def html(self) -> str:
        if not self.time_info:
            return ""
        rows = "".join(
            f"<tr><td>{html.escape(str(i.get('Name', '')))}</td><td>{i.get('WallTime', '')}</td></tr>"
            for i in self.time_info
        )
        return f"<table><tr><th>Name</th><th>Wall time (s)</th></tr>{rows}</table>"


def _render_values(values: dict[str, Any], types: dict[str, Any]) -> str:
    from flyte_core.types.type_engine import TypeEngine

    rows = []
    for name, value in values.items():
        try:
            rendered = TypeEngine.to_html(None, value, types.get(name, type(value)))
        except Exception:
            rendered = html.escape(repr(value))
        rows.append(f"<h3>{html.escape(name)}</h3><div>{rendered}</div>")
    return "".join(rows)


def _output_deck(task: Any, inputs: dict[str, Any], outputs: dict[str, Any], params: ExecutionParameters) -> None:
    """Add the input/output/source tabs a task asked for and write its ``deck.html``."""
    fields = set(getattr(task, "deck_fields", []))
    if DeckField.INPUT in fields:
        params.decks.append(Deck("Input", _render_values(inputs, task.python_interface.inputs), auto_add_to_deck=False))
    if DeckField.OUTPUT in fields:
        params.decks.append(
            Deck("Output", _render_values(outputs, task.python_interface.outputs), auto_add_to_deck=False)
        )
    if DeckField.SOURCE_CODE in fields and hasattr(task, "task_function"):
        import inspect

        try:
            source = inspect.getsource(task.task_function)
        except (OSError, TypeError):
            source = ""
        params.decks.append(Deck("Source Code", f"<pre>{html.escape(source)}</pre>", auto_add_to_deck=False))
    _write_deck_file(params)


def _get_deck(params: ExecutionParameters, ignore_jupyter: bool = False) -> str:
    """The report page: one section per deck."""
    sections = []
    for deck in params.decks:
        sections.append(f'<section><h2>{html.escape(deck.name)}</h2><div class="deck">{deck.html}</div></section>')
    body = "".join(sections)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Flyte Deck</title></head><body>{body}</body></html>"
    )


def _write_deck_file(params: ExecutionParameters) -> str:
    directory = params.working_directory
    path = os.path.join(directory, "deck.html")
    with open(path, "w", encoding="utf-8") as f:
        f.write(_get_deck(params))
    logger.info(f"{len(params.decks)} Deck(s) written to {path}")
    return path

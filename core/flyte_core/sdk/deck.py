"""Decks: the HTML report of a task run, one tab per deck.

``@task(enable_deck=True)`` gives a task the tabs flytekit gives it, in flytekit's order: Timeline, the
decks the task made itself (``Deck("plots", html)``, ``current_context().default_deck``), Source Code,
Dependencies, Input, Output (``deck_fields=`` picks among the default ones). After the task returns
the page is written to ``deck.html`` in a fresh local directory, and its path is logged (INFO, logger
``flyte_core``) as flytekit logs it; in a container it is also uploaded next to the task's outputs.
Renderers (markdown, source code, data frames) are in ``flyte_core.sdk.renderers``
(flytekit's path: ``flyte_core.deck.renderer``).
"""

from __future__ import annotations

import datetime
import enum
import html
import os
import string
import sys
import time
import typing
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flyte_core.loggers import logger

if typing.TYPE_CHECKING:
    from flyte_core.context import ExecutionParameters

__all__ = ["DECK_FILE_NAME", "DEFAULT_DECK_FIELDS", "Deck", "DeckField", "TimeLineDeck", "timeit"]


DECK_FILE_NAME = "deck.html"
F = TypeVar("F", bound=Callable[..., Any])


class DeckField(str, enum.Enum):
    """The default decks a task can render (``@task(deck_fields=(DeckField.INPUT, ...))``)."""

    INPUT = "Input"
    OUTPUT = "Output"
    SOURCE_CODE = "Source Code"
    TIMELINE = "Timeline"
    DEPENDENCIES = "Dependencies"


DEFAULT_DECK_FIELDS = (
    DeckField.SOURCE_CODE,
    DeckField.DEPENDENCIES,
    DeckField.TIMELINE,
    DeckField.INPUT,
    DeckField.OUTPUT,
)


class Deck:
    """A named tab of HTML in the task's report: ``Deck("plots", html)``, then ``.append(more_html)``.

    Made inside a task, a deck joins the task's report (``auto_add_to_deck=False`` keeps it out).
    """

    def __init__(self, name: str, html: str | None = "", auto_add_to_deck: bool = True) -> None:
        self._name = name
        self._html = html or ""
        if auto_add_to_deck:
            from flyte_core.context import FlyteContextManager

            params = FlyteContextManager.current_context().user_space_params
            if params is not None:
                params.decks.append(self)

    def append(self, html: str) -> Deck:
        """Add HTML at the end of this tab (on a new line)."""
        if not isinstance(html, str):
            raise AssertionError(
                f"Deck '{self._name}'.append takes HTML text (str), got {type(html).__name__}: render the value "
                "first, e.g. with a renderer from flyte_core.deck.renderer"
            )
        self._html = self._html + "\n" + html
        return self

    @property
    def name(self) -> str:
        return self._name

    @property
    def html(self) -> str:
        return self._html

    def __repr__(self) -> str:
        return f"Deck({self._name!r}, {len(self.html)} characters of HTML)"

    @staticmethod
    def publish() -> None:
        """Write the current task's report now (it is written when the task returns anyway)."""
        from flyte_core.context import FlyteContextManager

        params = FlyteContextManager.current_context().user_space_params
        if params is None:
            logger.warning("Deck.publish() was called outside a task: there is no report to write")
            return
        task_name = params.task_id.name if params.task_id is not None and params.task_id.name else "task"
        if not params.enable_deck:
            logger.warning(
                f"Attempted to call publish() in task '{task_name}', but Flyte decks will not be generated "
                "because enable_deck is currently set to False."
            )
            return
        _write_deck(task_name, params)


class TimeLineDeck(Deck):
    """The Timeline tab: wall and process time of each step of the task, rendered when the page is written."""

    def __init__(self, name: str, html: str | None = "", auto_add_to_deck: bool = True) -> None:
        super().__init__(name, html, auto_add_to_deck)
        self.time_info: list[dict[str, Any]] = []

    def append_time_info(self, info: dict[str, Any]) -> None:
        """Record one step: ``Name``, ``Start``, ``Finish``, ``WallTime`` and ``ProcessTime`` (seconds)."""
        if not isinstance(info, dict):
            raise AssertionError(f"TimeLineDeck.append_time_info takes a dict, got {type(info).__name__}")
        self.time_info.append(info)

    @property
    def html(self) -> str:
        if not self.time_info:
            return ""
        rows = "".join(
            f"<tr><td>{html.escape(str(row.get('Name', '')))}</td>"
            f"<td>{row.get('WallTime', 0.0):.6f}</td><td>{row.get('ProcessTime', 0.0):.6f}</td></tr>"
            for row in self.time_info
        )
        return (
            '<table border="1" cellpadding="5" cellspacing="0" style="border-collapse: collapse; width: 100%;">'
            "<thead><tr><th>Name</th><th>Wall Time(s)</th><th>Process Time(s)</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            "<p><strong>Note:</strong></p><ol>"
            "<li>if the time duration is too small(< 1ms), it may be difficult to see on the time line graph.</li>"
            "<li>For accurate execution time measurements, users should refer to wall time and process time.</li>"
            "</ol>"
        )


class timeit:  # flytekit's name (flytekit.core.utils.timeit)
    """Time a block or a function into the current task's Timeline tab: ``with timeit("load data"):``."""

    def __init__(self, name: str = "") -> None:
        self._name = name
        self._start: datetime.datetime | None = None
        self._wall = 0.0
        self._process = 0.0

    def __call__(self, func: F) -> F:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with timeit(self._name):
                return func(*args, **kwargs)

        return typing.cast(F, wrapper)

    def __enter__(self) -> timeit:
        self._start = datetime.datetime.now(datetime.timezone.utc)
        self._wall = time.perf_counter()
        self._process = time.process_time()
        return self

    def __exit__(self, *exc_info: object) -> None:
        wall = time.perf_counter() - self._wall
        process = time.process_time() - self._process
        from flyte_core.context import FlyteContextManager

        params = FlyteContextManager.current_context().user_space_params
        if params is None:
            return
        _timeline_deck(params).append_time_info(
            {
                "Name": self._name,
                "Start": self._start,
                "Finish": datetime.datetime.now(datetime.timezone.utc),
                "WallTime": wall,
                "ProcessTime": process,
            }
        )
        logger.debug(f"{self._name}. [Time: {wall:.6f}s]")


def _timeline_deck(params: ExecutionParameters) -> TimeLineDeck:
    """The task's Timeline deck, made (first in the report) when the task has none yet."""
    for deck in params.decks:
        if isinstance(deck, TimeLineDeck):
            return deck
    deck = TimeLineDeck(DeckField.TIMELINE.value, auto_add_to_deck=False)
    params.decks.insert(0, deck)
    return deck


def _output_deck(task: Any, inputs: dict[str, Any], outputs: dict[str, Any], params: ExecutionParameters) -> None:
    """Add the default tabs ``task.deck_fields`` asks for, in flytekit's order, and write the report."""
    from flyte_core.context import FlyteContextManager

    fields = set(getattr(task, "deck_fields", ()) or ())
    if DeckField.TIMELINE in fields:
        _timeline_deck(params)
    else:  # timings recorded with timeit are shown only when the Timeline tab is asked for
        params.decks[:] = [deck for deck in params.decks if not isinstance(deck, TimeLineDeck)]
    if DeckField.SOURCE_CODE in fields and hasattr(task, "task_function"):
        import inspect

        try:
            source = inspect.getsource(task.task_function)
        except (OSError, TypeError):
            source = None
        if source is not None:
            from flyte_core.sdk.renderers import SourceCodeRenderer

            params.decks.append(Deck(DeckField.SOURCE_CODE.value, auto_add_to_deck=False))
            params.decks[-1].append(SourceCodeRenderer().to_html(source))
    if DeckField.DEPENDENCIES in fields:
        from flyte_core.sdk.renderers import PythonDependencyRenderer

        params.decks.append(Deck(DeckField.DEPENDENCIES.value, auto_add_to_deck=False))
        params.decks[-1].append(PythonDependencyRenderer().to_html())
    ctx = FlyteContextManager.current_context()
    if DeckField.INPUT in fields:
        deck = Deck(DeckField.INPUT.value, auto_add_to_deck=False)
        for name, value in inputs.items():
            deck.append(_render(ctx, value, task.python_interface.inputs.get(name, type(value))))
        params.decks.append(deck)
    if DeckField.OUTPUT in fields:
        deck = Deck(DeckField.OUTPUT.value, auto_add_to_deck=False)
        for name, value in outputs.items():
            deck.append(_render(ctx, value, task.python_interface.outputs.get(name, type(value))))
        params.decks.append(deck)
    _write_deck(task.name.split(".")[-1], params)


def _render(ctx: Any, value: Any, python_type: Any) -> str:
    """A value as HTML by its type's transformer (or an ``Annotated`` renderer); its repr when that fails."""
    from flyte_core.types.type_engine import TypeEngine

    try:
        return TypeEngine.to_html(ctx, value, python_type)
    except Exception as exc:  # a report must not fail the task
        logger.debug(f"could not render {type(value).__name__} as HTML: {exc}")
        return html.escape(repr(value))


def _get_deck(new_user_params: ExecutionParameters, ignore_jupyter: bool = False) -> Any:
    """The report page (one tab per deck name; a later deck of the same name replaces the earlier one's HTML).

    In a Jupyter notebook (unless ``ignore_jupyter``) an ``IPython.display.HTML`` object, else the HTML text.
    """
    tabs = {deck.name: deck.html for deck in new_user_params.decks}
    nav = "".join(f'<li onclick="handleLinkClick(this)">{html.escape(str(name))}</li>' for name in tabs)
    body = "".join(f"<div>{content}</div>" for content in tabs.values())  # renderers produce safe HTML
    page = string.Template(_PAGE).safe_substitute(NAV_HTML=nav, BODY_HTML=body)
    if not ignore_jupyter and _in_ipython():
        try:
            from IPython.core.display import HTML

            return HTML(page)
        except ImportError:
            pass
    return page


def _in_ipython() -> bool:
    ipython = sys.modules.get("IPython")
    return ipython is not None and getattr(ipython, "get_ipython", lambda: None)() is not None


def _write_deck(task_name: str, params: ExecutionParameters) -> str | None:
    """Write the report to ``<fresh local dir>/deck.html`` (uploaded too in a container); never raises."""
    from flyte_core.context import ExecutionState, FlyteContextManager

    ctx = FlyteContextManager.current_context()
    try:
        local_dir = ctx.file_access.get_random_local_directory()
        local_path = os.path.join(local_dir, DECK_FILE_NAME)
        with open(local_path, "w", encoding="utf-8") as f:
            f.write(_get_deck(params, ignore_jupyter=True))
        logger.info(f"{task_name} task creates flyte deck html to file://{local_path}")
        state = ctx.execution_state
        prefix = params.output_metadata_prefix
        if state is not None and state.mode == ExecutionState.Mode.TASK_EXECUTION and prefix:
            remote_path = f"{prefix.rstrip('/')}/{DECK_FILE_NAME}"
            ctx.file_access.put_data(local_path, remote_path, ContentType="text/html", content_type="text/html")
        return local_path
    except Exception as exc:
        logger.error(f"Failed to write flyte deck html with error {exc}.")
        return None


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>User Content</title>
<style>
  body { margin: 0; font-family: "Open Sans", Helvetica, Arial, sans-serif; }
  #flyte-frame-nav { display: flex; width: 100%; border-bottom: 1px solid #e0e0e0; }
  #flyte-frame-tabs { display: flex; flex-wrap: wrap; justify-content: center; width: 100%;
                      list-style: none; margin: 0; padding: 0; }
  #flyte-frame-tabs li { cursor: pointer; padding: 8px 12px; font-size: 14px; font-weight: 700;
                         color: #666666; min-width: 100px; text-align: center; }
  #flyte-frame-tabs li.active { color: #333333; border-bottom: 4px solid rgb(163, 26, 255); }
  #flyte-frame-container > div { display: none; }
  #flyte-frame-container > div.active { display: block; padding: 2rem; }
  table { border-collapse: collapse; border-spacing: 0; }
</style>
</head>
<body>
<nav id="flyte-frame-nav"><ul id="flyte-frame-tabs">$NAV_HTML</ul></nav>
<div id="flyte-frame-container">$BODY_HTML</div>
<script>
  function showTab(index) {
    for (const id of ["flyte-frame-tabs", "flyte-frame-container"]) {
      const children = document.getElementById(id).children;
      for (let i = 0; i < children.length; i++) {
        children[i].classList.toggle("active", children[i].getAttribute("link_index") === String(index));
      }
    }
  }
  function handleLinkClick(tab) { showTab(tab.getAttribute("link_index")); }
  (function () {
    const tabs = document.getElementById("flyte-frame-tabs").children;
    const panes = document.getElementById("flyte-frame-container").children;
    for (let i = 0; i < tabs.length; i++) {
      tabs[i].setAttribute("link_index", i + 1);
      if (panes[i]) { panes[i].setAttribute("link_index", i + 1); }
    }
    if (tabs.length) { showTab(1); }
  })();
</script>
</body>
</html>
"""

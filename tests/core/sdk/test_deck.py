"""Decks: ``@task(enable_deck=True)`` writes flytekit's tabs to a logged ``deck.html``; ``Deck(...)`` adds tabs."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import pytest

import flyte_core
from flyte_core import Deck, current_context, task, workflow
from flyte_core.deck import DeckField, MarkdownRenderer, SourceCodeRenderer, TopFrameRenderer
from flyte_core.sdk.deck import TimeLineDeck, timeit

_TAB = re.compile(r'<li onclick="handleLinkClick\(this\)">(.*?)</li>')


def _written_decks(caplog: pytest.LogCaptureFixture) -> list[Path]:
    found = re.findall(r"task creates flyte deck html to file://(\S+)", caplog.text)
    return [Path(path) for path in found]


def _tabs(page: str) -> list[str]:
    return _TAB.findall(page)


def _panes(page: str) -> list[str]:
    body = page.split('<div id="flyte-frame-container">', 1)[1].rsplit("</div>\n<script>", 1)[0]
    return re.findall(r"<div>(.*?)</div>(?=<div>|$)", body, re.S)


class Shout:
    """A renderer given in an ``Annotated`` type."""

    def to_html(self, value: str) -> str:
        return f"<h1>{value.upper()}</h1>"


@pytest.fixture
def deck_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="flyte_core")
    return caplog


def test_deck_is_exported_where_flytekit_users_import_it() -> None:
    from flyte_core.deck.renderer import MarkdownRenderer as FromRendererModule

    assert flyte_core.Deck is Deck
    assert FromRendererModule is MarkdownRenderer


def test_enabled_task_writes_flytekits_tabs_in_flytekits_order(deck_log: pytest.LogCaptureFixture) -> None:
    @task(enable_deck=True)
    def report(x: int) -> str:
        Deck("mine", "<b>hi</b>")
        current_context().default_deck.append("<i>d</i>")
        return str(x)

    @workflow
    def wf(x: int) -> str:
        return report(x=x)

    assert wf(x=3) == "3"
    [path] = _written_decks(deck_log)
    assert path.name == "deck.html"
    page = path.read_text()
    assert _tabs(page) == ["Timeline", "mine", "default", "Source Code", "Dependencies", "Input", "Output"]
    panes = _panes(page)
    assert panes[1:3] == ["<b>hi</b>", "\n<i>d</i>"]
    assert panes[-2:] == ["\n3", "\n3"]
    assert "report" in panes[3] and "highlight" in panes[3]
    assert "pluggy" in panes[4]


def test_log_names_the_task_and_the_file_as_flytekit_does(deck_log: pytest.LogCaptureFixture) -> None:
    @task(enable_deck=True, deck_fields=())
    def quiet() -> None: ...

    quiet()
    [record] = [r for r in deck_log.records if "deck html" in r.getMessage()]
    assert record.levelno == logging.INFO
    assert re.fullmatch(r"quiet task creates flyte deck html to file://\S+/deck\.html", record.getMessage())


def test_deck_fields_choose_the_default_tabs(deck_log: pytest.LogCaptureFixture) -> None:
    @task(enable_deck=True, deck_fields=(DeckField.OUTPUT, DeckField.INPUT))
    def double(x: int) -> int:
        return x * 2

    double(x=4)
    [path] = _written_decks(deck_log)
    assert _tabs(path.read_text()) == ["Input", "Output"]
    assert _panes(path.read_text()) == ["\n4", "\n8"]


def test_task_without_enable_deck_writes_nothing(deck_log: pytest.LogCaptureFixture) -> None:
    @task
    def plain(x: int) -> int:
        Deck("ignored", "<p>x</p>")
        return x

    plain(x=1)
    assert _written_decks(deck_log) == []


def test_annotated_renderer_renders_the_input(deck_log: pytest.LogCaptureFixture) -> None:
    @task(enable_deck=True, deck_fields=(DeckField.INPUT,))
    def greet(name: Annotated[str, Shout()]) -> None: ...

    greet(name="ada")
    [path] = _written_decks(deck_log)
    assert _panes(path.read_text()) == ["\n<h1>ADA</h1>"]


def test_timeit_in_a_task_fills_the_timeline_tab(deck_log: pytest.LogCaptureFixture) -> None:
    @task(enable_deck=True, deck_fields=(DeckField.TIMELINE,))
    def timed() -> None:
        with timeit("load data"):
            pass

    timed()
    [path] = _written_decks(deck_log)
    page = path.read_text()
    assert _tabs(page) == ["Timeline"]
    assert re.search(r"<td>load data</td><td>\d+\.\d{6}</td><td>\d+\.\d{6}</td>", page)


def test_publish_writes_the_report_while_the_task_runs(deck_log: pytest.LogCaptureFixture) -> None:
    @task(enable_deck=True, deck_fields=())
    def early() -> None:
        Deck("progress", "<p>half way</p>")
        Deck.publish()

    early()
    first, final = _written_decks(deck_log)
    assert _tabs(first.read_text()) == ["progress"] == _tabs(final.read_text())


def test_publish_without_enable_deck_only_warns(deck_log: pytest.LogCaptureFixture) -> None:
    @task
    def no_deck() -> None:
        Deck.publish()

    no_deck()
    assert "enable_deck is currently set to False" in deck_log.text
    assert _written_decks(deck_log) == []


def test_append_adds_a_line_of_html() -> None:
    deck = Deck("notes", "<p>a</p>", auto_add_to_deck=False)
    assert deck.append("<p>b</p>") is deck
    assert deck.html == "<p>a</p>\n<p>b</p>"


def test_append_of_something_else_than_html_text_is_an_assertion_error() -> None:
    with pytest.raises(AssertionError, match=r"Deck 'notes'.append takes HTML text \(str\), got int"):
        Deck("notes", auto_add_to_deck=False).append(3)  # type: ignore[arg-type]


def test_deck_made_outside_a_task_is_not_an_error() -> None:
    assert Deck("loose", "<p>x</p>").html == "<p>x</p>"


def test_timeline_deck_renders_rows_only_when_timed() -> None:
    deck = TimeLineDeck("Timeline", auto_add_to_deck=False)
    assert deck.html == ""
    deck.append_time_info({"Name": "<step>", "WallTime": 0.5, "ProcessTime": 0.25})
    assert "<td>&lt;step&gt;</td><td>0.500000</td><td>0.250000</td>" in deck.html


def test_source_code_renderer_highlights_python() -> None:
    html = SourceCodeRenderer().to_html("def f():\n    return 1\n")
    assert html.startswith("<style>") and 'class="highlight"' in html and "return" in html


def test_markdown_renderer_needs_markdown_it() -> None:
    try:
        import markdown_it  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install markdown-it-py"):
            MarkdownRenderer().to_html("# title")
    else:
        assert "<h1>title</h1>" in MarkdownRenderer().to_html("# title")


def test_top_frame_renderer_shows_the_first_rows() -> None:
    pandas = pytest.importorskip("pandas")
    html = TopFrameRenderer(max_rows=2).to_html(pandas.DataFrame({"a": range(10)}))
    assert "<table" in html and "..." in html


def test_top_frame_renderer_rejects_other_values() -> None:
    pytest.importorskip("pandas")
    with pytest.raises(AssertionError, match="TopFrameRenderer renders a pandas.DataFrame, got list"):
        TopFrameRenderer().to_html([1, 2])


def test_importing_decks_imports_no_renderer_library() -> None:
    code = (
        "import sys, flyte_core.deck, flyte_core.sdk.deck; "
        "print(sorted(m for m in ('pandas', 'pyarrow', 'pygments', 'markdown_it') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_timings_are_not_shown_when_the_timeline_tab_is_not_asked_for(deck_log: pytest.LogCaptureFixture) -> None:
    @task(enable_deck=True, deck_fields=(DeckField.OUTPUT,))
    def timed() -> int:
        with timeit("step"):
            return 1

    timed()
    [path] = _written_decks(deck_log)
    assert _tabs(path.read_text()) == ["Output"]

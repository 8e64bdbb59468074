"""Renderers: turn a value into the HTML of a deck (``Deck("data", TopFrameRenderer(5).to_html(df))``).

As ``flytekit.deck.renderer``; an ``Annotated[pd.DataFrame, TopFrameRenderer(10)]`` annotation renders a
task's input or output with the given renderer. Each renderer imports its library (pandas, pyarrow,
markdown-it-py, pygments) only when it renders.
"""

from __future__ import annotations

import html
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "DEFAULT_MAX_COLS",
    "DEFAULT_MAX_ROWS",
    "ArrowRenderer",
    "MarkdownRenderer",
    "PythonDependencyRenderer",
    "Renderable",
    "SourceCodeRenderer",
    "TopFrameRenderer",
]

DEFAULT_MAX_ROWS = 10
DEFAULT_MAX_COLS = 100


@runtime_checkable
class Renderable(Protocol):
    def to_html(self, python_value: Any) -> str:
        """The value as an HTML fragment."""
        raise NotImplementedError


class TopFrameRenderer:
    """The first rows and columns of a pandas DataFrame as an HTML table."""

    def __init__(self, max_rows: int = DEFAULT_MAX_ROWS, max_cols: int = DEFAULT_MAX_COLS) -> None:
        self._max_rows = max_rows
        self._max_cols = max_cols

    def to_html(self, df: Any) -> str:
        import pandas

        if not isinstance(df, pandas.DataFrame):
            raise AssertionError(f"TopFrameRenderer renders a pandas.DataFrame, got {type(df).__name__}")
        return str(df.to_html(max_rows=self._max_rows, max_cols=self._max_cols))


class ArrowRenderer:
    """A pyarrow Table as text."""

    def to_html(self, df: Any) -> str:
        import pyarrow

        if not isinstance(df, pyarrow.Table):
            raise AssertionError(f"ArrowRenderer renders a pyarrow.Table, got {type(df).__name__}")
        return str(df.to_string())


class MarkdownRenderer:
    """Markdown text as HTML (needs markdown-it-py, as flytekit does)."""

    def to_html(self, text: str) -> str:
        try:
            from markdown_it import MarkdownIt
        except ImportError as exc:
            raise ImportError("MarkdownRenderer needs the markdown-it-py package: pip install markdown-it-py") from exc
        return str(MarkdownIt().render(text))


class SourceCodeRenderer:
    """Python source code as highlighted HTML (pygments' "colorful" style; plain text without pygments)."""

    def __init__(self, title: str = "Source Code") -> None:
        self._title = title

    def to_html(self, source_code: str) -> str:
        try:
            from pygments import highlight
            from pygments.formatters.html import HtmlFormatter
            from pygments.lexers.python import PythonLexer
        except ImportError:
            return f'<div class="highlight"><pre>{html.escape(source_code)}</pre></div>'
        formatter = HtmlFormatter(style="colorful")
        css = formatter.get_style_defs(".highlight").replace("#fff0f0", "#ffffff")
        return f"<style>{css}</style>{highlight(source_code, PythonLexer(), formatter)}"


class PythonDependencyRenderer:
    """The Python distributions installed where the task runs: a table, and a requirements.txt to copy.

    Read from the environment's package metadata (flytekit runs ``pip list`` and ``pip freeze``, which
    takes seconds).
    """

    def __init__(self, title: str = "Dependencies") -> None:
        self._title = title

    def to_html(self) -> str:
        from importlib.metadata import distributions

        installed: dict[str, str] = {}
        for dist in distributions():
            name = dist.metadata["Name"]
            if name and name.lower() not in {n.lower() for n in installed}:
                installed[name] = dist.version
        packages = sorted(installed.items(), key=lambda item: item[0].lower())
        rows = "".join(
            f"<tr>\n<td>{html.escape(name)}</td>\n<td>{html.escape(version)}</td>\n</tr>\n"
            for name, version in packages
        )
        requirements = "\n".join(f"{name}=={version}" for name, version in packages)
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>Flyte Dependencies</title>
<script>
async function copyTable() {{
  const text = document.getElementById('requirements_txt').innerText;
  try {{
    await navigator.clipboard.writeText(text);
  }} catch (err) {{
    console.log('Error accessing the clipboard: ' + err);
  }}
}}
</script>
</head>
<body>
<button onclick="copyTable()"><span>Copy table as requirements.txt</span></button>
<h3>Python Dependencies</h3>
<table>
<tr>
<th style='text-align:left;'>Name</th>
<th style='text-align:left;'>Version</th>
</tr>
{rows}</table>
<div id="requirements_txt" style="display:none">{html.escape(requirements)}</div>
</body>
</html>
"""

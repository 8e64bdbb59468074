"""flytekit's ``flytekit.deck.renderer`` path: the renderers live in :mod:`flyte_core.sdk.renderers`."""

from flyte_core.sdk.renderers import (
    DEFAULT_MAX_COLS,
    DEFAULT_MAX_ROWS,
    ArrowRenderer,
    MarkdownRenderer,
    PythonDependencyRenderer,
    Renderable,
    SourceCodeRenderer,
    TopFrameRenderer,
)

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

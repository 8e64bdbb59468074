"""Each config test runs in an empty working directory with an empty home and no Flyte variables set,
so only the files and variables the test creates are seen."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

WriteFile = Callable[[Path | str, str], Path]


def _is_config_variable(name: str) -> bool:
    return name.startswith(("FLYTE_", "FLYTECTL_", "_FLYTECTL_", "_F_"))


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh ``HOME`` and working directory, and no configuration variable from the outer environment."""
    for name in list(os.environ):
        if _is_config_variable(name):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    return tmp_path


@pytest.fixture
def home(isolated: Path) -> Path:
    return isolated / "home"


@pytest.fixture
def work(isolated: Path) -> Path:
    return isolated / "work"


@pytest.fixture
def write_file(isolated: Path) -> WriteFile:
    """Write ``text`` to ``path`` (relative to the test's directory), creating parent directories."""

    def write(path: Path | str, text: str) -> Path:
        target = isolated / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return target

    return write

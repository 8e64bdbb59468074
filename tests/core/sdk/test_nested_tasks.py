"""A task function defined inside another function is refused where the default resolver could not find it
again in a container, as flytekit refuses it; test modules and module-level wrapped functions are allowed."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest

from flyte_core import task

MODULE = """
import functools

from flyte_core import task


def make_nested():
    @task
    def inner(x: int) -> int:
        return x

    return inner


def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)

    return wrapper


@task
@logged
def wrapped(x: int) -> int:
    return x + 1
"""


@pytest.fixture
def pipeline_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "nested_pipeline_defs.py").write_text(textwrap.dedent(MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("nested_pipeline_defs")
    sys.modules.pop("nested_pipeline_defs", None)


def test_a_nested_task_in_an_ordinary_module_is_refused(pipeline_module) -> None:
    with pytest.raises(ValueError, match=r"^TaskFunction cannot be a nested/inner or local function.*'make_nested"):
        pipeline_module.make_nested()


def test_a_module_level_functools_wrapped_task_is_allowed(pipeline_module) -> None:
    assert pipeline_module.wrapped(x=1) == 2


def test_a_test_module_may_define_nested_tasks() -> None:
    @task
    def inner(x: int) -> int:
        return x * 3

    assert inner(x=2) == 6

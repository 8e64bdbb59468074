"""Mocking tasks and workflows in unit tests (flytekit's ``flytekit.testing``): ``task_mock`` and ``patch``.

Both replace what an entity runs locally (its ``execute``) with a ``unittest.mock.MagicMock``, so a workflow
can be tested with some of its tasks stubbed out; the inputs are still converted, the outputs the mock returns
too. The entity is restored when the block or the test ends, also when it fails.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import MagicMock

from flyte_core.loggers import logger

__all__ = ["patch", "task_mock"]


def _check_mockable(entity: Any) -> None:
    from flyte_core.sdk.base_task import PythonTask
    from flyte_core.sdk.reference import ReferenceEntity
    from flyte_core.sdk.workflow import WorkflowBase

    if not isinstance(entity, (PythonTask, WorkflowBase, ReferenceEntity)):
        raise ValueError(
            f"Can only be used for tasks, workflows and reference entities declared in Python, but got "
            f"{type(entity)}: pass the @task / @workflow object itself"
        )


@contextmanager
def task_mock(t: Any) -> Iterator[MagicMock]:
    """Inside the block, running ``t`` calls the yielded mock with its inputs as keyword arguments.

    Example::

        with task_mock(t1) as m:
            m.return_value = 10
            assert my_wf(x=1) == 10
    """
    _check_mockable(t)
    mock = MagicMock()

    def _call(*args: Any, **kwargs: Any) -> Any:
        logger.warning(f"Invoking mock method for task: '{t.name}'")
        return mock(*args, **kwargs)

    with _replaced_execute(t, _call):
        yield mock


def patch(target: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A test decorator: the test receives a mock standing for ``target`` as its first argument.

    Example::

        @patch(t1)
        def test_wf(mock_t1):
            mock_t1.return_value = 10
            assert my_wf(x=1) == 10
    """
    _check_mockable(target)

    def wrapper(test_fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(test_fn)
        def new_test(*args: Any, **kwargs: Any) -> Any:
            logger.warning(f"Invoking mock method for target: '{target.name}'")
            mock = MagicMock()
            with _replaced_execute(target, mock):
                return test_fn(mock, *args, **kwargs)

        # pytest sees the test's own parameters after the mock's, so its other fixtures still arrive
        del new_test.__wrapped__  # type: ignore[attr-defined]
        signature = inspect.signature(test_fn)
        new_test.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=list(signature.parameters.values())[1:]
        )
        return new_test

    return wrapper


@contextmanager
def _replaced_execute(entity: Any, replacement: Callable[..., Any]) -> Iterator[None]:
    had_own = "execute" in vars(entity)
    saved = vars(entity).get("execute")
    entity.execute = replacement
    try:
        yield
    finally:
        if had_own:
            entity.execute = saved
        else:
            del entity.execute

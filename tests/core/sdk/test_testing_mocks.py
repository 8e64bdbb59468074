"""flytekit's ``task_mock`` and ``patch`` (``flyte_core.testing``, ``flyte_core.core.testing``): a task stubbed out
of a workflow under test, restored afterwards even when the test fails."""

from __future__ import annotations

import pytest
from flyte_core.core.testing import task_mock as task_mock_at_core_path

from flyte_core import task, workflow
from flyte_core.testing import SecretsManager, patch, task_mock


@task
def slow_lookup(key: str) -> int:
    if key:
        raise AssertionError("the real task must not run under a mock")
    return 0


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def pipeline(key: str) -> int:
    return double(x=slow_lookup(key=key))


def test_task_mock_replaces_the_task_inside_the_block_and_records_its_inputs() -> None:
    with task_mock(slow_lookup) as mock:
        mock.return_value = 21
        assert pipeline(key="answer") == 42
    mock.assert_called_once_with(key="answer")
    with pytest.raises(Exception, match="the real task must not run"):
        pipeline(key="answer")


def test_task_mock_restores_the_task_when_the_block_fails() -> None:
    with pytest.raises(RuntimeError), task_mock(double):
        raise RuntimeError("test failed inside the block")
    assert double(x=4) == 8


@patch(slow_lookup)
def test_patch_hands_the_mock_to_the_test(mock_lookup) -> None:
    mock_lookup.side_effect = lambda key: len(key)
    assert pipeline(key="four") == 8


@patch(double)
def test_patch_keeps_the_tests_other_fixtures(mock_double, tmp_path) -> None:
    mock_double.return_value = 7
    assert tmp_path.is_dir() and double(x=1) == 7


def test_only_flyte_entities_can_be_mocked() -> None:
    with pytest.raises(ValueError, match="Can only be used for tasks"), task_mock(len):
        pass


def test_the_flytekit_paths_are_the_same_objects() -> None:
    from flyte_core.context import SecretsManager as Real

    assert task_mock_at_core_path is task_mock and SecretsManager is Real

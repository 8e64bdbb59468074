"""``Secret`` is checked as flytekit checks it: a group is required while entities are defined, and an
``env_var`` must be a valid environment variable name."""

from __future__ import annotations

import pytest

from flyte_core import Secret, task
from flyte_core.context import ExecutionState, FlyteContextManager


def test_a_secret_without_a_group_is_refused_where_tasks_are_defined() -> None:
    with pytest.raises(ValueError, match=r"^Group is a required parameter: Secret\(group=\.\.\., key='token'\)"):

        @task(secret_requests=[Secret(key="token")])
        def uses_token() -> None: ...


def test_inside_a_running_task_a_secret_may_name_only_its_key() -> None:
    ctx = FlyteContextManager.current_context()
    state = ctx.new_execution_state().with_params(mode=ExecutionState.Mode.TASK_EXECUTION)
    with FlyteContextManager.with_context(ctx.with_execution_state(state)):
        assert Secret(key="token").key == "token"


def test_an_invalid_env_var_name_is_refused() -> None:
    with pytest.raises(ValueError, match="Invalid environment variable name: my-token"):
        Secret(group="g", key="k", env_var="my-token")
    assert Secret(group="g", key="k", env_var="MY_TOKEN").env_var == "MY_TOKEN"

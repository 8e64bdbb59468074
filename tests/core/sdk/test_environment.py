"""flytekit's ``Environment``: shared task settings, overridden per task and extended into new environments."""

from __future__ import annotations

import pytest
from flyte_core.core.environment import Environment as AtCorePath

from flyte_core import Environment, workflow


def test_tasks_take_the_environments_settings_and_their_own_win() -> None:
    env = Environment(retries=2, environment={"STAGE": "test", "REGION": "eu"}, cache=False)

    @env.task
    def plain(x: int) -> int:
        return x + 1

    @env.task(retries=5, environment={"REGION": "us"})
    def special(x: int) -> int:
        return x * 2

    @workflow
    def wf(x: int) -> int:
        return special(x=plain(x=x))

    assert wf(x=3) == 8
    assert plain.metadata.retries == 2 and special.metadata.retries == 5
    assert plain.environment == {"STAGE": "test", "REGION": "eu"}
    assert special.environment == {"STAGE": "test", "REGION": "us"}  # dicts merge key by key


def test_extend_makes_a_new_environment_and_update_changes_this_one() -> None:
    base = Environment(retries=1)
    more = base.extend(retries=3, interruptible=True)
    assert base.overrides == {"retries": 1} and more.overrides == {"retries": 3, "interruptible": True}
    base.update(retries=4)

    @base.task
    def t() -> int:
        return 1

    assert t.metadata.retries == 4


def test_dynamic_tasks_take_the_settings_too() -> None:
    env = Environment(retries=3)

    @env.dynamic
    def fan(n: int) -> int:
        return n

    assert fan.metadata.retries == 3 and fan(n=2) == 2


def test_a_misspelt_setting_fails_where_it_is_written() -> None:
    with pytest.raises(TypeError, match=r"unknown task setting\(s\) 'retires'.*@task takes: task_config"):
        Environment(retires=2)
    with pytest.raises(KeyError, match="Cannot override task function"):
        Environment(_task_function=len)


def test_the_flytekit_path_is_the_same_class() -> None:
    assert AtCorePath is Environment

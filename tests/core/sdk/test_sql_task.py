"""flytekit's ``SQLTask`` base: a query template filled with input values, mocked in local tests."""

from __future__ import annotations

import pytest
from flyte_core.core.base_sql_task import SQLTask as AtCorePath

from flyte_core import SQLTask, workflow
from flyte_core.extend import SQLTask as FromExtend
from flyte_core.testing import task_mock

QUERY = """
    SELECT *
    FROM   tracks
    LIMIT  {{ .inputs.limit }}   OFFSET {{.Inputs.skip}}
"""


def _task() -> SQLTask[None]:
    return SQLTask(name="tracks", query_template=QUERY, inputs={"limit": int, "skip": int}, outputs={"n": int})


def test_the_template_is_stored_on_one_line_and_filled_with_the_inputs() -> None:
    sql = _task()
    assert sql.query_template == "SELECT * FROM tracks LIMIT {{ .inputs.limit }} OFFSET {{.Inputs.skip}}"
    assert sql.get_query(limit=10, skip=5) == "SELECT * FROM tracks LIMIT 10 OFFSET 5"
    assert sql.task_type == "sql_task" and AtCorePath is SQLTask and FromExtend is SQLTask


def test_missing_and_extra_inputs_are_errors_as_in_flytekit() -> None:
    with pytest.raises(ValueError, match=r"^Variable skip in Query \(part of {{.Inputs.skip}}\) not found in inputs"):
        _task().get_query(limit=1)
    with pytest.raises(ValueError, match=r"^Extra Inputs have no matches in query template - missing {'other'}"):
        _task().get_query(limit=1, skip=2, other=3)


def test_a_sql_task_runs_locally_only_when_mocked() -> None:
    sql = _task()

    @workflow
    def wf(limit: int) -> int:
        return sql(limit=limit, skip=0)

    with pytest.raises(Exception, match="Cannot run a SQL Task natively, please mock"):
        wf(limit=3)
    with task_mock(sql) as mock:
        mock.return_value = 3
        assert wf(limit=3) == 3

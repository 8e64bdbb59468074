"""SandboxState (SQLite shared by threads, transactions, schema version) and flyteadmin's filter language."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from flyteidl.admin import common_pb2

from flyte_core.sandbox import filters
from flyte_core.sandbox.errors import InvalidArgument
from flyte_core.sandbox.state import SCHEMA_VERSION, SandboxState


@pytest.fixture
def state(tmp_path):
    opened = SandboxState(tmp_path / "state.db")
    yield opened
    opened.close()


def _task(state: SandboxState, name: str, version: str, created_at: float) -> None:
    state.insert(
        "tasks",
        project="p",
        domain="d",
        name=name,
        version=version,
        created_at=created_at,
        updated_at=created_at,
        digest=b"",
        record=b"",
    )


def test_a_new_file_has_the_schema_version_and_the_default_project(tmp_path) -> None:
    state = SandboxState(tmp_path / "state.db")
    assert state.schema_version() == SCHEMA_VERSION and state.project("flytesnacks") is not None
    state.close()
    reopened = SandboxState(tmp_path / "state.db")  # reopening neither migrates nor duplicates anything
    assert reopened.one("SELECT COUNT(*) FROM projects")[0] == 1
    reopened.close()


def test_a_newer_schema_is_refused_with_what_to_do(tmp_path) -> None:
    SandboxState(tmp_path / "state.db").close()
    db = sqlite3.connect(tmp_path / "state.db")
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(RuntimeError, match="upgrade flyte-core"):
        SandboxState(tmp_path / "state.db")


def test_threads_write_concurrently_and_a_failed_transaction_leaves_nothing(state) -> None:
    def writer(index: int) -> None:
        for version in range(25):
            with state.transaction():
                _task(state, f"t{index}", f"v{version}", float(version))
                with state.transaction():  # nested: part of the outer one
                    state.update("tasks", {"name": f"t{index}", "version": f"v{version}"}, digest=b"x")

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert state.one("SELECT COUNT(*) FROM tasks WHERE digest = x'78'")[0] == 200
    with pytest.raises(RuntimeError), state.transaction():
        _task(state, "doomed", "v1", 0.0)
        raise RuntimeError("changed my mind")
    assert state.find("tasks", name="doomed") is None


def test_filters_compile_to_sql_over_the_entity_fields(state) -> None:
    for index, (name, at) in enumerate([("a", 100.0), ("b", 200.0), ("a", 300.0), ("c_x", 400.0)]):
        _task(state, name, f"v{index}", at)

    def names(text: str, sort=None, limit: int = 10, token: str = "") -> list[str]:
        page = state.page("task", select="name", filters_text=text, sort_by=sort, limit=limit, token=token, rpc="T")
        return [row[0] for row in page.rows]

    assert names("value_in(name,a;b)+gt(created_at,1970-01-01T00:02:30+00:00)") == ["b", "a"]
    assert names("not_value_in(name,a)") == ["b", "c_x"] == names("value_not_in(name,a)")
    assert names("contains(name,_)") == ["c_x"]  # LIKE wildcards are matched literally
    assert names("lte(created_at,1970-01-01T00:01:40.000000000Z)") == ["a"]
    assert names("", sort=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.DESCENDING)) == [
        "c_x",
        "a",
        "b",
        "a",
    ]
    assert names("", limit=2, token="3") == ["c_x"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("eq(name)", "eq(name)"),
        ("nope(name,x)", "unknown function 'nope'"),
        ("eq(colour,red)", "no field 'colour'"),
        ("gte(created_at,yesterday)", "yesterday"),
        ("eq(name,a)+eq(state,x)", "no field 'state'"),
        ("contains(created_at,2024)", "text fields"),
    ],
)
def test_a_bad_filter_is_invalid_argument_naming_the_part_that_is_wrong(text: str, names: str) -> None:
    with pytest.raises(InvalidArgument, match=names.replace("(", r"\(").replace(")", r"\)")):
        filters.parse_filters(text, filters.ENTITIES["task"])


def test_durations_sort_keys_and_tokens_are_checked() -> None:
    assert filters.parse_duration("1h2m3.5s", "x") == 3723.5 and filters.parse_duration("90", "x") == 90.0
    with pytest.raises(InvalidArgument, match="duration"):
        filters.parse_duration("soon", "x")
    with pytest.raises(InvalidArgument, match="invalid sort key 'colour'"):
        filters.order_clause(common_pb2.Sort(key="colour"), filters.ENTITIES["execution"])
    with pytest.raises(InvalidArgument, match="pagination token '-1'"):
        filters.page_offset("-1", "ListExecutions")
    assert filters.next_token(10, 5, 5) == "15" and filters.next_token(10, 4, 5) == ""

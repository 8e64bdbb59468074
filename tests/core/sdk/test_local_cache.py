"""The local cache: ``cache=True`` tasks run locally once per task name, cache version and inputs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from flyteidl.core import literals_pb2

from flyte_core import task, workflow
from flyte_core.sdk.local_cache import CACHE_LOCATION, LOCAL_CACHE_DIR_ENV_VAR, LocalTaskCache

_CORE = str(Path(__file__).parents[3] / "core")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "local-cache"
    monkeypatch.setenv(LOCAL_CACHE_DIR_ENV_VAR, str(directory))
    monkeypatch.delenv("FLYTE_LOCAL_CACHE_ENABLED", raising=False)
    monkeypatch.delenv("FLYTE_LOCAL_CACHE_OVERWRITE", raising=False)
    LocalTaskCache.initialize()
    yield directory
    LocalTaskCache.initialize()


def _int_map(**values: int) -> literals_pb2.LiteralMap:
    literals = {
        name: literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=value)))
        for name, value in values.items()
    }
    return literals_pb2.LiteralMap(literals=literals)


def _counting_task(calls: list[int], version: str = "1", **task_kwargs):
    @task(cache=True, cache_version=version, **task_kwargs)
    def add(x: int, y: int) -> int:
        calls.append(x)
        return x + y

    return add


def test_cached_task_runs_once_for_the_same_inputs(cache_dir: Path) -> None:
    calls: list[int] = []
    add = _counting_task(calls)
    assert add(x=1, y=2) == 3
    assert add(x=1, y=2) == 3
    assert calls == [1]


def test_different_inputs_are_cached_separately(cache_dir: Path) -> None:
    calls: list[int] = []
    add = _counting_task(calls)
    assert (add(x=1, y=2), add(x=5, y=2), add(x=1, y=2)) == (3, 7, 3)
    assert calls == [1, 5]


def test_a_new_cache_version_runs_the_task_again(cache_dir: Path) -> None:
    calls: list[int] = []
    _counting_task(calls, version="1")(x=1, y=2)
    _counting_task(calls, version="2")(x=1, y=2)
    assert calls == [1, 1]


def test_ignored_inputs_do_not_change_the_key(cache_dir: Path) -> None:
    calls: list[int] = []
    add = _counting_task(calls, cache_ignore_input_vars=("y",))
    assert add(x=1, y=2) == 3
    assert add(x=1, y=100) == 3  # the stored result: y is not part of the key
    assert calls == [1]


def test_cached_task_in_a_workflow_is_memoized(cache_dir: Path) -> None:
    calls: list[int] = []
    add = _counting_task(calls)

    @workflow
    def wf(x: int) -> int:
        return add(x=add(x=x, y=1), y=1)

    assert wf(x=1) == 3
    assert wf(x=1) == 3
    assert calls == [1, 2]


def test_literals_carrying_a_hash_are_keyed_by_the_hash_alone(cache_dir: Path) -> None:
    first = _int_map(x=1)
    first.literals["x"].hash = "abc"
    same_hash_other_value = _int_map(x=2)
    same_hash_other_value.literals["x"].hash = "abc"
    nested = literals_pb2.LiteralMap()
    nested.literals["xs"].collection.literals.add().CopyFrom(first.literals["x"])
    nested_other = literals_pb2.LiteralMap()
    nested_other.literals["xs"].collection.literals.add().CopyFrom(same_hash_other_value.literals["x"])
    LocalTaskCache.set("t", "1", first, (), _int_map(o=10))
    LocalTaskCache.set("t", "1", nested, (), _int_map(o=20))
    assert LocalTaskCache.get("t", "1", same_hash_other_value, ()) == _int_map(o=10)
    assert LocalTaskCache.get("t", "1", nested_other, ()) == _int_map(o=20)
    assert LocalTaskCache.get("t", "1", _int_map(x=2), ()) is None


def test_get_of_unknown_inputs_is_none_and_creates_the_store(cache_dir: Path) -> None:
    assert LocalTaskCache.get("t", "1", _int_map(x=1), ()) is None
    assert LocalTaskCache.database_path().parent == cache_dir
    assert LocalTaskCache.database_path().exists()


def test_cache_disabled_by_environment_runs_every_time(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_ENABLED", "false")
    calls: list[int] = []
    add = _counting_task(calls)
    add(x=1, y=2)
    add(x=1, y=2)
    assert calls == [1, 1]
    assert not LocalTaskCache.database_path().exists()


def test_overwrite_runs_the_task_again_and_stores_its_result(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = iter([10, 20])

    @task(cache=True, cache_version="1")
    def changing(x: int) -> int:
        return next(outputs)

    assert changing(x=1) == 10
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_OVERWRITE", "true")
    assert changing(x=1) == 20
    monkeypatch.delenv("FLYTE_LOCAL_CACHE_OVERWRITE")
    assert changing(x=1) == 20  # read back from the cache: the iterator is exhausted


def test_corrupt_store_is_a_warning_and_the_task_still_runs(cache_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache_dir.mkdir(parents=True)
    LocalTaskCache.database_path().write_bytes(b"this is not a database" * 100)
    calls: list[int] = []
    add = _counting_task(calls)
    with caplog.at_level(logging.WARNING, logger="flyte_core.local_cache"):
        assert add(x=1, y=2) == 3
        assert add(x=1, y=2) == 3
    assert calls == [1, 1]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(LocalTaskCache.database_path()) in warnings[0] and "local-cache clear" in warnings[0]


def test_undecodable_entry_is_a_miss(cache_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    import sqlite3

    LocalTaskCache.set("t", "1", _int_map(x=1), (), _int_map(o=1))
    with sqlite3.connect(LocalTaskCache.database_path()) as db:
        db.execute("UPDATE task_outputs SET outputs = ?", (b"\xff\xff\xff",))
    with caplog.at_level(logging.WARNING, logger="flyte_core.local_cache"):
        assert LocalTaskCache.get("t", "1", _int_map(x=1), ()) is None
    assert "task 't'" in caplog.text


def test_clear_removes_everything_and_counts_per_task(cache_dir: Path) -> None:
    LocalTaskCache.set("a", "1", _int_map(x=1), (), _int_map(o=1))
    LocalTaskCache.set("a", "1", _int_map(x=2), (), _int_map(o=2))
    LocalTaskCache.set("b", "1", _int_map(x=1), (), _int_map(o=3))
    assert LocalTaskCache.clear() == {"a": 2, "b": 1}
    assert LocalTaskCache.get("a", "1", _int_map(x=1), ()) is None
    assert LocalTaskCache.clear() == {}


def test_clear_deletes_a_corrupt_store_and_the_cache_works_again(cache_dir: Path) -> None:
    cache_dir.mkdir(parents=True)
    LocalTaskCache.database_path().write_bytes(b"garbage" * 1000)
    assert LocalTaskCache.get("t", "1", _int_map(x=1), ()) is None
    assert LocalTaskCache.clear() == {}
    LocalTaskCache.set("t", "1", _int_map(x=1), (), _int_map(o=1))
    assert LocalTaskCache.get("t", "1", _int_map(x=1), ()) == _int_map(o=1)


def test_default_location_is_flytekits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LOCAL_CACHE_DIR_ENV_VAR, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    LocalTaskCache.initialize()
    try:
        assert LocalTaskCache.location() == Path(CACHE_LOCATION).expanduser() == tmp_path / ".flyte" / "local-cache"
    finally:
        monkeypatch.undo()
        LocalTaskCache.initialize()


def test_explicit_location_wins_over_the_environment(cache_dir: Path, tmp_path: Path) -> None:
    LocalTaskCache.initialize(tmp_path / "explicit")
    LocalTaskCache.set("t", "1", _int_map(x=1), (), _int_map(o=1))
    assert (tmp_path / "explicit").is_dir()
    assert not cache_dir.exists()


def _python(code: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(cwd), _CORE]), **env},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_write_at_once_without_losing_entries(cache_dir: Path, tmp_path: Path) -> None:
    writer = """
        import sys
        from flyteidl.core import literals_pb2
        from flyte_core.sdk.local_cache import LocalTaskCache

        def m(v):
            return literals_pb2.LiteralMap(literals={"x": literals_pb2.Literal(
                scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=v)))})

        name = sys.argv[-1] if len(sys.argv) > 1 else "p"
        for i in range(150):
            LocalTaskCache.set(name, "1", m(i), (), m(i * 2))
            assert LocalTaskCache.get(name, "1", m(i), ()) == m(i * 2)
        print("ok")
    """
    procs = [_python(writer.replace('"p"', f'"{name}"'), {}, tmp_path) for name in ("p1", "p2")]
    results = [p.communicate(timeout=60) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert out.strip() == "ok"
        assert "WARNING" not in err and "could not" not in err
    assert LocalTaskCache.clear() == {"p1": 150, "p2": 150}


def test_cached_task_runs_once_across_processes(cache_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "memo_tasks.py").write_text(
        textwrap.dedent(
            """
            import os
            from flyte_core import task

            @task(cache=True, cache_version="1")
            def slow_square(x: int) -> int:
                with open(os.environ["SIDE_EFFECTS"], "a") as f:
                    f.write(f"ran {x}\\n")
                return x * x
            """
        )
    )
    side_effects = tmp_path / "side_effects.txt"
    run = "from memo_tasks import slow_square; print(slow_square(x=7))"
    for _ in range(2):
        proc = _python(run, {"SIDE_EFFECTS": str(side_effects)}, tmp_path)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert out.strip() == "49"
    assert side_effects.read_text() == "ran 7\n"

"""Gates: ``sleep``, ``wait_for_input`` and ``approve`` compile to gate nodes and act themselves out locally."""

from __future__ import annotations

import datetime
import io
import time

import click
import pytest
from flyteidl.core import types_pb2

from flyte_core import approve, conditional, sleep, task, wait_for_input, workflow
from flyte_core.exceptions.user import FlyteDisapprovalException
from flyte_core.sdk.gate import Gate

HOUR = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _no_local_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_ENABLED", "false")


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


@task
def inc(a: int) -> int:
    return a + 1


@task
def show(a: int) -> str:
    return f"got {a}"


@task
def total(values: list[int]) -> int:
    return sum(values)


@workflow
def sleepy(a: int) -> int:
    x = inc(a=a)
    s = sleep(datetime.timedelta(days=1))
    y = inc(a=x)
    s >> y
    return y


@workflow
def asks(a: int) -> str:
    v = wait_for_input("title", timeout=HOUR, expected_type=int)
    return show(a=v)


@workflow
def approves(a: int) -> int:
    x = inc(a=a)
    y = approve(x, "approve-x", timeout=datetime.timedelta(hours=2))
    return inc(a=y)


def test_sleep_in_a_local_run_says_so_and_does_not_wait(capsys: pytest.CaptureFixture[str]) -> None:
    start = time.monotonic()
    assert sleepy(a=1) == 3
    assert time.monotonic() - start < 5
    assert "[Sleep Gate] Simulating Sleep for 1 day, 0:00:00" in capsys.readouterr().out


def test_sleep_outside_a_workflow_returns_none() -> None:
    assert sleep(datetime.timedelta(minutes=1)) is None


def test_sleep_compiles_to_a_sleep_gate_node_ordered_by_rshift() -> None:
    gate_node = sleepy.nodes[1]
    assert isinstance(gate_node.flyte_entity, Gate)
    assert gate_node.flyte_entity.to_flyte_idl().sleep.duration.ToTimedelta() == datetime.timedelta(days=1)
    metadata = gate_node.flyte_entity.construct_node_metadata()
    assert (metadata.name, metadata.timeout.ToTimedelta()) == ("sleep-gate", HOUR)
    assert [u.id for u in sleepy.nodes[2].upstream_nodes] == ["n0", "n1"]


def test_wait_for_input_reads_the_value_from_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, "5\n")
    assert asks(a=0) == "got 5"


def test_wait_for_input_asks_again_until_the_value_parses(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, "abc\n7\n")
    assert asks(a=0) == "got 7"
    assert "'abc' is not a valid integer" in capsys.readouterr().out


def test_wait_for_input_without_a_terminal_aborts_like_flytekit(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, "")
    with pytest.raises(click.exceptions.Abort):
        asks(a=0)


def test_wait_for_input_of_a_list_reads_json(monkeypatch: pytest.MonkeyPatch) -> None:
    @workflow
    def wf() -> int:
        return total(values=wait_for_input("values", timeout=HOUR, expected_type=list[int]))

    _stdin(monkeypatch, "[1, 2,\n[1, 2, 3]\n")
    assert wf() == 6


def test_wait_for_input_outside_a_workflow_returns_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, "hello\n")
    assert wait_for_input("word", timeout=HOUR, expected_type=str) == "hello"


def test_wait_for_input_compiles_to_a_signal_gate_node() -> None:
    gate = asks.nodes[0].flyte_entity
    signal = gate.to_flyte_idl().signal
    assert (signal.signal_id, signal.output_variable_name) == ("title", "o0")
    assert signal.type == types_pb2.LiteralType(simple=types_pb2.INTEGER)
    assert [u.id for u in asks.nodes[1].upstream_nodes] == ["n0"]


def test_approve_confirmed_passes_the_value_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, "y\n")
    assert approves(a=1) == 3
    assert "@approve-x Approve 2?" in capsys.readouterr().out


def test_approve_refused_is_a_disapproval_naming_the_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, "n\n")
    with pytest.raises(FlyteDisapprovalException, match="approve-x"):
        approves(a=1)


def test_approve_without_a_terminal_aborts_like_flytekit(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, "")
    with pytest.raises(click.exceptions.Abort):
        approves(a=1)


def test_approve_compiles_to_an_approve_gate_node_typed_like_its_input() -> None:
    node = approves.nodes[1]
    assert node.flyte_entity.to_flyte_idl().approve.signal_id == "approve-x"
    assert node.flyte_entity.python_interface.outputs == {"o0": int}
    assert [b.binding.promise.node_id for b in node.bindings] == ["n0"]
    assert node.flyte_entity.construct_node_metadata().timeout.ToTimedelta() == datetime.timedelta(hours=2)


def test_approving_a_workflow_input_is_a_value_error() -> None:
    @workflow
    def wf(a: int) -> int:
        return approve(a, "x", timeout=HOUR)

    with pytest.raises(ValueError, match="Workflow inputs cannot be passed to approval nodes"):
        wf.compile()


def test_approving_a_task_without_outputs_is_a_value_error() -> None:
    @task
    def nothing() -> None:
        return None

    @workflow
    def wf() -> None:
        approve(nothing(), "x", timeout=HOUR)

    with pytest.raises(ValueError, match="doesn't return anything"):
        wf.compile()


def test_approving_several_outputs_at_once_is_a_value_error_naming_them() -> None:
    @task
    def two() -> tuple[int, int]:
        return 1, 2

    @workflow
    def wf() -> int:
        return approve(two(), "x", timeout=HOUR)

    with pytest.raises(ValueError, match="o0, o1"):
        wf.compile()


def test_gates_in_a_branch_not_taken_do_not_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    @workflow
    def wf(a: int) -> int:
        x = inc(a=a)
        return conditional("c").if_(a > 0).then(approve(x, "ok", timeout=HOUR)).else_().then(inc(a=x))

    _stdin(monkeypatch, "")
    assert wf(a=0) == 2

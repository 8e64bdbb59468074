"""Echo tasks (flytekit's ``Echo``) run as flytepropeller's echo plugin runs them: the input becomes the output,
no process starts; more than one input is the plugin's error."""

from __future__ import annotations

from tests.core.sandbox.engine.conftest import Sandbox, literal_map

FLOWS = """
    from flyte_core import Echo, task, workflow

    passthrough = Echo(name="passthrough", inputs={"a": int})
    two = Echo(name="two", inputs={"a": int, "b": str})

    @task
    def inc(a: int) -> int:
        return a + 1

    @workflow
    def echoed(a: int) -> int:
        return inc(a=passthrough(a=inc(a=a)))

    @workflow
    def too_many(a: int) -> int:
        x, _ = two(a=a, b="b")
        return x
"""


def test_an_echo_node_passes_its_input_on_without_a_process(sandbox: Sandbox) -> None:
    flows = sandbox.load(FLOWS)
    assert flows.echoed(a=1) == 3  # locally, Echo returns its input too
    name = sandbox.run(flows.echoed, literal_map(a=(1, int)))
    assert sandbox.host.phase(name) == "SUCCEEDED"
    assert sandbox.host.outputs(name).literals["o0"].scalar.primitive.integer == 3
    assert sandbox.host.nodes(name)["n1"][-1] == "SUCCEEDED"
    assert sandbox.host.tasks(name, "n1") == []  # the plugin starts no task attempt


def test_an_echo_task_with_two_inputs_fails_as_the_echo_plugin_does(sandbox: Sandbox) -> None:
    flows = sandbox.load(FLOWS)
    name = sandbox.run(flows.too_many, literal_map(a=(1, int)))
    assert sandbox.host.phase(name) == "FAILED"
    assert "does not currently support more than one input variable" in sandbox.host.error(name).message

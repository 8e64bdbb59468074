"""flytekit's ``Echo`` task: its outputs are its inputs; serialized as an ``echo`` task without a container."""

from __future__ import annotations

from collections import OrderedDict

from flyte_core.core.task import Echo as AtCorePath

from flyte_core import Echo, workflow
from flyte_core.config import ImageConfig, SerializationSettings
from flyte_core.idl.translator import get_serializable


def test_echo_returns_its_inputs_locally() -> None:
    one = Echo(name="one", inputs={"a": int})
    two = Echo(name="two", inputs={"a": int, "b": str})

    @workflow
    def wf(a: int) -> int:
        return one(a=a)

    assert wf(a=5) == 5
    assert tuple(two(a=1, b="x")) == (1, "x")
    assert AtCorePath is Echo


def test_echo_serializes_as_an_echo_task_without_a_container() -> None:
    settings = SerializationSettings(
        image_config=ImageConfig.auto_default_image(), project="p", domain="d", version="v"
    )
    spec = get_serializable(OrderedDict(), settings, Echo(name="pass", inputs={"a": int}))
    template = spec.template
    assert template.type == "echo" and not template.HasField("container")
    assert list(template.interface.inputs.variables) == ["a"] and list(template.interface.outputs.variables) == ["o0"]
    assert template.interface.outputs.variables["o0"].type == template.interface.inputs.variables["a"].type

"""flyte_core.idl: what the serializer writes for cases the compat goldens do not show, and its errors."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from flyteidl.admin import task_pb2 as admin_task_pb2

from flyte_core import Resources, task, workflow
from flyte_core.config.images import ImageConfig
from flyte_core.config.serialization import SerializationSettings
from flyte_core.exceptions.user import FlyteAssertion
from flyte_core.idl.translator import dnsify
from flyte_core.sdk.python_auto_container import get_registerable_container_image
from flyte_core.sdk.reference import reference_workflow
from flyte_core.tools.translator import get_serializable

SETTINGS = SerializationSettings(
    project="p", domain="d", version="v1", image_config=ImageConfig.auto(img_name="ghcr.io/acme/app:v1")
)


@task(requests=Resources(cpu="1", mem="1Gi"), environment={"K": "v"})
def double(x: int) -> int:
    return 2 * x


def test_flytekit_style_get_serializable_accepts_an_ordered_dict_and_returns_flyteidl() -> None:
    @workflow
    def wf(x: int) -> int:
        return double(x=double(x=x))

    mapping: OrderedDict = OrderedDict()
    spec = get_serializable(mapping, SETTINGS, wf)
    assert [n.id for n in spec.template.nodes] == ["n0", "n1"]
    assert list(spec.template.nodes[1].upstream_node_ids) == ["n0"]
    task_spec = mapping[double]
    assert isinstance(task_spec, admin_task_pb2.TaskSpec)
    assert task_spec.template.id.name == double.name and task_spec.template.id.version == "v1"
    assert [(r.name, r.value) for r in task_spec.template.container.resources.requests] == [(1, "1"), (3, "1Gi")]
    assert [(e.key, e.value) for e in task_spec.template.container.env] == [("K", "v")]


def test_settings_default_resources_fill_in_for_tasks_without_their_own() -> None:
    from flyte_core.sdk.resources import ResourceSpec

    @task
    def plain(x: int) -> int:
        return x

    settings = SETTINGS.new_builder()
    settings.default_resources = ResourceSpec(requests=Resources(cpu="250m"), limits=Resources(mem="1Gi"))
    built = settings.build()
    container = get_serializable({}, built, plain).template.container
    assert [r.value for r in container.resources.requests] == ["250m"]
    assert [r.value for r in container.resources.limits] == ["1Gi"]
    assert [r.value for r in get_serializable({}, built, double).template.container.resources.requests] == ["1", "1Gi"]


def test_node_ids_are_dns_labels() -> None:
    assert dnsify("First-Add_node") == "first-add-node"
    assert dnsify("_leading.dot") == "leading-dot"
    assert dnsify("CamelCase") == "camel-case"
    long = "x" * 80
    assert len(dnsify(long)) <= 63 and dnsify(long) == dnsify(long)


def test_image_references_resolve_against_the_image_configuration() -> None:
    config = ImageConfig.validate_image(None, "image", ["ghcr.io/acme/app:v1", "gpu=ghcr.io/acme/gpu:v3"])
    assert get_registerable_container_image(None, config) == "ghcr.io/acme/app:v1"
    assert get_registerable_container_image("{{.image.gpu.fqn}}:{{.image.gpu.version}}", config) == (
        "ghcr.io/acme/gpu:v3"
    )
    assert get_registerable_container_image("{{.image.default.fqn}}:v9", config) == "ghcr.io/acme/app:v9"
    digest = ImageConfig.validate_image(None, "image", ["ghcr.io/acme/app@sha256:" + "a" * 64])
    assert get_registerable_container_image("{{.image.default.fqn}}:{{.image.default.version}}", digest) == (
        "ghcr.io/acme/app@sha256:" + "a" * 64
    )
    with pytest.raises(FlyteAssertion, match="refers to the image 'cpu'.*--image cpu=<image>"):
        get_registerable_container_image("{{.image.cpu.fqn}}:v1", config)


def test_a_reference_workflow_cannot_be_a_sub_workflow() -> None:
    @reference_workflow(project="p", domain="d", name="remote.wf", version="v1")
    def remote_wf(x: int) -> int: ...

    @workflow
    def calls_reference(x: int) -> int:
        return remote_wf(x=x)

    with pytest.raises(FlyteAssertion, match="reference workflow 'remote.wf'.*call a reference launch plan"):
        get_serializable({}, SETTINGS, calls_reference)


def test_a_node_named_like_the_failure_node_is_refused() -> None:
    @workflow
    def named(x: int) -> int:
        return double(x=x).with_overrides(node_name="efn")

    with pytest.raises(FlyteAssertion, match="'efn' is reserved for the failure node"):
        get_serializable({}, SETTINGS, named)


def test_a_dynamic_task_carries_the_images_of_image_spec_tasks_in_its_settings() -> None:
    from flyte_core import ImageSpec, dynamic
    from flyte_core.config.serialization import SerializationSettings as Settings

    spec = ImageSpec(name="trainer", registry="ghcr.io/acme", packages=["numpy"])

    @task(container_image=spec)
    def train(x: int) -> int:
        return x

    @dynamic
    def many(n: int) -> list[int]:
        return [train(x=i) for i in range(n)]

    template = get_serializable({}, SETTINGS, many).template
    carried = Settings.from_transport(next(e.value for e in template.container.env if e.key == "_F_SS_C"))
    assert [image.name for image in carried.image_config.images] == ["default", spec.id]
    assert carried.image_config.find_image(spec.id).full == spec.image_name()
    assert get_serializable({}, SETTINGS, train).template.container.image == spec.image_name()


def test_a_task_config_override_changes_what_the_task_serializes() -> None:
    from dataclasses import asdict, dataclass

    from flyte_core.sdk.python_function_task import PythonFunctionTask
    from flyte_core.sdk.task import TaskPlugins

    @dataclass
    class Knobs:
        level: int = 1

    class KnobTask(PythonFunctionTask[Knobs]):
        def get_custom(self, settings):
            return asdict(self.task_config)

    TaskPlugins.register_pythontask_plugin(Knobs, KnobTask)

    @task(task_config=Knobs())
    def tuned(x: int) -> int:
        return x

    @workflow
    def wf(x: int) -> int:
        return tuned(x=x).with_overrides(task_config=Knobs(level=5))

    spec = get_serializable({}, SETTINGS, wf)
    custom = get_serializable({}, SETTINGS, tuned).template.custom
    assert spec.template.nodes[0].task_node.reference_id.name == tuned.name
    assert custom["level"] == 5

    @workflow
    def wrong(x: int) -> int:
        return tuned(x=x).with_overrides(task_config="level=3")

    with pytest.raises(ValueError, match="can't change the type of the task config"):
        wrong.compile()

"""The modules serialization.py serializes with flytekit (source written for flytekit; tests port it to flyte_core).

They cover what the shared goldens do not: node overrides, failure nodes, gates, array nodes over launch plans,
imperative workflows, container tasks, eager tasks, shared memory, environment and default resources from the
settings, and fast registration (container and pod tasks, map tasks).
"""

PACKAGE = "compat_serialization"

SETTINGS = {
    "plain": {
        "project": "flytesnacks",
        "domain": "development",
        "version": "v1",
        "image": "ghcr.io/example/img:v1",
        "images": {"gpu": "ghcr.io/example/gpu:v3"},
    },
    "fast": {
        "project": "flytesnacks",
        "domain": "development",
        "version": "v2",
        "image": "ghcr.io/example/img:v1",
        "images": {"gpu": "ghcr.io/example/gpu:v3"},
        "env": {"STAGE": "test"},
        "fast_destination_dir": "/root/code",
        "fast_distribution": "s3://bucket/fast123.tar.gz",
        "default_resources": {"requests": {"cpu": "250m", "mem": "200Mi"}, "limits": {"cpu": "1", "mem": "1Gi"}},
    },
}

OVERRIDES_SOURCE = """\
import datetime
import typing

from flytekit import Cache, PodTemplate, Resources, map_task, task, workflow
from flytekit.extras.accelerators import A100, T4


@task
def add(x: int, y: int) -> int:
    return x + y


@task(shared_memory="2Gi", container_image="{{.image.gpu.fqn}}:{{.image.gpu.version}}")
def shm(x: int) -> int:
    return x


@task(shared_memory=True, environment={"A": "1"})
def shm_all(x: int) -> typing.NamedTuple("Out", [("total", int)]):
    return (x,)


@task
def square(x: int) -> int:
    return x * x


@task(pod_template=PodTemplate(primary_container_name="main", labels={"tier": "pod"}), requests=Resources(cpu="1"))
def in_pod(x: int) -> int:
    return x


@workflow
def pod_wf(xs: typing.List[int] = [1]) -> typing.List[int]:
    return map_task(in_pod)(x=xs)


@workflow
def overrides_wf(x: int = 1) -> int:
    a = add(x=x, y=1).with_overrides(
        requests=Resources(cpu="2", mem="1Gi", gpu="1", ephemeral_storage="1Gi"),
        limits=Resources(cpu="4", mem="2Gi"),
        retries=3,
        timeout=datetime.timedelta(minutes=5),
        interruptible=True,
        name="adder",
        node_name="First-Add_node",
        container_image="ghcr.io/example/other:v9",
        accelerator=A100.partition_1g_5gb,
        cache=Cache(version="9", serialize=True),
    )
    b = shm(x=a).with_overrides(resources=Resources(cpu=("1", "2"), mem="3Gi"), shared_memory="1Gi", accelerator=T4)
    c = shm_all(x=b).with_overrides(aliases={"total": "sum"}, cache=True, cache_version="3", cache_serialize=True)
    d = square(x=c.total).with_overrides(
        pod_template=PodTemplate(primary_container_name="main", labels={"lane": "fast"}), timeout=30
    )
    e = map_task(square, concurrency=3)(x=[a, b, d]).with_overrides(retries=2, requests=Resources(mem="500Mi"))
    return add(x=d, y=e[0])
"""

FAILURE_SOURCE = """\
import typing
from datetime import timedelta

from flytekit import approve, sleep, task, wait_for_input, workflow, LaunchPlan
from flytekit.core.array_node import array_node


@task
def step(x: int) -> int:
    return x + 1


@task
def clean_up(x: int, err: typing.Optional[FlyteError] = None) -> None:
    print(x, err)


@workflow(on_failure=clean_up)
def guarded_wf(x: int = 0) -> int:
    return step(x=x)


@workflow
def gated_wf(x: int = 1) -> int:
    a = step(x=x)
    sleep(timedelta(seconds=10))
    wait_for_input("name", timeout=timedelta(hours=1), expected_type=str)
    approved = approve(a, "approve-a", timeout=timedelta(hours=2))
    return step(x=approved)


@workflow
def one(x: int, tag: str) -> int:
    return step(x=x)


one_lp = LaunchPlan.get_or_create(one, name="one_lp", fixed_inputs={"tag": "t"})


@workflow
def fan_wf(xs: typing.List[int] = [1, 2]) -> typing.List[int]:
    return array_node(one_lp, concurrency=2, min_success_ratio=0.5)(x=xs)
""".replace("import typing\n", "import typing\nfrom flytekit.types.error import FlyteError\n", 1)

OTHER_KINDS_SOURCE = """\
import typing

from flytekit import ContainerTask, Resources, Workflow, eager, kwtypes, task, workflow, Secret, SecurityContext
from flytekit.extras.tasks.shell import ShellTask
from flytekit.models.security import Identity


@task
def inc(x: int) -> int:
    return x + 1


@task
def concat(a: str, b: str) -> str:
    return a + b


imperative = Workflow(name="compat_serialization.other_kinds.imperative")
imperative.add_workflow_input("x", int)
node = imperative.add_entity(inc, x=imperative.inputs["x"])
imperative.add_workflow_output("out", node.outputs["o0"])

raw = ContainerTask(
    name="raw_container",
    image="ghcr.io/example/raw:v1",
    command=["sh", "-c", "echo {{.inputs.x}} > /var/outputs/out"],
    inputs=kwtypes(x=int),
    outputs=kwtypes(out=int),
    input_data_dir="/var/inputs",
    output_data_dir="/var/outputs",
    metadata_format=ContainerTask.MetadataFormat.YAML,
    requests=Resources(cpu="1"),
    environment={"MODE": "raw"},
    secret_requests=[Secret(group="g", key="k", mount_requirement=Secret.MountType.ENV_VAR)],
)

shell = ShellTask(
    name="say",
    script="echo {inputs.word}",
    inputs=kwtypes(word=str),
)


@eager
async def eager_wf(x: int) -> int:
    return await inc(x=x)


@workflow
def inner(a: str) -> str:
    return concat(a=a, b="!")


@workflow
def outer(x: int = 1, s: str = "s") -> typing.Tuple[int, str]:
    y = raw(x=imperative(x=x))
    shell(word=s)
    return inc(x=y), inner(a=s)
"""

MODULES = {"overrides": OVERRIDES_SOURCE, "failure": FAILURE_SOURCE, "other_kinds": OTHER_KINDS_SOURCE}


def load_package(root: str, sdk: str = "flytekit") -> dict:
    """Write the modules under ``root/PACKAGE`` for ``sdk`` (``flyte_core``: module names replaced), import them."""
    from case_package import write_and_import

    return write_and_import(root, PACKAGE, MODULES, sdk)

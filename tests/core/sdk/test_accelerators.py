"""Accelerators serialize to the GPUAccelerator messages flytekit 1.16.31 writes.

Expected messages: tests/compat/expected/accelerators.json (tests/compat/generate/accelerators.py writes it),
and the task_config golden of /work/shared/compat (an ``accelerator=T4`` task).
"""

from __future__ import annotations

import base64
import json
import pathlib
import subprocess
import sys

import pytest
from flyteidl.core import tasks_pb2

from flyte_core.extras import accelerators
from flyte_core.extras.accelerators import A100, T4, V5E, GPUAccelerator, MultiInstanceGPUAccelerator

EXPECTED = json.loads((pathlib.Path(__file__).parents[2] / "compat" / "expected" / "accelerators.json").read_text())


@pytest.mark.parametrize("expression", sorted(EXPECTED))
def test_accelerator_message_equals_flytekits(expression: str) -> None:
    value = eval(expression, vars(accelerators))
    assert value.to_flyte_idl().SerializeToString() == base64.b64decode(EXPECTED[expression])


def test_every_public_accelerator_of_flytekit_exists() -> None:
    names = {expr.split(".")[0] for expr in EXPECTED}
    assert names <= set(accelerators.__all__)


def test_partitions_and_unpartitioned() -> None:
    assert A100.partition_2g_10gb.to_flyte_idl() == tasks_pb2.GPUAccelerator(
        device="nvidia-tesla-a100", partition_size="2g.10gb"
    )
    assert A100.unpartitioned.to_flyte_idl() == tasks_pb2.GPUAccelerator(device="nvidia-tesla-a100", unpartitioned=True)
    assert not A100.to_flyte_idl().HasField("unpartitioned")
    assert V5E.slice_2x4.to_flyte_idl().partition_size == "2x4"


def test_a_custom_device_and_a_custom_partition() -> None:
    assert GPUAccelerator("nvidia-rtx-4090").to_flyte_idl().device == "nvidia-rtx-4090"

    class _Custom(MultiInstanceGPUAccelerator):
        device = "my-gpu"

    assert _Custom.partitioned("half").to_flyte_idl() == tasks_pb2.GPUAccelerator(
        device="my-gpu", partition_size="half"
    )


def test_device_must_be_a_name() -> None:
    with pytest.raises(TypeError, match="GPUAccelerator device must be a device name such as 'nvidia-tesla-t4', got 4"):
        GPUAccelerator(4)  # type: ignore[arg-type]


def test_golden_task_with_t4_has_this_extended_resource() -> None:
    relative = "compat/golden/task_config/0_examples.task_config.configured_1.json"
    candidates = [pathlib.Path(__file__).parents[4] / "shared" / relative, pathlib.Path("/work/shared") / relative]
    golden = next((path for path in candidates if path.exists()), None)
    if golden is None:
        pytest.skip("the shared compat goldens are not beside this checkout")
    resources = json.loads(golden.read_text())["template"]["extendedResources"]
    assert resources == {"gpuAccelerator": {"device": T4.to_flyte_idl().device}}


def test_importing_accelerators_does_not_import_protobuf() -> None:
    code = "import sys, flyte_core.extras.accelerators; print('flyteidl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "False"

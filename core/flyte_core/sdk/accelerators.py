"""Accelerators a task asks for: ``@task(accelerator=T4)``, ``A100.partition_2g_10gb``, ``V5E.slice_2x4``.

Serialized as ``TaskTemplate.extended_resources.gpu_accelerator`` (``flyteidl.core.tasks_pb2.GPUAccelerator``):
the device name the cluster knows, and for multi-instance devices either a partition (MIG profile, TPU
topology) or "unpartitioned". Any device name works: ``GPUAccelerator("nvidia-rtx-4090")``; the
constants are the devices flytekit names.
"""

from __future__ import annotations

import abc
import copy
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

if TYPE_CHECKING:
    from flyteidl.core import tasks_pb2

__all__ = [
    "A10G",
    "A100",
    "A100_80GB",
    "H100",
    "H200",
    "K80",
    "L4",
    "L4_VWS",
    "L40S",
    "M60",
    "P4",
    "P100",
    "RTX_PRO_6000",
    "T4",
    "V5E",
    "V5P",
    "V6E",
    "V100",
    "BaseAccelerator",
    "GPUAccelerator",
    "MultiInstanceGPUAccelerator",
]

T = TypeVar("T")
MIG = TypeVar("MIG", bound="MultiInstanceGPUAccelerator")


class BaseAccelerator(abc.ABC, Generic[T]):
    """An accelerator a task can request; subclasses say how it is serialized."""

    @abc.abstractmethod
    def to_flyte_idl(self) -> T: ...


class GPUAccelerator(BaseAccelerator["tasks_pb2.GPUAccelerator"]):
    """A whole device, named as the cluster's nodes label it (``nvidia-tesla-t4``)."""

    def __init__(self, device: str) -> None:
        if not isinstance(device, str) or not device:
            raise TypeError(f"GPUAccelerator device must be a device name such as 'nvidia-tesla-t4', got {device!r}")
        self._device = device

    @property
    def device(self) -> str:
        return self._device

    def to_flyte_idl(self) -> tasks_pb2.GPUAccelerator:
        from flyteidl.core import tasks_pb2

        return tasks_pb2.GPUAccelerator(device=self._device)

    def __repr__(self) -> str:
        return f"GPUAccelerator({self._device!r})"


class MultiInstanceGPUAccelerator(BaseAccelerator["tasks_pb2.GPUAccelerator"]):
    """A device that can be split (MIG GPU, TPU slice): subclasses set ``device`` and offer partitions.

    An instance without a partition leaves the choice to the cluster; ``.unpartitioned`` asks for the
    whole device explicitly; ``Cls.partitioned("2g.10gb")`` asks for one partition.
    """

    device: ClassVar[str]
    _partition_size: str | None

    @property
    def unpartitioned(self: MIG) -> MIG:
        instance = copy.deepcopy(self)
        instance._partition_size = None
        return instance

    @classmethod
    def partitioned(cls: type[MIG], partition_size: str) -> MIG:
        if not isinstance(partition_size, str) or not partition_size:
            raise TypeError(
                f"{cls.__name__.strip('_')} partition size must be a name such as '2g.10gb', got {partition_size!r}"
            )
        instance = cls()
        instance._partition_size = partition_size
        return instance

    def to_flyte_idl(self) -> tasks_pb2.GPUAccelerator:
        from flyteidl.core import tasks_pb2

        message = tasks_pb2.GPUAccelerator(device=self.device)
        if not hasattr(self, "_partition_size"):
            return message
        if self._partition_size is None:
            message.unpartitioned = True
        else:
            message.partition_size = self._partition_size
        return message

    def __repr__(self) -> str:
        size = getattr(self, "_partition_size", "<any>")
        return f"{type(self).__name__.strip('_')}(device={self.device!r}, partition_size={size!r})"


# --- whole GPUs ---------------------------------------------------------------------------------------------
A10G = GPUAccelerator("nvidia-a10g")
L4 = GPUAccelerator("nvidia-l4")
L4_VWS = GPUAccelerator("nvidia-l4-vws")
L40S = GPUAccelerator("nvidia-l40s")
K80 = GPUAccelerator("nvidia-tesla-k80")
M60 = GPUAccelerator("nvidia-tesla-m60")
P4 = GPUAccelerator("nvidia-tesla-p4")
P100 = GPUAccelerator("nvidia-tesla-p100")
T4 = GPUAccelerator("nvidia-tesla-t4")
V100 = GPUAccelerator("nvidia-tesla-v100")
H100 = GPUAccelerator("nvidia-h100")
H200 = GPUAccelerator("nvidia-h200")
RTX_PRO_6000 = GPUAccelerator("nvidia-rtx-pro-6000")


# --- NVIDIA A100 (40GB and 80GB): MIG partitions "<compute>g.<memory>gb" ------------------------------------
class _A100_Base(MultiInstanceGPUAccelerator):
    device = "nvidia-tesla-a100"


class _A100(_A100_Base):
    """An NVIDIA A100 40GB; its attributes are its MIG partitions (``A100.partition_2g_10gb``)."""

    partition_1g_5gb = _A100_Base.partitioned("1g.5gb")
    partition_2g_10gb = _A100_Base.partitioned("2g.10gb")
    partition_3g_20gb = _A100_Base.partitioned("3g.20gb")
    partition_4g_20gb = _A100_Base.partitioned("4g.20gb")
    partition_7g_40gb = _A100_Base.partitioned("7g.40gb")


A100 = _A100()


class _A100_80GB_Base(MultiInstanceGPUAccelerator):
    device = "nvidia-a100-80gb"


class _A100_80GB(_A100_80GB_Base):
    """An NVIDIA A100 80GB; its attributes are its MIG partitions (``A100_80GB.partition_1g_10gb``)."""

    partition_1g_10gb = _A100_80GB_Base.partitioned("1g.10gb")
    partition_2g_20gb = _A100_80GB_Base.partitioned("2g.20gb")
    partition_3g_40gb = _A100_80GB_Base.partitioned("3g.40gb")
    partition_4g_40gb = _A100_80GB_Base.partitioned("4g.40gb")
    partition_7g_80gb = _A100_80GB_Base.partitioned("7g.80gb")


A100_80GB = _A100_80GB()


# --- Google Cloud TPUs: slices by topology ------------------------------------------------------------------
class _V5E_Base(MultiInstanceGPUAccelerator):
    device = "tpu-v5-lite-podslice"


class _V5E(_V5E_Base):
    """A Google Cloud TPU v5e; its attributes are slice topologies (``V5E.slice_2x4``: 8 chips, one host)."""

    slice_1x1 = _V5E_Base.partitioned("1x1")
    slice_2x2 = _V5E_Base.partitioned("2x2")
    slice_2x4 = _V5E_Base.partitioned("2x4")
    slice_4x4 = _V5E_Base.partitioned("4x4")
    slice_4x8 = _V5E_Base.partitioned("4x8")
    slice_8x8 = _V5E_Base.partitioned("8x8")
    slice_8x16 = _V5E_Base.partitioned("8x16")
    slice_16x16 = _V5E_Base.partitioned("16x16")


V5E = _V5E()


class _V5P_Base(MultiInstanceGPUAccelerator):
    device = "tpu-v5p-slice"


class _V5P(_V5P_Base):
    """A Google Cloud TPU v5p; its attributes are slice topologies (``V5P.slice_2x2x1``: 4 chips, one host)."""

    slice_2x2x1 = _V5P_Base.partitioned("2x2x1")
    slice_2x2x2 = _V5P_Base.partitioned("2x2x2")
    slice_2x4x4 = _V5P_Base.partitioned("2x4x4")
    slice_4x4x4 = _V5P_Base.partitioned("4x4x4")
    slice_4x4x8 = _V5P_Base.partitioned("4x4x8")
    slice_4x8x8 = _V5P_Base.partitioned("4x8x8")
    slice_8x8x8 = _V5P_Base.partitioned("8x8x8")
    slice_8x8x16 = _V5P_Base.partitioned("8x8x16")
    slice_8x16x16 = _V5P_Base.partitioned("8x16x16")
    slice_16x16x16 = _V5P_Base.partitioned("16x16x16")
    slice_16x16x24 = _V5P_Base.partitioned("16x16x24")


V5P = _V5P()


class _V6E_Base(MultiInstanceGPUAccelerator):
    device = "tpu-v6e-slice"


class _V6E(_V6E_Base):
    """A Google Cloud TPU v6e; its attributes are slice topologies (``V6E.slice_2x4``: 8 cores, one host)."""

    slice_1x1 = _V6E_Base.partitioned("1x1")
    slice_2x2 = _V6E_Base.partitioned("2x2")
    slice_2x4 = _V6E_Base.partitioned("2x4")
    slice_4x4 = _V6E_Base.partitioned("4x4")
    slice_4x8 = _V6E_Base.partitioned("4x8")
    slice_8x8 = _V6E_Base.partitioned("8x8")
    slice_8x16 = _V6E_Base.partitioned("8x16")
    slice_16x16 = _V6E_Base.partitioned("16x16")


V6E = _V6E()

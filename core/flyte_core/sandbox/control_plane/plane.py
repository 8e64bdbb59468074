"""The :class:`ControlPlane`: what flyteadmin does, over :class:`SandboxState` and the :class:`BlobStore`.

It registers tasks, workflows (compiled by :mod:`sandbox.compiler`) and launch plans, creates executions and
hands them to the engine, applies the engine's events (:mod:`sandbox.events`) and answers everything else the
engine asks for: it *is* the engine's :class:`~flyte_core.sandbox.engine.host.EngineHost`. The gRPC servicers
(:mod:`sandbox.admin`, ...) translate requests into these calls, so a launch-plan node's child execution goes
through the same path as a user's CreateExecution. Each job is a mixin in a module of its own; this class
combines them and sets the state they share (:class:`~flyte_core.sandbox.control_plane.records.ControlPlaneParts`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flyteidl.admin import launch_plan_pb2

from flyte_core.sandbox.blobs import BlobStore
from flyte_core.sandbox.control_plane.engine_host import EngineHostMixin
from flyte_core.sandbox.control_plane.execution_config import ExecutionConfigMixin
from flyte_core.sandbox.control_plane.execution_data import ExecutionDataMixin
from flyte_core.sandbox.control_plane.executions import ExecutionsMixin
from flyte_core.sandbox.control_plane.launch_plans import LaunchPlansMixin
from flyte_core.sandbox.control_plane.registry import RegistryMixin
from flyte_core.sandbox.state import SandboxState

if TYPE_CHECKING:
    from flyte_core.sandbox.engine.host import Engine


class ControlPlane(
    RegistryMixin,
    LaunchPlansMixin,
    ExecutionsMixin,
    ExecutionConfigMixin,
    ExecutionDataMixin,
    EngineHostMixin,
):
    """flyteadmin over SQLite and a local blob store; the engine's host.

    ``on_launch_plan_state`` (optional) is told ``(launch_plan, state)`` whenever UpdateLaunchPlan changes a
    launch plan's state, so a scheduler can react at once rather than at its next poll.
    """

    def __init__(
        self,
        state: SandboxState,
        blobs: BlobStore,
        engine: Engine | None = None,
        *,
        on_launch_plan_state: Callable[[launch_plan_pb2.LaunchPlan, int], None] | None = None,
    ) -> None:
        self.state = state
        self._blobs = blobs
        self.engine = engine
        self.on_launch_plan_state = on_launch_plan_state

"""The sandbox's control plane: what flyteadmin does, and the engine's host (:class:`ControlPlane`).

The class is composed of one mixin per job, each in a module of its own: ``registry`` (tasks, workflows and
launch plans stored and fetched), ``launch_plans`` (registration, activation, schedules), ``executions``
(create, relaunch, recover, terminate), ``execution_config`` (what an execution runs with), ``execution_data``
(node and task executions, inputs and outputs), ``engine_host`` (what the engine asks of its host); ``records``
holds the state they share and the identifier checks, ``inputs`` the checking and merging of inputs.
"""

from flyte_core.sandbox.control_plane.engine_host import cache_key
from flyte_core.sandbox.control_plane.execution_data import MAX_INLINE_BYTES, flyte_urls
from flyte_core.sandbox.control_plane.inputs import ExecutionInputs, literal_matches
from flyte_core.sandbox.control_plane.launch_plans import launch_plan_record
from flyte_core.sandbox.control_plane.plane import ControlPlane
from flyte_core.sandbox.control_plane.records import (
    ExecutionMode,
    ResourceType,
    WorkflowPhase,
    check_identifier,
    check_named_id,
    describe,
)

__all__ = [
    "MAX_INLINE_BYTES",
    "ControlPlane",
    "ExecutionInputs",
    "ExecutionMode",
    "ResourceType",
    "WorkflowPhase",
    "cache_key",
    "check_identifier",
    "check_named_id",
    "describe",
    "flyte_urls",
    "launch_plan_record",
    "literal_matches",
]

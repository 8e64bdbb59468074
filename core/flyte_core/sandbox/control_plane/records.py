"""How the control plane keeps its records: the state every part of :class:`ControlPlane` shares, identifier
checks and descriptions, table keys, content digests and the differences named in re-registration conflicts.

Every job module (registry, launch plans, executions, execution data, engine host) builds on these; flyteadmin's
``ValidateIdentifier`` and its conflict messages live here once.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flyteidl.admin import execution_pb2, launch_plan_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2

from flyte_core.sandbox.blobs import BlobStore
from flyte_core.sandbox.errors import InvalidArgument, NotFound
from flyte_core.sandbox.state import SandboxState

if TYPE_CHECKING:
    from flyte_core.sandbox.engine.host import Engine

WorkflowPhase = core_execution_pb2.WorkflowExecution
ExecutionMode = execution_pb2.ExecutionMetadata
ResourceType = identifier_pb2.ResourceType

_EXECUTION_NAME_LENGTH = 20
"""Generated execution names: "a" + 19 characters, as flyteadmin makes them."""

_KIND = {ResourceType.TASK: "task", ResourceType.WORKFLOW: "workflow", ResourceType.LAUNCH_PLAN: "launch plan"}


# -- identifiers -------------------------------------------------------------------------------------------------


def check_identifier(identifier: identifier_pb2.Identifier | None, resource_type: int) -> None:
    """flyteadmin's ``ValidateIdentifier``: every part set, and the resource type the RPC is about."""
    kind = _KIND[resource_type]
    if identifier is None or not identifier.ByteSize():
        raise InvalidArgument(f"missing id: the request must name the {kind} (project, domain, name, version)")
    if identifier.resource_type != resource_type:
        raise InvalidArgument(
            f"unexpected resource type {ResourceType.Name(identifier.resource_type)} for identifier "
            f"{describe(identifier)}, expected {ResourceType.Name(resource_type)} instead"
        )
    for part in ("project", "domain", "name", "version"):
        if not getattr(identifier, part):
            raise InvalidArgument(f"missing {part} in the id of {kind} {describe(identifier)}")


def check_named_id(identifier: Any, what: str, *, name: bool = True) -> None:
    """A NamedEntityIdentifier (or execution id) with project, domain and (when ``name``) name."""
    parts = ("project", "domain", "name") if name else ("project", "domain")
    for part in parts:
        if not getattr(identifier, part, ""):
            raise InvalidArgument(f"missing {part} in the id of {what}")


def describe(identifier: Any) -> str:
    text = f"{identifier.project}/{identifier.domain}/{identifier.name}"
    version = getattr(identifier, "version", "")
    return f"{text}@{version}" if version else text


def _entity_key(identifier: identifier_pb2.Identifier) -> dict[str, str]:
    return {
        "project": identifier.project,
        "domain": identifier.domain,
        "name": identifier.name,
        "version": identifier.version,
    }


def _not_registered(identifier: identifier_pb2.Identifier) -> NotFound:
    kind = _KIND.get(identifier.resource_type, "entity")
    return NotFound(
        f"missing entity of type {ResourceType.Name(identifier.resource_type)}: {kind} {describe(identifier)} "
        "is not registered (register it first, e.g. with pyflyte register or pyflyte run --remote)"
    )


def _typed(identifier: identifier_pb2.Identifier, resource_type: int) -> identifier_pb2.Identifier:
    typed = identifier_pb2.Identifier()
    typed.CopyFrom(identifier)
    typed.resource_type = resource_type
    return typed


def _digest(message: Any) -> bytes:
    return hashlib.sha256(message.SerializeToString(deterministic=True)).digest()


def _differences(old: Any, new: Any, prefix: str = "", depth: int = 3) -> list[str]:
    """Paths of the fields that differ between two messages of one type (for conflict messages)."""
    if old == new:
        return []
    if depth == 0 or not hasattr(old, "ListFields"):
        return [prefix.rstrip(".") or "(whole message)"]
    names = {f.name for f, _ in old.ListFields()} | {f.name for f, _ in new.ListFields()}
    found: list[str] = []
    for name in sorted(names):
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        field = old.DESCRIPTOR.fields_by_name[name]
        if field.message_type is not None and not _is_repeated(field):
            found.extend(_differences(before, after, f"{prefix}{name}.", depth - 1))
        else:
            found.append(f"{prefix}{name}")
    return found or [prefix.rstrip(".") or "(whole message)"]


def _is_repeated(field: Any) -> bool:
    repeated = getattr(field, "is_repeated", None)
    return bool(repeated) if repeated is not None else field.label == field.LABEL_REPEATED


def _now() -> float:
    return time.time()


class ControlPlaneParts:
    """The state every job of :class:`~flyte_core.sandbox.control_plane.ControlPlane` works on, declared once.

    Each job is a mixin over this; ``ControlPlane.__init__`` sets the attributes, and a job calls another's
    methods through ``self`` (they are all one object).
    """

    state: SandboxState
    _blobs: BlobStore
    engine: Engine | None
    on_launch_plan_state: Callable[[launch_plan_pb2.LaunchPlan, int], None] | None

    @property
    def blobs(self) -> BlobStore:
        return self._blobs

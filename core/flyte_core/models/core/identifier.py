"""Resource types of flyteidl identifiers (``get_reference_entity(ResourceType.WORKFLOW, ...)``)."""

from __future__ import annotations


class ResourceType:
    """``flyteidl.core.ResourceType`` values."""

    UNSPECIFIED = 0
    TASK = 1
    WORKFLOW = 2
    LAUNCH_PLAN = 3
    DATASET = 4


class WorkflowExecutionIdentifier:
    """An execution's id; ``str()`` is ``ex:project:domain:name`` as flytekit prints it."""

    __slots__ = ("domain", "name", "org", "project")

    def __init__(self, project: str, domain: str, name: str, org: str = "") -> None:
        self.project = project
        self.domain = domain
        self.name = name
        self.org = org

    def __str__(self) -> str:
        return f"ex:{self.project}:{self.domain}:{self.name}"

    def __repr__(self) -> str:
        return f"WorkflowExecutionIdentifier(project={self.project!r}, domain={self.domain!r}, name={self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WorkflowExecutionIdentifier) and (
            self.project,
            self.domain,
            self.name,
            self.org,
        ) == (other.project, other.domain, other.name, other.org)

    def __hash__(self) -> int:
        return hash((self.project, self.domain, self.name, self.org))

    def to_flyte_idl(self) -> object:
        from flyteidl.core import identifier_pb2

        return identifier_pb2.WorkflowExecutionIdentifier(
            project=self.project, domain=self.domain, name=self.name, org=self.org
        )

    @classmethod
    def from_flyte_idl(cls, pb: object) -> WorkflowExecutionIdentifier:
        return cls(pb.project, pb.domain, pb.name, getattr(pb, "org", ""))  # type: ignore[attr-defined]

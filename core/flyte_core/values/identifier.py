"""flyteidl identifiers as flytekit models them: resource types, execution ids and entity ids."""

from __future__ import annotations

__all__ = [
    "Identifier",
    "ResourceType",
    "WorkflowExecutionIdentifier",
]


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


_RESOURCE_TYPE_NAMES = {0: "UNSPECIFIED", 1: "TASK", 2: "WORKFLOW", 3: "LAUNCH_PLAN", 4: "DATASET"}


class Identifier:
    """A registered entity's id (``current_context().task_id``); ``str()`` is ``TASK:project:domain:name:version``."""

    __slots__ = ("domain", "name", "org", "project", "resource_type", "version")

    def __init__(self, resource_type: int, project: str, domain: str, name: str, version: str, org: str = "") -> None:
        self.resource_type = resource_type
        self.project = project
        self.domain = domain
        self.name = name
        self.version = version
        self.org = org

    def resource_type_name(self) -> str:
        return _RESOURCE_TYPE_NAMES.get(self.resource_type, str(self.resource_type))

    def __str__(self) -> str:
        return f"{self.resource_type_name()}:{self.project}:{self.domain}:{self.name}:{self.version}"

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Identifier) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[int, str, str, str, str, str]:
        return (self.resource_type, self.project, self.domain, self.name, self.version, self.org)

    def to_flyte_idl(self) -> object:
        from flyteidl.core import identifier_pb2

        return identifier_pb2.Identifier(
            resource_type=self.resource_type,
            project=self.project,
            domain=self.domain,
            name=self.name,
            version=self.version,
            org=self.org,
        )

    @classmethod
    def from_flyte_idl(cls, pb: object) -> Identifier:
        return cls(
            pb.resource_type,  # type: ignore[attr-defined]
            pb.project,  # type: ignore[attr-defined]
            pb.domain,  # type: ignore[attr-defined]
            pb.name,  # type: ignore[attr-defined]
            pb.version,  # type: ignore[attr-defined]
            getattr(pb, "org", ""),
        )

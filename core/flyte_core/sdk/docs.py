"""Entity documentation (``Documentation``/``Description``), registered with tasks and workflows."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class DescriptionFormat(enum.Enum):
    UNKNOWN = 0
    MARKDOWN = 1
    HTML = 2
    RST = 3


@dataclass
class Description:
    value: str | None = None
    uri: str | None = None
    icon_link: str | None = None
    format: DescriptionFormat = DescriptionFormat.RST

    def to_flyte_idl(self) -> Any:
        from flyteidl.admin import description_entity_pb2

        return description_entity_pb2.Description(
            value=self.value or None,
            uri=self.uri or None,
            format=self.format.value,
            icon_link=self.icon_link or "",
        )


@dataclass
class SourceCode:
    link: str | None = None

    def to_flyte_idl(self) -> Any:
        from flyteidl.admin import description_entity_pb2

        return description_entity_pb2.SourceCode(link=self.link or "")


@dataclass
class Documentation:
    short_description: str | None = None
    long_description: Description | None = None
    source_code: SourceCode | None = None
    tags: list[str] = field(default_factory=list)

    def to_flyte_idl(self) -> Any:
        """``flyteidl.admin.DescriptionEntity``, registered with the task or workflow it documents."""
        from flyteidl.admin import description_entity_pb2

        return description_entity_pb2.DescriptionEntity(
            short_description=self.short_description or "",
            long_description=self.long_description.to_flyte_idl() if self.long_description else None,
            source_code=self.source_code.to_flyte_idl() if self.source_code else None,
        )

    @classmethod
    def from_docstring(cls, docstring: Any) -> Documentation:
        """The documentation a function's docstring gives: its first paragraph and the rest."""
        return cls(
            short_description=docstring.short_description,
            long_description=Description(value=docstring.long_description),
        )

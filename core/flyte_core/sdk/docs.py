"""Entity documentation (``Documentation``/``Description``), registered with tasks and workflows."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


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


@dataclass
class SourceCode:
    link: str | None = None


@dataclass
class Documentation:
    short_description: str | None = None
    long_description: Description | None = None
    source_code: SourceCode | None = None
    tags: list[str] = field(default_factory=list)

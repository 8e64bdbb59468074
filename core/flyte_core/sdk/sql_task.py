"""``SQLTask``: the base of tasks that run a query (flytekit's ``flytekit.core.base_sql_task``).

A SQL task is a query template with typed inputs; the backend that runs it (a database plugin, or a container
such as ``SQLite3Task``'s) fills ``{{ .inputs.name }}`` with the input values. Plugin authors subclass it and say
how the query reaches the backend (``get_sql``, ``get_custom``...).
"""

from __future__ import annotations

import re
from typing import Any, Generic, TypeVar

from flyte_core.sdk.base_task import PythonTask
from flyte_core.sdk.interface import Interface

__all__ = ["SQLTask"]

T = TypeVar("T")


class SQLTask(PythonTask[T], Generic[T]):
    """A query template with typed inputs (``inputs={"limit": int}``) and outputs.

    The template's whitespace is folded to single spaces, as flytekit stores it.
    """

    _INPUT_REGEX = re.compile(r"({{\s*.inputs.(\w+)\s*}})", re.IGNORECASE)

    def __init__(
        self,
        name: str,
        query_template: str,
        task_config: T | None = None,
        task_type: str = "sql_task",
        inputs: dict[str, Any] | None = None,
        metadata: Any = None,
        outputs: dict[str, type] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            task_type=task_type,
            name=name,
            interface=Interface(inputs=inputs or {}, outputs=outputs or {}),
            metadata=metadata,
            task_config=task_config,
            **kwargs,
        )
        self._query_template = " ".join(query_template.split())

    @property
    def query_template(self) -> str:
        """The query, with ``{{ .inputs.x }}`` placeholders."""
        return self._query_template

    def execute(self, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"Cannot run a SQL Task natively, please mock: '{self.name}' runs on its database backend "
            "(flyte_core.testing.task_mock replaces it in local tests)"
        )

    def get_query(self, **kwargs: Any) -> str:
        """The query with these input values filled in."""
        return self.interpolate_query(self.query_template, **kwargs)

    @classmethod
    def interpolate_query(cls, query_template: str, **kwargs: Any) -> str:
        """Fill ``{{ .inputs.x }}`` with ``str(kwargs["x"])``; every placeholder needs a value and every value a place.

        When the task runs on Flyte, the backend does this step.
        """
        query = query_template
        used = set()
        for match in cls._INPUT_REGEX.finditer(query_template):
            placeholder, name = match.groups()
            if name not in kwargs:
                raise ValueError(
                    f"Variable {name} in Query (part of {placeholder}) not found in inputs {kwargs.keys()}"
                )
            used.add(name)
            query = query.replace(placeholder, str(kwargs[name]))
        unused = set(kwargs) - used
        if unused:
            raise ValueError(f"Extra Inputs have no matches in query template - missing {unused}")
        return query

"""A node of a compiled workflow: the entity it runs, its input bindings, upstream nodes and overrides."""

from __future__ import annotations

import datetime
import typing
from typing import Any

from flyteidl.core import literals_pb2

from flyte_core.exceptions.user import FlyteAssertion

if typing.TYPE_CHECKING:
    from flyte_core.sdk.resources import Resources

_OVERRIDE_KEYS = frozenset(
    {
        "node_name",
        "aliases",
        "requests",
        "limits",
        "resources",
        "timeout",
        "retries",
        "interruptible",
        "name",
        "task_config",
        "container_image",
        "accelerator",
        "cache",
        "cache_version",
        "cache_serialize",
        "pod_template",
        "shared_memory",
        "enable_deck",
    }
)


class Node:
    """A workflow node. ``bindings`` are flyteidl ``Binding`` messages; overrides apply at serialization."""

    def __init__(
        self,
        id: str,
        metadata: Any,
        bindings: list[literals_pb2.Binding],
        upstream_nodes: list[Node],
        flyte_entity: Any,
    ) -> None:
        if id is None:
            raise ValueError("Illegal construction of node, without a Node ID")
        self._id = id
        self._metadata = metadata
        self._bindings = bindings
        self._upstream_nodes = upstream_nodes
        self._flyte_entity = flyte_entity
        self._aliases: list[Any] | None = None
        self._overrides: dict[str, Any] = {}
        self._outputs: dict[str, Any] | None = None

    def runs_before(self, other: Node) -> None:
        """Make ``other`` wait for this node (``a >> b``)."""
        if self not in other._upstream_nodes:
            other._upstream_nodes.append(self)

    def __rshift__(self, other: Node) -> Node:
        self.runs_before(other)
        return other

    @property
    def name(self) -> str:
        return str(self._overrides.get("name") or getattr(self._metadata, "name", "") or self._id)

    @property
    def outputs(self) -> dict[str, Any]:
        """Promises of this node's outputs by name (set by ``create_node``)."""
        if self._outputs is None:
            from flyte_core.sdk.promise import NodeOutput, Promise

            names = list(self._flyte_entity.python_interface.outputs) if self._flyte_entity is not None else []
            self._outputs = {n: Promise(n, NodeOutput(node=self, var=n)) for n in names}
        return self._outputs

    @property
    def id(self) -> str:
        return self._id

    @property
    def bindings(self) -> list[literals_pb2.Binding]:
        return self._bindings

    @property
    def upstream_nodes(self) -> list[Node]:
        return self._upstream_nodes

    @property
    def flyte_entity(self) -> Any:
        return self._flyte_entity

    @property
    def metadata(self) -> Any:
        return self._metadata

    @property
    def overrides(self) -> dict[str, Any]:
        """What ``with_overrides`` changed for this node (name, resources, retries, timeout, image...)."""
        return self._overrides

    @property
    def run_entity(self) -> Any:
        return self._flyte_entity

    def with_overrides(self, *args: Any, **kwargs: Any) -> Node:
        """Change how this node runs without changing its task: resources, retries, timeout, name, image..."""
        if args:
            raise FlyteAssertion("with_overrides takes keyword arguments only")
        unknown = set(kwargs) - _OVERRIDE_KEYS
        if unknown:
            raise FlyteAssertion(
                f"with_overrides got unexpected keyword argument(s) {sorted(unknown)}; "
                f"accepted: {', '.join(sorted(_OVERRIDE_KEYS))}"
            )
        if "node_name" in kwargs:
            node_name = kwargs.pop("node_name")
            self._id = _sanitize_node_id(node_name)
            self._overrides["node_name"] = node_name
        if "timeout" in kwargs:
            timeout = kwargs["timeout"]
            if isinstance(timeout, int):
                kwargs["timeout"] = datetime.timedelta(seconds=timeout)
            elif timeout is not None and not isinstance(timeout, datetime.timedelta):
                raise ValueError("timeout should be duration represented as either a datetime.timedelta or int seconds")
        if "retries" in kwargs and kwargs["retries"] is not None and not isinstance(kwargs["retries"], int):
            raise AssertionError("retries should be an integer")
        task_config = kwargs.get("task_config")
        if task_config is not None:
            current = getattr(self.run_entity, "_task_config", None)
            if not isinstance(task_config, type(current)):
                raise ValueError(
                    f"with_overrides(task_config=...) of node '{self._id}': can't change the type of the task config "
                    f"({type(current).__name__} -> {type(task_config).__name__})"
                )
            # As in flytekit, the task itself takes the new config (every node running it sees it).
            self.run_entity._task_config = task_config
        resources: Resources | None = kwargs.get("resources")
        if resources is not None and ("requests" in kwargs or "limits" in kwargs):
            raise ValueError("`resource` can not be used together with the `limits` or `requests`")
        self._overrides.update(kwargs)
        return self

    def __repr__(self) -> str:
        return f"Node(id={self._id}, entity={getattr(self._flyte_entity, 'name', self._flyte_entity)})"


def _sanitize_node_id(name: str) -> str:
    """Node ids are DNS-1123 labels: lower case, ``-`` for anything else."""
    import re

    return re.sub(r"[^a-z0-9-]", "-", name.lower()).strip("-")

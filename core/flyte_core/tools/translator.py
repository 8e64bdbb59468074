"""``flytekit.tools.translator``: ``get_serializable(OrderedDict(), settings, entity)`` gives an entity's flyteidl.

flyte-core returns the flyteidl protobuf messages themselves (``TaskSpec``, ``WorkflowSpec``,
``LaunchPlan``, ``Node``...) rather than flytekit's model wrappers.
"""

from flyte_core.idl.translator import EntityMapping, get_serializable

__all__ = ["EntityMapping", "get_serializable"]

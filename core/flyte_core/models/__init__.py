"""User-facing model objects at flytekit's module paths (``flytekit.models.common`` -> ``flyte_core.models.common``).

Only the names users construct themselves live here (labels, annotations, notifications, schedules, phases,
resource types). Wire data (literals, types, nodes) is the flyteidl protobuf itself: there is no model layer.
"""

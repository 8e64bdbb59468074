"""flytekit's ``flytekit.models`` paths: aliases of :mod:`flyte_core.values` (labels, annotations, notifications,
schedules, phases, identifiers) and of the sdk's security objects. Wire data (literals, types, nodes) is the
flyteidl protobuf itself.
"""

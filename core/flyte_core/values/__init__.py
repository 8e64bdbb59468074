"""flytekit-shaped value objects over flyteidl messages: literals and literal types (what custom transformers
build), labels, annotations, notifications, schedules, concurrency policies, identifiers, phases (flytekit's
``flytekit.models.*`` classes that users construct). ``messages.py`` declares each model by its fields.

Thin: each converts to and from its flyteidl message at the boundary (``to_flyte_idl``/``from_flyte_idl``)
and imports protobuf only when a message is built. A leaf layer: it imports nothing of flyte-core but the
exceptions, so the context, the sdk and everything above can use it. flytekit's ``models`` paths re-export it.
"""

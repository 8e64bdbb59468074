"""The names flytepropeller gives what it runs: node unique ids, task attempt names and per-retry keys.

A node below the top level is reported under ``<parent unique id>-<parent attempt>-<node id>``, replaced by
``f`` + a base32 FNV-1a hash when longer than 20 bytes (``common.GenerateUniqueID``); a task attempt's
generated name joins the execution name, the node's unique id and the attempt the same way, up to 50 bytes.
"""

from __future__ import annotations

import re

from flyte_core.sandbox.compiler import fixed_length_unique_id

MAX_UNIQUE_ID_LENGTH = 20
"""``nodes/common.maxUniqueIDLength``."""
MAX_GENERATED_NAME_LENGTH = 50
"""``nodes/task.IDMaxLength``."""


def fixed_length_unique_id_for_parts(max_length: int, *parts: str) -> str:
    """``FixedLengthUniqueIDForParts``: the parts joined with ``-`` (empty leading parts add no dash), hashed when
    longer than ``max_length``."""
    joined = ""
    for index, part in enumerate(parts):
        if index > 0 and joined:
            joined += "-"
        joined += part
    return fixed_length_unique_id(joined, max_length)


def unique_node_id(node_id: str, parent_unique_id: str | None = None, parent_attempt: int | None = None) -> str:
    """The id a node's executions are reported under: its own id at the top level, else its lineage."""
    if parent_unique_id is None:
        return fixed_length_unique_id_for_parts(MAX_UNIQUE_ID_LENGTH, "", "", node_id)
    return fixed_length_unique_id_for_parts(MAX_UNIQUE_ID_LENGTH, parent_unique_id, str(parent_attempt), node_id)


def generated_name(execution_name: str, unique_id: str, attempt: int) -> str:
    """A task attempt's generated name (its pod name in propeller)."""
    return fixed_length_unique_id_for_parts(MAX_GENERATED_NAME_LENGTH, execution_name, unique_id, str(attempt))


_NOT_ALPHANUMERIC = re.compile(r"[^a-zA-Z0-9_]+")
_NOT_ALPHA_START = re.compile(r"^[^a-zA-Z_]+")


def per_retry_unique_key(execution_name: str, unique_id: str, attempt: int) -> str:
    """``{{.PerRetryUniqueKey}}``: the generated name as an identifier (letters, digits and ``_``)."""
    key = _NOT_ALPHA_START.sub("a", generated_name(execution_name, unique_id, attempt))
    return _NOT_ALPHANUMERIC.sub("_", key)

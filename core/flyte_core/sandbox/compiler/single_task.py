"""flyteadmin's wrapper for executing a task directly: the one-node ``.flytegen`` workflow spec around a task,
and flytestdlib's fixed-length unique ids its node id (and the engine's names) are made with.
"""

from __future__ import annotations

import base64
import unicodedata

from flyteidl.admin import workflow_pb2 as admin_workflow_pb2
from flyteidl.core import interface_pb2, literals_pb2, tasks_pb2, types_pb2, workflow_pb2
from flyteidl.core.identifier_pb2 import Identifier

from flyte_core.sandbox.compiler.references import _WORKFLOW

_SINGLE_TASK_RETRIES = 3
"""flyteadmin's ``defaultRetryStrategy`` for a task executed directly whose template sets no retries."""
_MAX_UNIQUE_ID_LENGTH = 30
"""``flytestdlib/utils.MaxUniqueIDLength``: longer single-task node ids are replaced by a hash."""


def single_task_workflow(task: tasks_pb2.TaskTemplate) -> admin_workflow_pb2.WorkflowSpec:
    """flyteadmin's wrapper for executing a task directly (``single_task_execution.go``).

    The workflow is ``.flytegen.<task name>`` (the task's org, project, domain and version) with the task's
    interface and one node: its id is the task name keeping only '-' and (Unicode) letters and digits, replaced
    by ``f`` + a base32 FNV-1a hash when longer than 30 bytes; its inputs read the workflow inputs, the workflow
    outputs read its outputs; its retries are the template's ``metadata.retries`` when set, else 3.
    """
    node_id = fixed_length_unique_id(
        "".join(ch for ch in task.id.name if ch == "-" or unicodedata.category(ch)[0] in "LN"),
        _MAX_UNIQUE_ID_LENGTH,
    )
    retries = (
        task.metadata.retries
        if task.HasField("metadata") and task.metadata.HasField("retries")
        else literals_pb2.RetryStrategy(retries=_SINGLE_TASK_RETRIES)
    )
    workflow_id = Identifier(
        resource_type=_WORKFLOW,
        org=task.id.org,
        project=task.id.project,
        domain=task.id.domain,
        name=f".flytegen.{task.id.name}",
        version=task.id.version,
    )
    node = workflow_pb2.Node(
        id=node_id,
        metadata=workflow_pb2.NodeMetadata(name=node_id, retries=retries),
        inputs=_promise_bindings(task.interface.inputs, ""),
        task_node=workflow_pb2.TaskNode(reference_id=task.id),
    )
    template = workflow_pb2.WorkflowTemplate(
        id=workflow_id,
        interface=task.interface,
        nodes=[node],
        outputs=_promise_bindings(task.interface.outputs, node_id),
    )
    return admin_workflow_pb2.WorkflowSpec(template=template)


def _promise_bindings(variables: interface_pb2.VariableMap, node_id: str) -> list[literals_pb2.Binding]:
    """One promise binding per variable, reading the same-named output of ``node_id`` (sorted by name)."""
    return [
        literals_pb2.Binding(
            var=name, binding=literals_pb2.BindingData(promise=types_pb2.OutputReference(node_id=node_id, var=name))
        )
        for name in sorted(variables.variables)
    ]


_BASE32_ALPHABET = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "abcdefghijklmnopqrstuvwxyz123456")


def fixed_length_unique_id(value: str, max_length: int) -> str:
    """flytestdlib's ``FixedLengthUniqueID``: ``value`` if short enough, else ``f`` + base32(FNV-1a 32 of it)."""
    data = value.encode()
    if len(data) <= max_length:
        return value
    digest = 0x811C9DC5
    for byte in data:
        digest = ((digest ^ byte) * 0x01000193) & 0xFFFFFFFF
    encoded = base64.b32encode(digest.to_bytes(4, "big")).decode().rstrip("=")
    return "f" + encoded.translate(_BASE32_ALPHABET)

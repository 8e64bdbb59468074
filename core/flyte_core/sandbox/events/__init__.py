"""Engine events -> admin records, with flyteadmin's rules.

The engine reports what happens as ``flyteidl.event`` messages (as flytepropeller does); these functions
apply them to the stored ``admin.Execution`` / ``NodeExecution`` / ``TaskExecution`` records the way
flyteadmin's ``CreateWorkflowEvent``, ``CreateNodeEvent`` and ``CreateTaskExecutionEvent`` do: which phase
changes are allowed (a repeated phase is ALREADY_EXISTS, a change after a terminal phase is
FAILED_PRECONDITION), ``started_at`` / ``duration`` / ``updated_at``, outputs or the error into the closure,
node metadata (``is_parent_node``, ``spec_node_id``, ``retry_group``, ``is_dynamic``, ``is_array``), the
launched execution of a launch-plan node, cache status, the compiled dynamic workflow, and task logs,
reasons and ``custom_info``. Each call is one transaction.
"""

from flyte_core.sandbox.events.nodes import apply_node_event, dynamic_workflow
from flyte_core.sandbox.events.records import (
    TERMINAL_NODE_PHASES,
    TERMINAL_TASK_PHASES,
    TERMINAL_WORKFLOW_PHASES,
    NodePhase,
    TaskPhase,
    WorkflowPhase,
    describe_execution,
    describe_node,
    epoch,
    execution_key,
    node_key,
    parent_task_key,
    task_key,
    timestamp,
)
from flyte_core.sandbox.events.tasks import apply_task_event
from flyte_core.sandbox.events.workflows import apply_workflow_event

__all__ = [
    "TERMINAL_NODE_PHASES",
    "TERMINAL_TASK_PHASES",
    "TERMINAL_WORKFLOW_PHASES",
    "NodePhase",
    "TaskPhase",
    "WorkflowPhase",
    "apply_node_event",
    "apply_task_event",
    "apply_workflow_event",
    "describe_execution",
    "describe_node",
    "dynamic_workflow",
    "epoch",
    "execution_key",
    "node_key",
    "parent_task_key",
    "task_key",
    "timestamp",
]

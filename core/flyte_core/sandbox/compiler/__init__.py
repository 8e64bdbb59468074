"""The sandbox's workflow compiler: what FlyteAdmin does to a workflow on CreateWorkflow, and FlytePropeller to
a dynamic task's futures, before either runs (``flytepropeller/pkg/compiler`` at Flyte v1.16).

The compiled closure has the shape a real FlyteAdmin returns from GetWorkflow, so the node ids the engine
reports are the ones clients look up: every workflow's nodes are rebuilt as ``[start-node, end-node, <user
nodes>]``, promises on workflow inputs (node id ``""``) point at ``start-node``, branch children are renamed
``<branch node id>-<child id>`` (nested branches recursively), ``upstream_node_ids`` are sorted and
``connections`` holds the upstream/downstream sets the engine schedules by. A workflow that cannot run is a
``CompileError`` listing every problem found, each naming the workflow, the node and the variable.
"""

from flyte_core.sandbox.compiler.closure import (
    closure_digest,
    compile_dynamic,
    compile_workflow,
    workflow_requirements,
)
from flyte_core.sandbox.compiler.graph import END_NODE_ID, START_NODE_ID, CompileError
from flyte_core.sandbox.compiler.single_task import fixed_length_unique_id as fixed_length_unique_id
from flyte_core.sandbox.compiler.single_task import single_task_workflow

__all__ = [
    "END_NODE_ID",
    "START_NODE_ID",
    "CompileError",
    "closure_digest",
    "compile_dynamic",
    "compile_workflow",
    "single_task_workflow",
    "workflow_requirements",
]

"""Array nodes (map tasks, and arrays over launch plans): a sub-node per element, reported as the external
resources of one task execution of the array node (``nodes/array``, with its default event version)."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, TypeAlias

from flyteidl.core import catalog_pb2, execution_pb2, identifier_pb2, literals_pb2, tasks_pb2, workflow_pb2
from flyteidl.event import event_pb2

from flyte_core.sandbox.engine import attempts, reporting
from flyte_core.sandbox.engine.bindings import materialize
from flyte_core.sandbox.engine.launch_plans import child_result, execution_id, launch, terminate_child
from flyte_core.sandbox.engine.naming import generated_name, unique_node_id
from flyte_core.sandbox.engine.runner import AttemptResult
from flyte_core.sandbox.engine.state import ItemState, NodeState, error_record, new_error
from flyte_core.sandbox.engine.task_nodes import cached_outputs, populate_cache

if TYPE_CHECKING:
    from flyte_core.sandbox.engine.workflow import ExecutionRun, Scope

ExecutionError: TypeAlias = execution_pb2.ExecutionError
CacheStatus: TypeAlias = catalog_pb2.CatalogCacheStatus
NONE_LITERAL = literals_pb2.Literal(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void()))


class ArrayHandler:
    """Map tasks and other array nodes: one sub-node per element, reported as the external resources of one task
    execution of the array node (propeller's ArrayNode with its default event version)."""

    def prepare(
        self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, inputs: literals_pb2.LiteralMap
    ) -> bool:
        array = node.array_node
        bound = set(array.bound_inputs)
        size: int | None = None
        for name, literal in inputs.literals.items():
            if name in bound:
                continue
            literal = materialize(literal, scope.run.blobs)
            if literal.WhichOneof("value") != "collection":
                continue
            length = len(literal.collection.literals)
            if size is None:
                size = length
            elif size != length:
                error = ExecutionError(
                    code="InvalidArrayLength",
                    message=f"input arrays have different lengths: expecting '{size}' found '{length}'",
                    kind=ExecutionError.USER,
                )
                scope.fail(node, unique_id, st, error)
                return True
        if size is None:
            error = ExecutionError(
                code="InvalidArrayLength", message="no input array provided", kind=ExecutionError.USER
            )
            scope.fail(node, unique_id, st, error)
            return True
        sub = array.node
        if sub.WhichOneof("target") == "task_node":
            try:
                template = scope.task(sub.task_node.reference_id)
            except KeyError as exc:
                scope.fail(node, unique_id, st, ExecutionError(code="TaskNotFound", message=str(exc.args[0])))
                return True
            st.array_outputs = list(template.interface.outputs.variables)
        elif not (sub.WhichOneof("target") == "workflow_node" and sub.workflow_node.HasField("launchplan_ref")):
            error = ExecutionError(
                code="BadSpecificationError",
                message=f"array node '{node.id}': the sandbox runs array nodes over tasks and launch plans only",
                kind=ExecutionError.USER,
            )
            scope.fail(node, unique_id, st, error)
            return True
        st.items = [ItemState() for _ in range(size)]
        return False

    # -- per element --

    def _item_inputs(
        self, scope: Scope, node: workflow_pb2.Node, unique_id: str, index: int
    ) -> literals_pb2.LiteralMap:
        bound = set(node.array_node.bound_inputs)
        item = literals_pb2.LiteralMap()
        for name, literal in scope.run.node_inputs(unique_id).literals.items():
            value = materialize(literal, scope.run.blobs) if name not in bound else literal
            if name not in bound and value.WhichOneof("value") == "collection":
                item.literals[name].CopyFrom(value.collection.literals[index])
            else:
                item.literals[name].CopyFrom(literal)
        return item

    def _task_run(
        self,
        scope: Scope,
        node: workflow_pb2.Node,
        unique_id: str,
        st: NodeState,
        index: int,
        item: ItemState,
        template: tasks_pb2.TaskTemplate,
    ) -> attempts.TaskRun:
        run = scope.run
        sub = node.array_node.node
        data_dir = run.data_dir(unique_id)
        item_dir = f"{run.attempt_dir(unique_id, st.attempt)}/{index}"
        if node.array_node.data_mode == workflow_pb2.ArrayNode.INDIVIDUAL_INPUT_FILES:
            input_uri = run.blobs.uri(f"{item_dir}/inputs.pb")
        else:
            input_uri = run.blobs.uri(f"{data_dir}/inputs.pb")
        return attempts.TaskRun(
            template=template,
            key=f"{unique_id}/{index}",
            unique_id=unique_id,
            record=item,
            input_uri=input_uri,
            input_prefix=run.blobs.uri(data_dir),
            output_dir=lambda attempt: f"{item_dir}/{attempt}",
            raw_prefix=lambda attempt: run.raw_prefix(unique_id, st.attempt, index, attempt),
            log_path=lambda attempt: run.log_path(unique_id, index, attempt),
            name_key=f"{unique_id}-n{index}",
            max_attempts=attempts.max_attempts(sub, template),
            timeout=attempts.timeout_seconds(sub, template),
            extra_env={"BATCH_JOB_ARRAY_INDEX_VAR_NAME": "FLYTE_K8S_ARRAY_INDEX", "FLYTE_K8S_ARRAY_INDEX": str(index)},
        )

    def _external(
        self, run: ExecutionRun, unique_id: str, index: int, item: ItemState, phase: str, task: attempts.TaskRun | None
    ) -> event_pb2.ExternalResourceInfo:
        name = generated_name(run.execution.name, f"{unique_id}-n{index}", item.attempt)
        info = event_pb2.ExternalResourceInfo(
            external_id=f"{name}-n{index}-{item.attempt}",
            index=index,
            retry_attempt=item.attempt,
            phase=execution_pb2.TaskExecution.Phase.Value(phase),
            cache_status=item.cache_status,
        )
        if task is not None:
            info.logs.append(reporting.log_link(task.log_path(item.attempt), name=f"Task Logs-{index}"))
        if item.child is not None:
            info.workflow_node_metadata.execution_id.CopyFrom(execution_id(item.child))
        return info

    def _progress_task_item(
        self,
        scope: Scope,
        node: workflow_pb2.Node,
        unique_id: str,
        st: NodeState,
        index: int,
        item: ItemState,
        template: tasks_pb2.TaskTemplate,
        keyed: tasks_pb2.TaskTemplate | None,
        externals: list[event_pb2.ExternalResourceInfo],
    ) -> None:
        run = scope.run
        task = self._task_run(scope, node, unique_id, st, index, item, template)
        if item.phase == "NOT_STARTED":
            inputs = self._item_inputs(scope, node, unique_id, index)
            if keyed is not None and run.spec.overwrite_cache:
                item.cache_status = CacheStatus.CACHE_SKIPPED
            elif keyed is not None:
                outputs = cached_outputs(run, keyed, inputs)
                if outputs is not None:
                    item.cache_status = CacheStatus.CACHE_HIT
                    item.outputs = run.write_map(f"{task.output_dir(0)}/outputs.pb", outputs)
                    item.phase = "SUCCEEDED"
                    externals.append(self._external(run, unique_id, index, item, "SUCCEEDED", None))
                    run.changed()
                    return
                item.cache_status = CacheStatus.CACHE_MISS
            if node.array_node.data_mode == workflow_pb2.ArrayNode.INDIVIDUAL_INPUT_FILES:
                run.write_map(run.blobs.relative(task.input_uri), inputs)
            item.phase = "QUEUED"
            run.changed()
        for _ in range(attempts.MAX_SYSTEM_FAILURES + task.max_attempts + 1):
            if not self._step_item(scope, node, unique_id, index, item, task, keyed, externals):
                return

    def _step_item(
        self,
        scope: Scope,
        node: workflow_pb2.Node,
        unique_id: str,
        index: int,
        item: ItemState,
        task: attempts.TaskRun,
        keyed: tasks_pb2.TaskTemplate | None,
        externals: list[event_pb2.ExternalResourceInfo],
    ) -> bool:
        run = scope.run
        if task.key not in run.live:
            if attempts.forget_orphan(run, item):
                item.phase_version += 1
            if not run.acquire_slot(task.key):
                return False
            error = attempts.start_attempt(run, task)
            if error is not None:
                run.release_unused_slot()
                item.phase = "FAILED"
                item.error = error_record(error)
                externals.append(self._external(run, unique_id, index, item, "FAILED", task))
                run.changed()
                return False
            item.phase = "RUNNING"
            item.task_phase = "RUNNING"
            externals.append(self._external(run, unique_id, index, item, "RUNNING", task))
            run.changed()
        code = run.take_exit(task.key)
        if code is None:
            if task.timeout is None or item.started_at is None:
                return False
            if time.time() <= item.started_at + task.timeout:
                run.wake_at(item.started_at + task.timeout)
                return False
            run.kill(task.key)
            attempts.forget_orphan(run, item)
            result = AttemptResult("failed", attempts.timeout_error(task.timeout), recoverable=True)
        else:
            result = attempts.result_of(run, task, code)
        run.changed()
        if result.outcome == "succeeded":
            item.outputs = f"{task.output_uri(run.blobs)}/outputs.pb"
            item.phase = "SUCCEEDED"
            item.task_phase = "SUCCEEDED"
            populate_cache(run, keyed, item, self._item_inputs(scope, node, unique_id, index), item.outputs)
            externals.append(self._external(run, unique_id, index, item, "SUCCEEDED", task))
            return False
        if result.outcome == "dynamic":
            result = AttemptResult(
                "failed",
                ExecutionError(
                    code="DynamicInArrayNode",
                    message="a dynamic task cannot run in an array node",
                    kind=ExecutionError.USER,
                ),
            )
        assert result.error is not None
        item.error = error_record(result.error)
        item.task_phase = "FAILED"
        externals.append(self._external(run, unique_id, index, item, "FAILED", task))
        final = attempts.next_attempt(item, result, task.max_attempts)
        if final is None:
            item.phase = "QUEUED"
            return True
        item.error = error_record(final)
        item.phase = "FAILED"
        return False

    def _progress_launch_plan_item(
        self,
        scope: Scope,
        node: workflow_pb2.Node,
        unique_id: str,
        st: NodeState,
        index: int,
        item: ItemState,
        externals: list[event_pb2.ExternalResourceInfo],
    ) -> None:
        run = scope.run
        item_dir = f"{run.attempt_dir(unique_id, st.attempt)}/{index}/{item.attempt}"
        if item.child is None:
            if not run.can_start():
                item.phase = "QUEUED"
                return
            sub_id = unique_node_id(f"n{index}", unique_id, st.attempt)
            inputs = self._item_inputs(scope, node, unique_id, index)
            try:
                item.child = launch(run, node.array_node.node.workflow_node.launchplan_ref, inputs, sub_id)
            except Exception as exc:
                item.phase = "FAILED"
                item.error = new_error("LaunchPlanExecutionFailed", str(exc))
                externals.append(self._external(run, unique_id, index, item, "FAILED", None))
                run.changed()
                return
            item.phase = "RUNNING"
            externals.append(self._external(run, unique_id, index, item, "RUNNING", None))
            run.changed()
        outcome = child_result(run, item.child, f"{item_dir}/outputs.pb")
        if outcome is None:
            return
        outputs, error = outcome
        if error is None:
            item.outputs = outputs
            item.phase = "SUCCEEDED"
        else:
            item.error = error_record(error)
            item.phase = "FAILED"
        externals.append(self._external(run, unique_id, index, item, item.phase, None))
        run.changed()

    # -- the whole array --

    def _task_attempt(self, scope: Scope, node: workflow_pb2.Node, unique_id: str) -> reporting.TaskAttempt:
        run = scope.run
        sub = node.array_node.node
        if sub.WhichOneof("target") == "task_node":
            task_id = scope.task(sub.task_node.reference_id).id
        else:
            task_id = sub.workflow_node.launchplan_ref
        return reporting.TaskAttempt(
            task_id=task_id,
            node=identifier_pb2.NodeExecutionIdentifier(node_id=unique_id, execution_id=run.execution),
            retry_attempt=0,
            task_type="container_array",
            generated_name=generated_name(run.execution.name, unique_id, 0),
            input_uri=run.blobs.uri(f"{run.data_dir(unique_id)}/inputs.pb"),
            plugin="k8s-array",
        )

    def progress(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState) -> None:
        run = scope.run
        array = node.array_node
        items = st.items or []
        attempt = self._task_attempt(scope, node, unique_id)
        if st.phase == "QUEUED":
            scope.report(node, unique_id, st, "RUNNING")
            run.report_task(reporting.task_event(attempt, "QUEUED", 0))
            st.task_phase = "QUEUED"
        if array.WhichOneof("parallelism_option") == "parallelism" and array.parallelism > 0:
            parallelism = array.parallelism
        else:
            parallelism = max(len(items), 1)
        template = keyed = None
        if array.node.WhichOneof("target") == "task_node":
            template = scope.task(array.node.task_node.reference_id)
            keyed = attempts.cache_template(array.node, template)
        externals: list[event_pb2.ExternalResourceInfo] = []
        busy = sum(1 for item in items if item.phase in ("QUEUED", "RUNNING"))
        for index, item in enumerate(items):
            if item.phase in ("SUCCEEDED", "FAILED", "ABORTED"):
                continue
            if item.phase == "NOT_STARTED":
                if busy >= parallelism:
                    continue
                busy += 1
            if template is not None:
                self._progress_task_item(scope, node, unique_id, st, index, item, template, keyed, externals)
            else:
                self._progress_launch_plan_item(scope, node, unique_id, st, index, item, externals)
            if item.phase in ("SUCCEEDED", "FAILED"):
                busy -= 1
        self._judge(scope, node, unique_id, st, attempt, externals)

    def _minimum(self, array: workflow_pb2.ArrayNode, size: int) -> int:
        which = array.WhichOneof("success_criteria")
        if which == "min_successes":
            return int(array.min_successes)
        if which == "min_success_ratio":
            return math.ceil(float(array.min_success_ratio) * size)
        return size

    def _judge(
        self,
        scope: Scope,
        node: workflow_pb2.Node,
        unique_id: str,
        st: NodeState,
        attempt: reporting.TaskAttempt,
        externals: list[event_pb2.ExternalResourceInfo],
    ) -> None:
        run = scope.run
        items = st.items or []
        succeeded = sum(1 for item in items if item.phase == "SUCCEEDED")
        failed = [index for index, item in enumerate(items) if item.phase == "FAILED"]
        running = sum(1 for item in items if item.phase not in ("SUCCEEDED", "FAILED", "ABORTED"))
        minimum = self._minimum(node.array_node, len(items))
        if len(items) - len(failed) < minimum and not (node.array_node.run_all_sub_nodes and running):
            externals += self._abort_items(scope, unique_id, st, "the array node failed")
            error = self._error(items, failed, minimum)
            st.phase_version = 0
            run.report_task(reporting.task_event(attempt, "FAILED", 0, error=error, external_resources=externals))
            st.task_phase = "FAILED"
            scope.fail(node, unique_id, st, error)
            return
        if succeeded >= minimum and running == 0:
            outputs = self._gather(run, st)
            uri = run.write_map(f"{run.attempt_dir(unique_id, st.attempt)}/outputs.pb", outputs)
            run.report_task(reporting.task_event(attempt, "SUCCEEDED", 0, output_uri=uri, external_resources=externals))
            st.task_phase = "SUCCEEDED"
            scope.succeed(node, unique_id, st, uri)
            return
        if externals:
            st.phase_version += 1
            run.report_task(reporting.task_event(attempt, "RUNNING", st.phase_version, external_resources=externals))
            st.task_phase = "RUNNING"

    def _error(self, items: list[ItemState], failed: list[int], minimum: int) -> execution_pb2.ExecutionError:
        first = items[failed[0]].error if failed else None
        lines = [f"{len(failed)} of {len(items)} items failed; at least {minimum} had to succeed"]
        for index in failed[:10]:
            error = items[index].error or new_error("", "")
            lines.append(f"[{index}]: {error['code'] + ': ' if error['code'] else ''}{error['message']}")
        if len(failed) > 10:
            lines.append(f"... and {len(failed) - 10} more")
        return ExecutionError(
            code=first["code"] if first else "ArrayNodeFailed",
            message="\n".join(lines),
            kind=first["kind"] if first else ExecutionError.USER,
        )

    def _gather(self, run: ExecutionRun, st: NodeState) -> literals_pb2.LiteralMap:
        """The items' outputs as collections (None for items that failed), by output name."""
        items = st.items or []
        per_item = [
            run.read_map(item.outputs) if item.phase == "SUCCEEDED" and item.outputs else None for item in items
        ]
        names = list(st.array_outputs or [])
        if not names:
            for outputs in per_item:
                for name in outputs.literals if outputs is not None else ():
                    if name not in names:
                        names.append(name)
        gathered = literals_pb2.LiteralMap()
        for name in names:
            collection = gathered.literals[name].collection
            for outputs in per_item:
                if outputs is not None and name in outputs.literals:
                    collection.literals.add().CopyFrom(outputs.literals[name])
                else:
                    collection.literals.add().CopyFrom(NONE_LITERAL)
        return gathered

    def _abort_items(
        self, scope: Scope, unique_id: str, st: NodeState, reason: str
    ) -> list[event_pb2.ExternalResourceInfo]:
        run = scope.run
        aborted = []
        for index, item in enumerate(st.items or []):
            if item.phase not in ("QUEUED", "RUNNING"):
                continue
            key = f"{unique_id}/{index}"
            run.cancel_slot_request(key)
            run.kill(key)
            attempts.forget_orphan(run, item)
            if item.child is not None:
                terminate_child(run, item.child, reason)
            item.phase = "ABORTED"
            aborted.append(self._external(run, unique_id, index, item, "ABORTED", None))
            run.changed()
        return aborted

    def abort(self, scope: Scope, node: workflow_pb2.Node, unique_id: str, st: NodeState, reason: str) -> None:
        externals = self._abort_items(scope, unique_id, st, reason)
        if st.task_phase in ("QUEUED", "RUNNING"):
            attempt = self._task_attempt(scope, node, unique_id)
            event = reporting.task_event(attempt, "ABORTED", 0, reason=reason, external_resources=externals)
            scope.run.report_task(event)
            st.task_phase = "ABORTED"

"""``@dynamic``: a task whose body builds a workflow when it runs.

Locally the body runs with native inputs in ``LOCAL_DYNAMIC_TASK_EXECUTION`` mode: every entity it
calls runs at once and returns promises holding literals; the outputs are converted to a literal map.
In a container (``TASK_EXECUTION``) the body runs in compile mode instead: every call becomes a node,
and the result is a flyteidl ``DynamicJobSpec`` (nodes, the task templates they reference, output
bindings, sub-workflows) that the entrypoint writes to ``futures.pb`` for the backend to run.

The serialization of nodes and task templates here covers what a dynamic body produces (task, map-task,
sub-workflow, launch-plan and array nodes; python container tasks); it is the same wire shape flytekit
writes and moves to the general serializer (``flyte_core.idl``) once that exists.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable
from typing import Any

from flyteidl.core import dynamic_job_pb2, identifier_pb2, literals_pb2, tasks_pb2, workflow_pb2

from flyte_core.exceptions.user import FlyteAssertion, FlyteValueException
from flyte_core.sdk.context import CompilationState, ExecutionState, FlyteContext, FlyteContextManager
from flyte_core.sdk.promise import VoidPromise, binding_from_python_std, translate_inputs_to_literals
from flyte_core.sdk.python_function_task import ExecutionBehavior
from flyte_core.types.type_engine import TypeTransformerFailedError

if typing.TYPE_CHECKING:
    from flyte_core.sdk.node import Node
    from flyte_core.sdk.python_function_task import PythonFunctionTask


def dynamic(_task_function: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """A task whose body is a workflow built at run time (``@task`` with ``execution_mode=DYNAMIC``).

    Inside the body the inputs are Python values, so loops and ``if`` on them work; the tasks it calls
    become the nodes of the workflow that runs. Accepts every ``@task`` argument.

    ```python
    @dynamic
    def squares(n: int) -> list[int]:
        return [square(x=i) for i in range(n)]
    ```
    """
    from flyte_core.sdk.task import task

    kwargs["execution_mode"] = ExecutionBehavior.DYNAMIC
    return task(_task_function, **kwargs)


def execute_dynamic(task: PythonFunctionTask[Any], **kwargs: Any) -> Any:
    """Run a dynamic task's body: locally to a ``LiteralMap``, in a container to a ``DynamicJobSpec``."""
    ctx = FlyteContextManager.current_context()
    state = ctx.execution_state
    if state is not None and state.is_local_execution():
        return _run_locally(task, ctx, kwargs)
    if state is not None and state.mode is ExecutionState.Mode.TASK_EXECUTION:
        return compile_dynamic(task, ctx, kwargs)
    raise ValueError(
        f"Invalid execution provided, execution state: {state}: dynamic task '{task.name}' runs locally (call it) "
        "or in a container (pyflyte-execute)"
    )


def _run_locally(task: PythonFunctionTask[Any], ctx: FlyteContext, kwargs: dict[str, Any]) -> literals_pb2.LiteralMap:
    state = ctx.new_execution_state().with_params(mode=ExecutionState.Mode.LOCAL_DYNAMIC_TASK_EXECUTION)
    with FlyteContextManager.with_context(ctx._replace(execution_state=state)):
        function_outputs = task.task_function(**kwargs)
    output_names = list(task.python_interface.outputs)
    if isinstance(function_outputs, VoidPromise) or function_outputs is None:
        if output_names:
            raise FlyteValueException(
                function_outputs,
                f"dynamic task '{task.name}' returned nothing but declares {len(output_names)} output(s) "
                f"({', '.join(output_names)})",
            )
        return literals_pb2.LiteralMap()
    if not output_names:
        raise FlyteValueException(
            function_outputs,
            f"dynamic task '{task.name}' declares no outputs but returned a value: Interface output should've been "
            "VoidPromise or None.",
        )
    outputs = _outputs_as_map(task, function_outputs)
    try:
        literals = translate_inputs_to_literals(
            ctx,
            outputs,
            flyte_interface_types=task.interface.outputs.variables,
            native_types=task.python_interface.outputs,
            entity_kind="dynamic task",
            entity_name=task.name,
        )
    except TypeTransformerFailedError as exc:
        message = str(exc)
        for name in outputs:
            message = message.replace(f"input '{name}'", f"output '{name}'")
        raise TypeTransformerFailedError(message) from exc
    return literals_pb2.LiteralMap(literals=literals)


def _outputs_as_map(task: PythonFunctionTask[Any], function_outputs: Any) -> dict[str, Any]:
    names = list(task.python_interface.outputs)
    if len(names) == 1:
        if task.python_interface.output_tuple_name and isinstance(function_outputs, tuple):
            return {names[0]: function_outputs[0]}
        return {names[0]: function_outputs}
    if not isinstance(function_outputs, tuple) or len(function_outputs) != len(names):
        raise FlyteValueException(
            function_outputs,
            f"dynamic task '{task.name}' declares {len(names)} outputs ({', '.join(names)}): return a tuple of "
            f"{len(names)} values",
        )
    return dict(zip(names, function_outputs, strict=True))


# ----------------------------------------------------------------------------------------------
# Compiling the body into a DynamicJobSpec (in a container)
# ----------------------------------------------------------------------------------------------


def compile_dynamic(
    task: PythonFunctionTask[Any], ctx: FlyteContext, kwargs: dict[str, Any]
) -> dynamic_job_pb2.DynamicJobSpec | literals_pb2.LiteralMap:
    """The workflow the body builds for these inputs (a literal map when it calls nothing)."""
    settings = ctx.serialization_settings
    if settings is None:
        raise FlyteAssertion(
            f"dynamic task '{task.name}' cannot compile its workflow: no serialization settings in the context. "
            "In a container they come from the _F_SS_C environment variable the task was registered with"
        )
    base = ctx.compilation_state
    compilation = base.with_params(prefix="d") if base is not None else CompilationState(prefix="d", task_resolver=None)
    state = ctx.new_execution_state().with_params(mode=ExecutionState.Mode.DYNAMIC_TASK_EXECUTION)
    compile_ctx = ctx._replace(compilation_state=compilation, execution_state=state)
    with FlyteContextManager.with_context(compile_ctx):
        function_outputs = task.task_function(**kwargs)
        outputs: dict[str, Any] = {}
        if not (isinstance(function_outputs, VoidPromise) or function_outputs is None):
            outputs = _outputs_as_map(task, function_outputs)
        output_bindings = []
        for name, variable in task.interface.outputs.variables.items():
            if name not in outputs:
                raise FlyteValueException(function_outputs, f"dynamic task '{task.name}' did not return '{name}'")
            binding, _ = binding_from_python_std(
                compile_ctx, name, variable.type, outputs[name], task.python_interface.outputs[name]
            )
            output_bindings.append(binding)
    nodes = list(compilation.nodes)
    if not nodes:
        return literals_pb2.LiteralMap(literals={b.var: _binding_to_literal(task, b.binding) for b in output_bindings})
    serializer = _FuturesSerializer(settings, task.name)
    node_protos = [serializer.node(node) for node in nodes]
    return dynamic_job_pb2.DynamicJobSpec(
        min_successes=len(node_protos),
        tasks=list(serializer.tasks.values()),
        nodes=node_protos,
        outputs=output_bindings,
        subworkflows=list(serializer.workflows.values()),
    )


def _binding_to_literal(task: Any, data: literals_pb2.BindingData) -> literals_pb2.Literal:
    kind = data.WhichOneof("value")
    if kind == "scalar":
        return literals_pb2.Literal(scalar=data.scalar)
    if kind == "collection":
        return literals_pb2.Literal(
            collection=literals_pb2.LiteralCollection(
                literals=[_binding_to_literal(task, b) for b in data.collection.bindings]
            )
        )
    if kind == "map":
        return literals_pb2.Literal(
            map=literals_pb2.LiteralMap(
                literals={k: _binding_to_literal(task, b) for k, b in data.map.bindings.items()}
            )
        )
    if kind == "offloaded_metadata":
        return literals_pb2.Literal(offloaded_metadata=data.offloaded_metadata)
    raise FlyteAssertion(f"dynamic task '{task.name}': an output refers to a value no node produces ({kind})")


_RUNTIME = tasks_pb2.RuntimeMetadata.RuntimeType.FLYTE_SDK
_EXECUTE_TEMPLATE = [
    "pyflyte-execute",
    "--inputs",
    "{{.input}}",
    "--output-prefix",
    "{{.outputPrefix}}",
    "--raw-output-data-prefix",
    "{{.rawOutputDataPrefix}}",
    "--checkpoint-path",
    "{{.checkpointOutputPrefix}}",
    "--prev-checkpoint",
    "{{.prevCheckpointPrefix}}",
    "--resolver",
]
_IMAGE_REFERENCE = re.compile(r"({{\s*\.image[s]?(?:\.([a-zA-Z0-9_]+))(?:\.([a-zA-Z0-9_]+))?\s*}})")
_RESOURCE_NAMES = (
    ("cpu", tasks_pb2.Resources.ResourceName.CPU),
    ("mem", tasks_pb2.Resources.ResourceName.MEMORY),
    ("gpu", tasks_pb2.Resources.ResourceName.GPU),
    ("ephemeral_storage", tasks_pb2.Resources.ResourceName.EPHEMERAL_STORAGE),
)


class _FuturesSerializer:
    """flyteidl nodes, task templates and sub-workflow templates of the entities a dynamic body called."""

    def __init__(self, settings: Any, dynamic_name: str) -> None:
        self._settings = settings
        self._dynamic_name = dynamic_name
        self.tasks: dict[int, tasks_pb2.TaskTemplate] = {}
        self.workflows: dict[int, workflow_pb2.WorkflowTemplate] = {}

    def _id(self, resource_type: int, name: str) -> identifier_pb2.Identifier:
        s = self._settings
        return identifier_pb2.Identifier(
            resource_type=resource_type,
            project=s.project or "",
            domain=s.domain or "",
            name=name,
            version=s.version or "",
        )

    # -- nodes -------------------------------------------------------------------------------

    def node(self, node: Node) -> workflow_pb2.Node:
        from flyte_core.sdk.array_node import ArrayNode
        from flyte_core.sdk.map_task import ArrayNodeMapTask
        from flyte_core.sdk.workflow import WorkflowBase

        entity = node.flyte_entity
        proto = workflow_pb2.Node(
            id=node.id,
            metadata=self._node_metadata(node, entity),
            inputs=node.bindings,
            upstream_node_ids=[n.id for n in node.upstream_nodes if n.id],
        )
        if isinstance(entity, ArrayNodeMapTask):
            task_id = self.task(entity)
            proto.array_node.CopyFrom(entity.to_array_node_idl(node.bindings, task_id, self._overrides(node)))
        elif isinstance(entity, ArrayNode):
            sub_node = workflow_pb2.Node(
                id=entity.id, metadata=proto.metadata, inputs=entity.bindings, upstream_node_ids=[]
            )
            self._reference(sub_node, entity.target, node)
            proto.array_node.CopyFrom(entity.to_array_node_idl(sub_node))
        elif isinstance(entity, WorkflowBase):
            proto.workflow_node.sub_workflow_ref.CopyFrom(self.workflow(entity))
        else:
            self._reference(proto, entity, node)
        return proto

    def _reference(self, proto: workflow_pb2.Node, entity: Any, node: Node) -> None:
        if hasattr(entity, "task_type") and hasattr(entity, "interface"):
            proto.task_node.reference_id.CopyFrom(self.task(entity))
            proto.task_node.overrides.CopyFrom(self._overrides(node))
        elif _is_launch_plan(entity):
            proto.workflow_node.launchplan_ref.CopyFrom(self._id(identifier_pb2.LAUNCH_PLAN, entity.name))
        else:
            raise NotImplementedError(
                f"dynamic task '{self._dynamic_name}': node '{node.id}' ({type(entity).__name__}) cannot be compiled "
                "into the dynamic workflow yet: conditionals and gates inside @dynamic need the serializer "
                "(flyte_core.idl)"
            )

    @staticmethod
    def _node_metadata(node: Node, entity: Any) -> workflow_pb2.NodeMetadata:
        construct = getattr(entity, "construct_node_metadata", None)
        metadata = construct() if construct is not None else workflow_pb2.NodeMetadata(name=entity.name)
        metadata.retries.SetInParent()
        overrides = node.overrides
        if overrides.get("name"):
            metadata.name = overrides["name"]
        if overrides.get("timeout") is not None:
            metadata.timeout.FromTimedelta(overrides["timeout"])
        if overrides.get("retries") is not None:
            metadata.retries.retries = overrides["retries"]
        if overrides.get("interruptible") is not None:
            metadata.interruptible = overrides["interruptible"]
        return typing.cast(workflow_pb2.NodeMetadata, metadata)

    @staticmethod
    def _overrides(node: Node) -> workflow_pb2.TaskNodeOverrides:
        from flyte_core.sdk.resources import ResourceSpec, construct_resource_spec

        overrides = workflow_pb2.TaskNodeOverrides()
        given = node.overrides
        if any(given.get(k) is not None for k in ("requests", "limits", "resources")):
            requests, limits = construct_resource_spec(
                given.get("requests"), given.get("limits"), given.get("resources")
            )
            overrides.resources.CopyFrom(_resources(ResourceSpec(requests=requests, limits=limits)))  # type: ignore[arg-type]
        if isinstance(given.get("container_image"), str):
            overrides.container_image = given["container_image"]
        return overrides

    # -- workflows -------------------------------------------------------------------------------

    def workflow(self, wf: Any) -> identifier_pb2.Identifier:
        wf_id = self._id(identifier_pb2.WORKFLOW, wf.name)
        if id(wf) in self.workflows:
            return wf_id
        template = workflow_pb2.WorkflowTemplate(
            id=wf_id,
            metadata=workflow_pb2.WorkflowMetadata(on_failure=wf.workflow_metadata.on_failure.value),
            metadata_defaults=workflow_pb2.WorkflowMetadataDefaults(
                interruptible=wf.workflow_metadata_defaults.interruptible
            ),
            interface=wf.interface,
            outputs=wf.output_bindings,
        )
        self.workflows[id(wf)] = template
        template.nodes.extend(self.node(n) for n in wf.nodes)
        if wf.failure_node is not None:
            template.failure_node.CopyFrom(self.node(wf.failure_node))
        return wf_id

    # -- tasks -------------------------------------------------------------------------------------

    def task(self, task: Any) -> identifier_pb2.Identifier:
        task_id = self._id(identifier_pb2.TASK, task.name)
        if id(task) not in self.tasks:
            self.tasks[id(task)] = self._task_template(task, task_id)
        return task_id

    def _task_template(self, task: Any, task_id: identifier_pb2.Identifier) -> tasks_pb2.TaskTemplate:
        from flyte_core._version import __version__
        from flyte_core.sdk.container_task import ContainerTask
        from flyte_core.sdk.map_task import ArrayNodeMapTask

        settings = self._settings
        if getattr(task, "execution_mode", None) in (ExecutionBehavior.DYNAMIC, ExecutionBehavior.EAGER):
            settings = settings.with_serialized_context()
        meta = task.metadata
        metadata = tasks_pb2.TaskMetadata(
            discoverable=bool(meta.cache),
            runtime=tasks_pb2.RuntimeMetadata(type=_RUNTIME, version=__version__, flavor="python"),
            discovery_version=meta.cache_version or "",
            deprecated_error_message=meta.deprecated or "",
            cache_serializable=bool(meta.cache_serialize),
            pod_template_name=meta.pod_template_name or "",
            cache_ignore_input_vars=list(meta.cache_ignore_input_vars),
            is_eager=bool(meta.is_eager),
        )
        metadata.retries.retries = meta.retries
        if meta.timeout:
            metadata.timeout.FromTimedelta(meta.timeout)
        if meta.interruptible is not None:
            metadata.interruptible = meta.interruptible
        metadata.generates_deck.value = bool(meta.generates_deck or getattr(task, "enable_deck", False))
        metadata.metadata.SetInParent()
        metadata.metadata.labels.update(meta.labels or {})
        metadata.metadata.annotations.update(meta.annotations or {})
        template = tasks_pb2.TaskTemplate(
            id=task_id,
            type=task.task_type,
            task_type_version=task.task_type_version,
            metadata=metadata,
            interface=task.interface,
        )
        custom = task.get_custom(settings)
        if custom:
            template.custom.update(custom)
        config = task.get_config(settings)
        if config:
            template.config.update(config)
        secrets = getattr(task.security_context, "secrets", None) if task.security_context else None
        if secrets:
            template.security_context.secrets.extend(_secret(s) for s in secrets)
        run_task = task.python_function_task if isinstance(task, ArrayNodeMapTask) else task
        if getattr(run_task, "pod_template", None) is not None:
            raise NotImplementedError(
                f"dynamic task '{self._dynamic_name}': task '{task.name}' has a pod_template; serializing pod tasks "
                "inside @dynamic needs the serializer (flyte_core.idl)"
            )
        env = {**(settings.env or {}), **(getattr(run_task, "environment", None) or {})}
        if isinstance(task, ContainerTask):
            container = tasks_pb2.Container(
                image=_image(task.image, settings),
                command=task.command,
                args=task.arguments or [],
                env=[literals_pb2.KeyValuePair(key=k, value=v) for k, v in env.items()],
                data_config=task.data_loading_config(),
            )
            container.resources.CopyFrom(_resources(task.resources))
            template.container.CopyFrom(container)
            return template
        if isinstance(task, ArrayNodeMapTask):
            args = task.get_command(settings)
        else:
            resolver = getattr(task, "task_resolver", None)
            if resolver is None:
                raise NotImplementedError(
                    f"dynamic task '{self._dynamic_name}': task '{task.name}' ({type(task).__name__}) has no task "
                    "resolver; only Python tasks can be compiled into a dynamic workflow for now"
                )
            args = [*_EXECUTE_TEMPLATE, resolver.location, "--", *resolver.loader_args(settings, task)]
        if settings.should_fast_serialize():
            fast = settings.fast_serialization_settings
            args = [
                "pyflyte-fast-execute",
                "--additional-distribution",
                fast.distribution_location or "{{ .remote_package_path }}",
                "--dest-dir",
                fast.destination_dir or "{{ .dest_dir }}",
                "--",
                *args,
            ]
        container = tasks_pb2.Container(
            image=_image(getattr(run_task, "container_image", None), settings),
            args=args,
            env=[literals_pb2.KeyValuePair(key=k, value=v) for k, v in env.items()],
        )
        container.resources.CopyFrom(_resources(getattr(run_task, "resources", None)))
        template.container.CopyFrom(container)
        return template


def _is_launch_plan(entity: Any) -> bool:
    from flyte_core.sdk.array_node import _launch_plan_classes

    classes = _launch_plan_classes()
    return bool(classes) and isinstance(entity, classes)


def _resources(spec: Any) -> tasks_pb2.Resources:
    resources = tasks_pb2.Resources()
    if spec is None:
        return resources
    for side, entries in ((spec.requests, resources.requests), (spec.limits, resources.limits)):
        if side is None:
            continue
        for attr, name in _RESOURCE_NAMES:
            value = getattr(side, attr, None)
            if value is not None:
                entries.add(name=name, value=str(value))
    return resources


def _secret(secret: Any) -> Any:
    from flyteidl.core import security_pb2

    return security_pb2.Secret(
        group=secret.group or "",
        key=secret.key or "",
        group_version=secret.group_version or "",
        mount_requirement=secret.mount_requirement.value,
        env_var=secret.env_var or "",
    )


def _image(image: Any, settings: Any) -> str:
    """The image a task runs in: its own (``{{.image.<name>.fqn}}`` references resolved) or the default one."""
    config = settings.image_config
    if image is None or image == "":
        if config.default_image is None:
            raise FlyteAssertion("no default image in the serialization settings")
        return str(config.default_image.full)
    if not isinstance(image, str):
        image_name = getattr(image, "image_name", None)
        found = config.find_image(getattr(image, "id", "")) if hasattr(image, "id") else None
        if found is not None:
            return str(found.full)
        if callable(image_name):
            return str(image_name())
        return str(image)
    for group, name, attr in _IMAGE_REFERENCE.findall(image):
        found = config.find_image(name)
        if found is None:
            raise FlyteAssertion(f"Image Config with name {name} not found in the configuration")
        if attr == "version":
            version = found.version or (config.default_image.version if config.default_image else None)
            image = image.replace(group, version or "")
        elif attr == "fqn":
            image = image.replace(group, found.fqn)
        else:
            image = image.replace(group, found.full)
    return str(image)


__all__ = ["compile_dynamic", "dynamic", "execute_dynamic"]

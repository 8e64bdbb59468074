"""Entities -> flyteidl: tasks to ``TaskSpec``, workflows to ``WorkflowSpec``, launch plans to ``LaunchPlan``.

``get_serializable`` translates one entity and, first, everything it depends on; every translation is
recorded in an ``EntityMapping`` in dependency order (a task before the workflow that calls it), which
is the order registration needs. What it writes is what flytekit writes for the same code.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import textwrap
from typing import Any

from flyteidl.admin import launch_plan_pb2
from flyteidl.admin import task_pb2 as admin_task_pb2
from flyteidl.admin import workflow_pb2 as admin_workflow_pb2
from flyteidl.core import identifier_pb2, tasks_pb2, workflow_pb2
from google.protobuf.message import Message

from flyte_core.config.serialization import SerializationSettings
from flyte_core.exceptions.user import FlyteAssertion
from flyte_core.sdk.imperative import DEFAULT_FAILURE_NODE_ID
from flyte_core.sdk.promise import GLOBAL_INPUT_NODE_ID


class EntityMapping(dict):  # type: ignore[type-arg]
    """Translations by entity, in the order they were made: dependencies before the entities that use them.

    A plain ``dict`` (or flytekit's ``OrderedDict()``) works as well; entities are keys by identity.
    """


_ADMIN_TYPES = (admin_task_pb2.TaskSpec, admin_workflow_pb2.WorkflowSpec, launch_plan_pb2.LaunchPlan)


def get_serializable(
    entity_mapping: dict[Any, Any], settings: SerializationSettings, entity: Any, options: Any = None
) -> Any:
    """The flyteidl form of ``entity`` (a task, workflow, launch plan, node, branch or array node).

    What it depends on is translated first; everything lands in ``entity_mapping``.
    """
    if entity in entity_mapping:
        return entity_mapping[entity]
    from flyte_core.sdk.array_node import ArrayNode
    from flyte_core.sdk.base_task import Task
    from flyte_core.sdk.condition import BranchNode
    from flyte_core.sdk.launch_plan import LaunchPlan
    from flyte_core.sdk.node import Node
    from flyte_core.sdk.reference import ReferenceEntity
    from flyte_core.sdk.workflow import WorkflowBase

    translated: Any
    if isinstance(entity, ReferenceEntity):
        translated = entity.id
    elif isinstance(entity, Task):
        translated = _task_spec(entity_mapping, settings, entity, options)
    elif isinstance(entity, WorkflowBase):
        translated = _workflow_spec(entity_mapping, settings, entity, options)
    elif isinstance(entity, Node):
        translated = _node(entity_mapping, settings, entity, options)
    elif isinstance(entity, LaunchPlan):
        translated = _launch_plan(entity_mapping, settings, entity, options)
    elif isinstance(entity, BranchNode):
        translated = entity.to_flyte_idl(lambda n: get_serializable(entity_mapping, settings, n, options))
    elif isinstance(entity, ArrayNode):
        translated = _array_node(entity_mapping, settings, entity, options)
    else:
        raise FlyteAssertion(
            f"{type(entity).__name__} {getattr(entity, 'name', entity)!r} cannot be serialized: only tasks, "
            "workflows, launch plans and their nodes can"
        )
    entity_mapping[entity] = translated
    return translated


def _identifier(resource_type: int, settings: SerializationSettings, name: str) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(
        resource_type=resource_type,  # type: ignore[arg-type]
        project=settings.project or "",
        domain=settings.domain or "",
        name=name,
        version=settings.version or "",
    )


# -- tasks ---------------------------------------------------------------------------------------------


def fast_execute_prefix(settings: SerializationSettings) -> list[str]:
    """``pyflyte-fast-execute --additional-distribution <code> --dest-dir <dir> --``: run from the code archive."""
    fast = settings.fast_serialization_settings
    return [
        "pyflyte-fast-execute",
        "--additional-distribution",
        (fast.distribution_location if fast else None) or "{{ .remote_package_path }}",
        "--dest-dir",
        (fast.destination_dir if fast else None) or "{{ .dest_dir }}",
        "--",
    ]


def _task_spec(
    entity_mapping: dict[Any, Any], settings: SerializationSettings, entity: Any, options: Any
) -> admin_task_pb2.TaskSpec:
    from flyte_core.sdk.container_task import ContainerTask
    from flyte_core.sdk.eager import EagerAsyncPythonFunctionTask
    from flyte_core.sdk.map_task import ArrayNodeMapTask
    from flyte_core.sdk.python_auto_container import PythonAutoContainerTask
    from flyte_core.sdk.python_function_task import ExecutionBehavior, PythonFunctionTask

    if isinstance(entity, PythonFunctionTask) and entity.execution_mode is ExecutionBehavior.DYNAMIC:
        # A dynamic task serializes its sub-workflow at run time: it needs these settings (in _F_SS_C).
        settings = _with_image_spec_images(settings).with_serialized_context()
        for hint in entity.node_dependency_hints or ():
            get_serializable(entity_mapping, settings, hint, options)
    if isinstance(entity, EagerAsyncPythonFunctionTask):
        settings = settings.with_serialized_context()

    container = entity.get_container(settings)
    pod = entity.get_k8s_pod(settings)
    if settings.should_fast_serialize():
        prefix = fast_execute_prefix(settings)
        if container is not None and isinstance(entity, PythonAutoContainerTask | ArrayNodeMapTask):
            container.args[:] = [*prefix, *container.args]
        elif pod is not None and not isinstance(entity, ContainerTask):
            if isinstance(entity, ArrayNodeMapTask):
                entity.set_command_prefix(prefix)
                pod = entity.get_k8s_pod(settings)
                entity.set_command_prefix(None)
            else:
                entity.set_command_fn(lambda s: [*prefix, *entity.get_default_command(s)])
                pod = entity.get_k8s_pod(settings)
                entity.reset_command_fn()

    if getattr(entity, "enable_deck", False):
        entity.metadata.generates_deck = True
    config = {**(entity.get_config(settings) or {}), **_class_decorator_config(entity)}
    template = tasks_pb2.TaskTemplate(
        id=_identifier(identifier_pb2.TASK, settings, entity.name),
        type=entity.task_type,
        metadata=entity.metadata.to_taskmetadata_model(),
        interface=entity.interface,
        container=container,
        task_type_version=entity.task_type_version,
        security_context=_security_context(entity.security_context),
        config=config,
        k8s_pod=pod,
        sql=entity.get_sql(settings),
        extended_resources=entity.get_extended_resources(settings),
    )
    custom = entity.get_custom(settings)
    if custom:
        template.custom.update(custom)
    docs = entity.docs
    return admin_task_pb2.TaskSpec(template=template, description=docs.to_flyte_idl() if docs else None)


def _with_image_spec_images(settings: SerializationSettings) -> SerializationSettings:
    """The settings with the image of every ``ImageSpec`` task of this process, so a dynamic task finds them."""
    from flyte_core.config.images import Image, ImageConfig
    from flyte_core.context import FlyteEntities
    from flyte_core.sdk.python_auto_container import PythonAutoContainerTask

    specs = [
        e.container_image
        for e in FlyteEntities.entities
        if isinstance(e, PythonAutoContainerTask) and e.container_image is not None
        if not isinstance(e.container_image, str) and hasattr(e.container_image, "image_name")
    ]
    if not specs:
        return settings
    config = settings.image_config
    images = list(config.images or ([config.default_image] if config.default_image else []))
    for spec in specs:
        image = Image.look_up_image_info(spec.id, spec.image_name())
        if image not in images:
            images.append(image)
    builder = settings.new_builder()
    builder.image_config = ImageConfig(default_image=config.default_image, images=images)
    return builder.build()


def _class_decorator_config(entity: Any) -> dict[str, str]:
    function = getattr(entity, "task_function", None)
    get_extra_config = getattr(function, "get_extra_config", None)
    return dict(get_extra_config()) if callable(get_extra_config) else {}


def _security_context(sc: Any) -> Any:
    from flyte_core.sdk.launch_plan import security_context_to_idl

    return security_context_to_idl(sc)


# -- workflows -----------------------------------------------------------------------------------------


def _workflow_spec(
    entity_mapping: dict[Any, Any], settings: SerializationSettings, entity: Any, options: Any
) -> admin_workflow_pb2.WorkflowSpec:
    from flyte_core.sdk.workflow import WorkflowBase

    nodes, sub_workflows = serialize_nodes(entity_mapping, settings, entity.nodes, f"workflow '{entity.name}'", options)
    failure_node = None
    if entity.failure_node is not None:
        failure_node = get_serializable(entity_mapping, settings, entity.failure_node, options)
        if isinstance(entity.failure_node.flyte_entity, WorkflowBase):
            sub_workflows.extend(_sub_workflow(entity_mapping, settings, entity.failure_node.flyte_entity, options))

    template = workflow_pb2.WorkflowTemplate(
        id=_identifier(identifier_pb2.WORKFLOW, settings, entity.name),
        metadata=workflow_pb2.WorkflowMetadata(on_failure=entity.workflow_metadata.on_failure.value),
        metadata_defaults=workflow_pb2.WorkflowMetadataDefaults(
            interruptible=entity.workflow_metadata_defaults.interruptible
        ),
        interface=entity.interface,
        nodes=nodes,
        outputs=entity.output_bindings,
        failure_node=failure_node,
    )
    docs = entity.docs
    return admin_workflow_pb2.WorkflowSpec(
        template=template,
        sub_workflows=_unique_sorted(sub_workflows),
        description=docs.to_flyte_idl() if docs else None,
    )


def serialize_nodes(
    entity_mapping: dict[Any, Any], settings: SerializationSettings, nodes: list[Any], owner: str, options: Any = None
) -> tuple[list[workflow_pb2.Node], list[workflow_pb2.WorkflowTemplate]]:
    """The nodes of a workflow (or of a dynamic task's workflow) and the sub-workflows they call."""
    from flyte_core.sdk.condition import BranchNode
    from flyte_core.sdk.reference import ReferenceWorkflow
    from flyte_core.sdk.workflow import WorkflowBase

    protos = []
    sub_workflows: list[workflow_pb2.WorkflowTemplate] = []
    for node in nodes:
        if node.id == GLOBAL_INPUT_NODE_ID:
            continue
        if node.id == DEFAULT_FAILURE_NODE_ID:
            raise FlyteAssertion(
                f"{owner}: node id '{node.id}' is reserved for the failure node; "
                "rename the node with .with_overrides(node_name=...)"
            )
        protos.append(get_serializable(entity_mapping, settings, node, options))
        target = node.flyte_entity
        if isinstance(target, ReferenceWorkflow):
            raise FlyteAssertion(
                f"{owner} calls the reference workflow '{target.name}' as a sub-workflow, which cannot be "
                "serialized (its template is on the server): call a reference launch plan instead"
            )
        if isinstance(target, WorkflowBase):
            sub_workflows.extend(_sub_workflow(entity_mapping, settings, target, options))
        elif isinstance(target, BranchNode):
            for leaf in target.ifelse_block.leaf_nodes:
                if isinstance(leaf.flyte_entity, WorkflowBase):
                    sub_workflows.extend(_sub_workflow(entity_mapping, settings, leaf.flyte_entity, options))
    return protos, _unique_sorted(sub_workflows)


def _sub_workflow(
    entity_mapping: dict[Any, Any], settings: SerializationSettings, wf: Any, options: Any
) -> list[workflow_pb2.WorkflowTemplate]:
    spec = get_serializable(entity_mapping, settings, wf, options)
    return [spec.template, *spec.sub_workflows]


def _unique_sorted(templates: list[workflow_pb2.WorkflowTemplate]) -> list[workflow_pb2.WorkflowTemplate]:
    """Each sub-workflow once, in flytekit's order (by its YAML-like rendering)."""
    unique: dict[bytes, workflow_pb2.WorkflowTemplate] = {}
    for t in templates:
        unique.setdefault(t.SerializeToString(deterministic=True), t)
    return sorted(unique.values(), key=_yaml_like)


def _yaml_like(message: Any, indent: int = 2) -> str:
    """flytekit's ``short_string`` rendering of a message (set fields by number, scalars cut at 80 characters)."""
    lines = []
    for descriptor, value in message.ListFields():
        if isinstance(value, Message):
            inner = _yaml_like(value, indent + 2)
            if inner:
                lines.append(" " * indent + descriptor.name + ":" + os.linesep + inner)
            continue
        text = textwrap.shorten(str(value).strip(), width=80)
        if text:
            lines.append(" " * indent + descriptor.name + ": " + text + os.linesep)
    return "".join(lines)


# -- nodes ---------------------------------------------------------------------------------------------


def dnsify(value: str) -> str:
    """A DNS-1123 label (lower-case alphanumerics and ``-``, at most 63 characters) made from ``value``."""
    limit, hash_length = 63, 10
    if len(value) >= limit:
        digest = hashlib.sha224(value.encode("utf-8")).hexdigest()[:hash_length]
        value = f"{digest}-{value[-(limit - hash_length - 1) :]}"
    out = ""
    for ch in value:
        if ch in "_-.":
            if out and len(out) < limit - 1:
                out += "-"
        elif not ch.isalnum():
            continue
        elif ch.islower() or ch.isdigit():
            out += ch
        else:
            if out and out[-1] != "-" and len(out) < limit - 1:
                out += "-"
            out += ch.lower()
    return out[:-1] if out.endswith("-") else out


def _node(entity_mapping: dict[Any, Any], settings: SerializationSettings, node: Any, options: Any) -> Any:
    from flyte_core.sdk.array_node import ArrayNode
    from flyte_core.sdk.base_task import Task
    from flyte_core.sdk.condition import BranchNode
    from flyte_core.sdk.gate import Gate
    from flyte_core.sdk.launch_plan import LaunchPlan
    from flyte_core.sdk.map_task import ArrayNodeMapTask
    from flyte_core.sdk.reference import ReferenceEntity
    from flyte_core.sdk.workflow import WorkflowBase

    target = node.flyte_entity
    if target is None:
        raise FlyteAssertion(f"node '{node.id}' has no entity to run")
    upstream = [
        get_serializable(entity_mapping, settings, n, options)
        for n in node.upstream_nodes
        if n.id != GLOBAL_INPUT_NODE_ID
    ]
    proto = workflow_pb2.Node(
        id=dnsify(node.id),
        metadata=node_metadata(node),
        inputs=node.bindings,
        upstream_node_ids=[n.id for n in upstream],
    )
    if isinstance(target, ReferenceEntity | LaunchPlan):
        _call(entity_mapping, settings, proto, target, node.bindings, options)
    elif isinstance(target, ArrayNode):
        proto.array_node.CopyFrom(get_serializable(entity_mapping, settings, target, options))
        # flytekit gives the node inside the array node the outer node's metadata
        proto.array_node.node.metadata.CopyFrom(proto.metadata)
    elif isinstance(target, ArrayNodeMapTask):
        spec = get_serializable(entity_mapping, settings, target, options)
        proto.array_node.CopyFrom(
            target.to_array_node_idl(
                node.bindings,
                spec.template.id,
                task_node_overrides(node, settings, target),
                sub_node_metadata=_with_metadata_overrides(target.sub_node_metadata, node.overrides),
            )
        )
    elif isinstance(target, Task):
        spec = get_serializable(entity_mapping, settings, target, options)
        proto.task_node.reference_id.CopyFrom(spec.template.id)
        proto.task_node.overrides.CopyFrom(task_node_overrides(node, settings, target))
        aliases = node.overrides.get("aliases")
        if aliases:
            proto.output_aliases.extend(workflow_pb2.Alias(var=k, alias=v) for k, v in aliases.items())
    elif isinstance(target, WorkflowBase):
        spec = get_serializable(entity_mapping, settings, target, options)
        proto.workflow_node.sub_workflow_ref.CopyFrom(spec.template.id)
    elif isinstance(target, BranchNode):
        proto.branch_node.CopyFrom(get_serializable(entity_mapping, settings, target, options))
    elif isinstance(target, Gate):
        proto.gate_node.CopyFrom(target.to_flyte_idl())
    else:
        raise FlyteAssertion(f"node '{node.id}' runs {type(target).__name__} {target!r}, which cannot be serialized")
    return proto


def node_metadata(node: Any) -> workflow_pb2.NodeMetadata:
    """The node's metadata: its entity's, changed by ``with_overrides`` (a map task's overrides go to its sub-node)."""
    from flyte_core.sdk.map_task import ArrayNodeMapTask

    metadata = node.metadata
    if metadata is None:
        metadata = node.flyte_entity.construct_node_metadata()
    if isinstance(node.flyte_entity, ArrayNodeMapTask):
        return metadata  # type: ignore[no-any-return]
    return _with_metadata_overrides(metadata, node.overrides)


def _with_metadata_overrides(metadata: workflow_pb2.NodeMetadata, overrides: dict[str, Any]) -> Any:
    from flyte_core.sdk.cache import Cache

    result = workflow_pb2.NodeMetadata()
    result.CopyFrom(metadata)
    if "timeout" in overrides:
        timeout = overrides["timeout"]
        result.timeout.FromTimedelta(timeout if timeout is not None else datetime.timedelta())
    if overrides.get("retries") is not None:
        result.retries.retries = overrides["retries"]
    if overrides.get("interruptible") is not None:
        result.interruptible = overrides["interruptible"]
    if overrides.get("name") is not None:
        result.name = overrides["name"]
    cache = overrides.get("cache")
    version, serialize = overrides.get("cache_version"), overrides.get("cache_serialize")
    if cache is not None:
        if isinstance(cache, Cache):
            if version is not None or serialize is not None:
                raise FlyteAssertion(
                    "with_overrides: cache_version and cache_serialize cannot be combined with cache=Cache(...); "
                    "give the version and serialize flag in the Cache object"
                )
            if cache.version is None:
                raise FlyteAssertion("with_overrides(cache=Cache(...)): the Cache must have a version")
            version, serialize, cache = cache.version, cache.serialize, True
        elif cache is True and version is None:
            serialize = serialize if serialize is not None else False
        result.cacheable = bool(cache)
    if version is not None:
        result.cache_version = version
    if serialize is not None:
        result.cache_serializable = serialize
    return result


def task_node_overrides(node: Any, settings: SerializationSettings, task: Any) -> workflow_pb2.TaskNodeOverrides:
    """What ``with_overrides`` changes in the task's container: resources, extended resources, image, pod."""
    from flyte_core.idl.container import OVERRIDE_RESOURCE_FIELDS, extended_resources
    from flyte_core.sdk.resources import Resources, ResourceSpec

    given = node.overrides
    overrides = workflow_pb2.TaskNodeOverrides()
    requests, limits = given.get("requests"), given.get("limits")
    if given.get("resources") is not None:
        spec = ResourceSpec.from_multiple_resource(given["resources"])
        requests, limits = spec.requests, spec.limits
    if requests is not None or limits is not None:
        for side, entries in ((requests, overrides.resources.requests), (limits, overrides.resources.limits)):
            if side is None:
                continue
            if not isinstance(side, Resources):
                raise FlyteAssertion(
                    f"node '{node.id}': requests and limits must be flyte_core.Resources, got {side!r}"
                )
            for attr, name in OVERRIDE_RESOURCE_FIELDS:
                value = getattr(side, attr)
                if value is not None:
                    entries.add(name=name, value=str(value))
    ext = extended_resources(accelerator=given.get("accelerator"), shared_memory=given.get("shared_memory"))
    if ext is not None:
        overrides.extended_resources.CopyFrom(ext)
    image = given.get("container_image")
    if image is not None:
        overrides.container_image = image
    pod_template = given.get("pod_template")
    if pod_template is not None:
        overrides.pod_template.CopyFrom(_pod_template_override(pod_template, settings, task))
    return overrides


def _pod_template_override(pod_template: Any, settings: SerializationSettings, task: Any) -> tasks_pb2.K8sPod:
    """A node's ``with_overrides(pod_template=...)``: the template with the task's container as primary."""
    from flyte_core.idl.pod import pod_spec_json, pod_to_idl
    from flyte_core.sdk.map_task import ArrayNodeMapTask

    if isinstance(task, ArrayNodeMapTask):
        container = task.get_container(settings)
        if container is None:  # the mapped task has a pod template of its own
            with task.prepare_target():
                container = task.python_function_task._get_container(settings)
        if settings.should_fast_serialize():
            container.args[:] = [*fast_execute_prefix(settings), *container.args]
    elif settings.should_fast_serialize():
        prefix = fast_execute_prefix(settings)
        task.set_command_fn(lambda s: [*prefix, *task.get_default_command(s)])
        container = task._get_container(settings)
        task.reset_command_fn()
    else:
        container = task._get_container(settings)
    return pod_to_idl(
        pod_spec_json(pod_template, container, settings),
        labels=pod_template.labels or None,
        annotations=pod_template.annotations or None,
        primary_container_name=pod_template.primary_container_name,
    )


def _array_node(
    entity_mapping: dict[Any, Any], settings: SerializationSettings, array_node: Any, options: Any
) -> workflow_pb2.ArrayNode:
    """An ``array_node`` over a launch plan or reference task: its sub-node calls the target itself."""
    from flyte_core.sdk.launch_plan import LaunchPlan
    from flyte_core.sdk.reference import ReferenceEntity

    target = array_node.target
    if not isinstance(target, ReferenceEntity | LaunchPlan):
        raise FlyteAssertion(f"array node over {type(target).__name__} {target!r} cannot be serialized")
    sub_node = workflow_pb2.Node(id=dnsify(array_node.id), inputs=array_node.bindings)
    _call(entity_mapping, settings, sub_node, target, array_node.bindings, options)
    return array_node.to_array_node_idl(sub_node)  # type: ignore[no-any-return]


def _call(
    entity_mapping: dict[Any, Any],
    settings: SerializationSettings,
    proto: workflow_pb2.Node,
    target: Any,
    bindings: list[Any],
    options: Any,
) -> None:
    """Point ``proto`` at a reference entity or a launch plan (whose fixed inputs are not bound)."""
    from flyte_core.sdk.reference import ReferenceEntity

    if isinstance(target, ReferenceEntity):
        reference_id = get_serializable(entity_mapping, settings, target, options)
        if reference_id.resource_type == identifier_pb2.TASK:
            proto.task_node.reference_id.CopyFrom(reference_id)
        elif reference_id.resource_type == identifier_pb2.WORKFLOW:
            proto.workflow_node.sub_workflow_ref.CopyFrom(reference_id)
        else:
            proto.workflow_node.launchplan_ref.CopyFrom(reference_id)
        return
    launch_plan = get_serializable(entity_mapping, settings, target, options)
    fixed = target.fixed_inputs.literals
    del proto.inputs[:]
    proto.inputs.extend(b for b in bindings if b.var not in fixed)
    proto.workflow_node.launchplan_ref.CopyFrom(launch_plan.id)


# -- launch plans --------------------------------------------------------------------------------------


def _launch_plan(
    entity_mapping: dict[Any, Any],
    settings: SerializationSettings,
    entity: Any,
    options: Any,
    recurse_downstream: bool = True,
) -> launch_plan_pb2.LaunchPlan:
    if recurse_downstream:
        workflow_id = get_serializable(entity_mapping, settings, entity.workflow, options).template.id
    else:
        workflow_id = _identifier(identifier_pb2.WORKFLOW, settings, entity.workflow.name)
    lp_id = _identifier(identifier_pb2.LAUNCH_PLAN, settings, entity.name)
    return entity.to_flyte_idl(lp_id, workflow_id, options)  # type: ignore[no-any-return]


# -- what a package registers --------------------------------------------------------------------------


def registrable_entities(settings: SerializationSettings, options: Any = None) -> list[Message]:
    """Every task, workflow (with its default launch plan) and launch plan made in this process, serialized."""
    from flyte_core.context import FlyteContextManager, FlyteEntities
    from flyte_core.sdk.base_task import PythonTask
    from flyte_core.sdk.eager import EagerAsyncPythonFunctionTask
    from flyte_core.sdk.launch_plan import LaunchPlan
    from flyte_core.sdk.workflow import WorkflowBase

    mapping = EntityMapping()
    ctx = FlyteContextManager.current_context()
    with FlyteContextManager.with_context(ctx.new_builder().with_serialization_settings(settings)) as ctx:
        for entity in list(FlyteEntities.entities):  # default launch plans are added while iterating
            if not isinstance(entity, PythonTask | WorkflowBase | LaunchPlan):
                continue
            get_serializable(mapping, settings, entity, options)
            if isinstance(entity, WorkflowBase):
                default = LaunchPlan.get_default_launch_plan(ctx, entity)
                get_serializable(mapping, settings, default, options)
            if isinstance(entity, EagerAsyncPythonFunctionTask):
                default = LaunchPlan.get_default_launch_plan(ctx, entity.get_as_workflow())
                get_serializable(mapping, settings, default, options)
    return [m for m in mapping.values() if isinstance(m, _ADMIN_TYPES)]

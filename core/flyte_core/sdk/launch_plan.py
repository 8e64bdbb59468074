"""Launch plans: a workflow with default and fixed inputs, a schedule, notifications, labels...

``LaunchPlan.get_or_create(workflow, name=..., default_inputs=..., fixed_inputs=..., schedule=...)``
caches launch plans by name (creating the same name again with other parameters is an error), and
every workflow has a default launch plan named after it. Calling a launch plan runs its workflow
locally with the saved inputs; called inside a workflow it becomes a launch-plan node. The
serializer gets the admin message from ``to_flyte_idl()`` / ``to_spec_idl()``.
"""

from __future__ import annotations

import typing
from typing import Any

from flyteidl.core import interface_pb2, literals_pb2

from flyte_core.context import ExecutionState, FlyteContext, FlyteContextManager, FlyteEntities
from flyte_core.exceptions.user import FlyteAssertion
from flyte_core.sdk.interface import Interface
from flyte_core.sdk.promise import (
    create_and_link_node,
    flyte_entity_call_handler,
    input_error,
    translate_inputs_to_literals,
)
from flyte_core.sdk.security import Identity, SecurityContext
from flyte_core.values.common import Annotations, AuthRole, Labels, Notification, RawOutputDataConfig
from flyte_core.values.concurrency import ConcurrencyPolicy
from flyte_core.values.schedule import Schedule

if typing.TYPE_CHECKING:
    from flyteidl.admin import launch_plan_pb2
    from flyteidl.core import identifier_pb2, workflow_pb2

    from flyte_core.sdk.options import Options
    from flyte_core.sdk.schedule import LaunchPlanTriggerBase
    from flyte_core.sdk.workflow import WorkflowBase


class LaunchPlan:
    """A way to launch a workflow: its inputs' defaults and fixed values, schedule, notifications, labels...

    Build one with ``LaunchPlan.get_or_create(...)`` (or ``LaunchPlan.create(...)``); every workflow also
    has a default launch plan (``LaunchPlan.get_or_create(workflow)``) named after the workflow.
    """

    # Launch plans by name: getting the default launch plan of a workflow twice gives the same object.
    CACHE: typing.ClassVar[dict[str, LaunchPlan]] = {}

    @staticmethod
    def get_default_launch_plan(ctx: FlyteContext, workflow: WorkflowBase) -> LaunchPlan:
        """The launch plan named after ``workflow`` that uses the defaults of its signature and nothing else."""
        if workflow.name in LaunchPlan.CACHE:
            return LaunchPlan.CACHE[workflow.name]
        parameters = _parameters(ctx, workflow.name, workflow, {})
        options = workflow.default_options
        lp = LaunchPlan(
            name=workflow.name,
            workflow=workflow,
            parameters=parameters,
            fixed_inputs=literals_pb2.LiteralMap(),
            labels=options.labels if options is not None else None,
            annotations=options.annotations if options is not None else None,
        )
        lp._saved_inputs = {
            name: default for name, (_, default) in workflow.python_interface.inputs_with_defaults.items()
        }
        LaunchPlan.CACHE[workflow.name] = lp
        return lp

    @classmethod
    def create(
        cls,
        name: str,
        workflow: WorkflowBase,
        default_inputs: dict[str, Any] | None = None,
        fixed_inputs: dict[str, Any] | None = None,
        schedule: Schedule | None = None,
        notifications: list[Notification] | None = None,
        labels: Labels | None = None,
        annotations: Annotations | None = None,
        raw_output_data_config: RawOutputDataConfig | None = None,
        max_parallelism: int | None = None,
        security_context: SecurityContext | None = None,
        auth_role: AuthRole | None = None,
        trigger: LaunchPlanTriggerBase | None = None,
        overwrite_cache: bool | None = None,
        auto_activate: bool = False,
        concurrency: ConcurrencyPolicy | None = None,
    ) -> LaunchPlan:
        """A new launch plan named ``name``; an error if a launch plan of that name already exists."""
        if name in cls.CACHE:
            raise AssertionError(
                f"Launch plan named {name} was already created! Make sure your names are unique "
                f"(or use LaunchPlan.get_or_create to reuse it)."
            )
        ctx = FlyteContextManager.current_context()
        default_inputs = dict(default_inputs or {})
        fixed_inputs = dict(fixed_inputs or {})
        parameters = _parameters(ctx, name, workflow, default_inputs)
        fixed_literals = translate_inputs_to_literals(
            ctx,
            incoming_values=fixed_inputs,
            flyte_interface_types=workflow.interface.inputs.variables,
            native_types=workflow.python_interface.inputs,
            entity_kind="launch plan",
            entity_name=name,
        )
        security_context = _with_auth_role(auth_role, security_context, conflict_is_error=True)
        lp = cls(
            name=name,
            workflow=workflow,
            parameters=parameters,
            fixed_inputs=literals_pb2.LiteralMap(literals=fixed_literals),
            schedule=schedule,
            notifications=notifications,
            labels=labels,
            annotations=annotations,
            raw_output_data_config=raw_output_data_config,
            max_parallelism=max_parallelism,
            security_context=security_context,
            trigger=trigger,
            overwrite_cache=overwrite_cache,
            auto_activate=auto_activate,
            concurrency=concurrency,
        )
        lp._saved_inputs = {**default_inputs, **fixed_inputs}
        lp._raw_fixed_inputs = fixed_inputs
        cls.CACHE[name] = lp
        return lp

    @classmethod
    def get_or_create(
        cls,
        workflow: WorkflowBase,
        name: str | None = None,
        default_inputs: dict[str, Any] | None = None,
        fixed_inputs: dict[str, Any] | None = None,
        schedule: Schedule | None = None,
        notifications: list[Notification] | None = None,
        labels: Labels | None = None,
        annotations: Annotations | None = None,
        raw_output_data_config: RawOutputDataConfig | None = None,
        max_parallelism: int | None = None,
        security_context: SecurityContext | None = None,
        auth_role: AuthRole | None = None,
        trigger: LaunchPlanTriggerBase | None = None,
        overwrite_cache: bool | None = None,
        auto_activate: bool = False,
        concurrency: ConcurrencyPolicy | None = None,
    ) -> LaunchPlan:
        """The launch plan ``name`` of ``workflow``, created on first use; without a name, the default one.

        Asking again for a name with different parameters (or another workflow) is an ``AssertionError``;
        a default launch plan (no name) cannot have any other parameter (``ValueError``).
        """
        given = {
            "default_inputs": default_inputs,
            "fixed_inputs": fixed_inputs,
            "schedule": schedule,
            "notifications": notifications,
            "labels": labels,
            "annotations": annotations,
            "raw_output_data_config": raw_output_data_config,
            "auth_role": auth_role,
            "max_parallelism": max_parallelism,
            "security_context": security_context,
            "trigger": trigger,
            "overwrite_cache": overwrite_cache,
            "concurrency": concurrency,
            "auto_activate": auto_activate or None,
        }
        if name is None:
            extra = sorted(k for k, v in given.items() if v is not None)
            if extra:
                raise ValueError(
                    "Only named launchplans can be created that have other properties. Drop the name if you want to "
                    "create a default launchplan. Default launchplans cannot have any other associations: "
                    f"workflow '{workflow.name}' got {', '.join(extra)} without a name; pass name='...'."
                )
            if workflow.name in cls.CACHE:
                return cls.CACHE[workflow.name]
            return cls.get_default_launch_plan(FlyteContextManager.current_context(), workflow)
        if name in cls.CACHE:
            cached = cls.CACHE[name]
            _check_same(
                cached,
                name,
                workflow,
                {
                    "schedule": schedule,
                    "notifications": notifications or [],
                    "default_inputs": {**(default_inputs or {}), **(fixed_inputs or {})},
                    "fixed_inputs": dict(fixed_inputs or {}),
                    "labels": labels,
                    "annotations": annotations,
                    "raw_output_data_config": raw_output_data_config,
                    "max_parallelism": max_parallelism,
                    "security_context": _with_auth_role(auth_role, security_context, conflict_is_error=False),
                    "overwrite_cache": overwrite_cache,
                    "auto_activate": auto_activate,
                    "concurrency": concurrency,
                },
            )
            return cached
        return cls.create(
            name,
            workflow,
            default_inputs,
            fixed_inputs,
            schedule,
            notifications,
            labels,
            annotations,
            raw_output_data_config,
            max_parallelism,
            security_context=security_context,
            auth_role=auth_role,
            trigger=trigger,
            overwrite_cache=overwrite_cache,
            auto_activate=auto_activate,
            concurrency=concurrency,
        )

    def __init__(
        self,
        name: str,
        workflow: WorkflowBase,
        parameters: interface_pb2.ParameterMap,
        fixed_inputs: literals_pb2.LiteralMap,
        schedule: Schedule | None = None,
        notifications: list[Notification] | None = None,
        labels: Labels | None = None,
        annotations: Annotations | None = None,
        raw_output_data_config: RawOutputDataConfig | None = None,
        max_parallelism: int | None = None,
        security_context: SecurityContext | None = None,
        trigger: LaunchPlanTriggerBase | None = None,
        overwrite_cache: bool | None = None,
        auto_activate: bool = False,
        concurrency: ConcurrencyPolicy | None = None,
    ) -> None:
        self._name = name
        self._workflow = workflow
        # A fixed input is not a parameter: it cannot be given at launch time.
        self._parameters = interface_pb2.ParameterMap(
            parameters={k: v for k, v in parameters.parameters.items() if k not in fixed_inputs.literals}
        )
        self._fixed_inputs = fixed_inputs
        self._saved_inputs: dict[str, Any] = {}
        self._raw_fixed_inputs: dict[str, Any] = {}
        self._schedule = schedule
        self._notifications = list(notifications) if notifications else []
        self._labels = labels
        self._annotations = annotations
        self._raw_output_data_config = raw_output_data_config
        self._max_parallelism = max_parallelism
        self._security_context = security_context
        self._trigger = trigger
        self._overwrite_cache = overwrite_cache
        self._auto_activate = auto_activate
        self._concurrency = concurrency
        FlyteEntities.entities.append(self)

    def clone_with(
        self,
        name: str,
        parameters: interface_pb2.ParameterMap | None = None,
        fixed_inputs: literals_pb2.LiteralMap | None = None,
        schedule: Schedule | None = None,
        notifications: list[Notification] | None = None,
        labels: Labels | None = None,
        annotations: Annotations | None = None,
        raw_output_data_config: RawOutputDataConfig | None = None,
        max_parallelism: int | None = None,
        security_context: SecurityContext | None = None,
        trigger: LaunchPlanTriggerBase | None = None,
        overwrite_cache: bool | None = None,
        auto_activate: bool = False,
    ) -> LaunchPlan:
        """A copy under another name, with the given parameters changed (not cached)."""
        return LaunchPlan(
            name=name,
            workflow=self._workflow,
            parameters=parameters or self._parameters,
            fixed_inputs=fixed_inputs or self._fixed_inputs,
            schedule=schedule or self._schedule,
            notifications=notifications or self._notifications,
            labels=labels or self._labels,
            annotations=annotations or self._annotations,
            raw_output_data_config=raw_output_data_config or self._raw_output_data_config,
            max_parallelism=max_parallelism or self._max_parallelism,
            security_context=security_context or self._security_context,
            trigger=trigger,
            overwrite_cache=overwrite_cache or self._overwrite_cache,
            auto_activate=auto_activate,
        )

    @property
    def name(self) -> str:
        return self._name

    @property
    def workflow(self) -> WorkflowBase:
        return self._workflow

    @property
    def python_interface(self) -> Interface:
        return self._workflow.python_interface

    @property
    def interface(self) -> interface_pb2.TypedInterface:
        return self._workflow.interface

    @property
    def parameters(self) -> interface_pb2.ParameterMap:
        """The inputs that can be given at launch time, with their defaults (``default_inputs``)."""
        return self._parameters

    @property
    def fixed_inputs(self) -> literals_pb2.LiteralMap:
        return self._fixed_inputs

    @property
    def raw_fixed_inputs(self) -> dict[str, Any]:
        return dict(self._raw_fixed_inputs)

    @property
    def saved_inputs(self) -> dict[str, Any]:
        """Default and fixed inputs as Python values (a copy): what a local call starts from."""
        return dict(self._saved_inputs)

    @property
    def schedule(self) -> Schedule | None:
        return self._schedule

    @property
    def notifications(self) -> list[Notification]:
        return self._notifications

    @property
    def labels(self) -> Labels | None:
        return self._labels

    @property
    def annotations(self) -> Annotations | None:
        return self._annotations

    @property
    def raw_output_data_config(self) -> RawOutputDataConfig | None:
        return self._raw_output_data_config

    @property
    def max_parallelism(self) -> int | None:
        return self._max_parallelism

    @property
    def security_context(self) -> SecurityContext | None:
        return self._security_context

    @property
    def trigger(self) -> LaunchPlanTriggerBase | None:
        return self._trigger

    @property
    def overwrite_cache(self) -> bool | None:
        return self._overwrite_cache

    @property
    def concurrency(self) -> ConcurrencyPolicy | None:
        return self._concurrency

    @property
    def should_auto_activate(self) -> bool:
        return self._auto_activate

    def construct_node_metadata(self) -> workflow_pb2.NodeMetadata:
        """A launch-plan node is named after its workflow (as flytekit names it), with an empty retry strategy."""
        metadata: workflow_pb2.NodeMetadata = self._workflow.construct_node_metadata()
        metadata.retries.SetInParent()
        return metadata

    def local_execution_mode(self) -> ExecutionState.Mode:
        return self._workflow.local_execution_mode()

    def local_execute(self, ctx: FlyteContext, **kwargs: Any) -> Any:
        """Run the workflow locally with the saved inputs and ``kwargs``."""
        return self._workflow.local_execute(ctx, **{**self._saved_inputs, **kwargs})

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the workflow with the saved (default and fixed) inputs and ``kwargs``; in a workflow, add a node."""
        if args:
            raise AssertionError(
                f"Only Keyword Arguments are supported for launch plan executions: call launch plan '{self._name}' "
                f"with input names, e.g. {self._name.rsplit('.', 1)[-1]}(x=...)"
            )
        fixed = sorted(set(kwargs) & set(self._fixed_inputs.literals))
        if fixed:
            raise FlyteAssertion(
                f"Fixed inputs cannot be specified. Please remove the following inputs - {set(fixed)}: launch plan "
                f"'{self._name}' fixes {', '.join(fixed)}; use another launch plan (or the workflow) to change them."
            )
        inputs = {**self._saved_inputs, **kwargs}
        ctx = FlyteContextManager.current_context()
        if ctx.compilation_state is not None:
            return create_and_link_node(ctx, entity=self, **inputs)
        if ctx.execution_state is not None and ctx.execution_state.mode is ExecutionState.Mode.EAGER_EXECUTION:
            return flyte_entity_call_handler(self, **inputs)
        return self._workflow(**inputs)

    def to_spec_idl(
        self, workflow_id: identifier_pb2.Identifier, options: Options | None = None
    ) -> launch_plan_pb2.LaunchPlanSpec:
        """The ``flyteidl.admin.LaunchPlanSpec``; ``options`` (from registration) override per field."""
        from flyteidl.admin import launch_plan_pb2, schedule_pb2

        launch_conditions = None
        if self._trigger is not None:
            condition = self._trigger.to_flyte_idl(self)
            if isinstance(condition, schedule_pb2.Schedule):
                raise ValueError("Please continue to use the schedule arg, the trigger arg is not implemented yet")
            from google.protobuf import any_pb2

            launch_conditions = any_pb2.Any()
            launch_conditions.Pack(condition)
        notifications = (options.notifications if options else None) or self._notifications
        metadata = launch_plan_pb2.LaunchPlanMetadata(
            schedule=self._schedule.to_flyte_idl() if self._schedule is not None else None,
            notifications=[n.to_flyte_idl() for n in notifications],
            launch_conditions=launch_conditions,
        )
        labels = (options.labels if options else None) or self._labels or Labels({})
        annotations = (options.annotations if options else None) or self._annotations or Annotations({})
        raw_output = (
            (options.raw_output_data_config if options else None)
            or self._raw_output_data_config
            or RawOutputDataConfig("")
        )
        security = _merge_security_context(self._security_context, options.security_context if options else None)
        return launch_plan_pb2.LaunchPlanSpec(
            workflow_id=workflow_id,
            entity_metadata=metadata,
            default_inputs=self._parameters,
            fixed_inputs=self._fixed_inputs,
            labels=labels.to_flyte_idl(),
            annotations=annotations.to_flyte_idl(),
            raw_output_data_config=raw_output.to_flyte_idl(),
            max_parallelism=(options.max_parallelism if options else None) or self._max_parallelism,
            security_context=security_context_to_idl(security),
            overwrite_cache=((options.overwrite_cache if options else None) or self._overwrite_cache) or None,
            concurrency_policy=self._concurrency.to_flyte_idl() if self._concurrency is not None else None,
        )

    def to_flyte_idl(
        self,
        lp_id: identifier_pb2.Identifier,
        workflow_id: identifier_pb2.Identifier,
        options: Options | None = None,
    ) -> launch_plan_pb2.LaunchPlan:
        """The ``flyteidl.admin.LaunchPlan`` registered for this launch plan (as flytekit serializes it)."""
        from flyteidl.admin import launch_plan_pb2

        return launch_plan_pb2.LaunchPlan(
            id=lp_id,
            spec=self.to_spec_idl(workflow_id, options),
            closure=launch_plan_pb2.LaunchPlanClosure(
                expected_inputs=interface_pb2.ParameterMap(), expected_outputs=interface_pb2.VariableMap()
            ),
        )

    def __repr__(self) -> str:
        return f"LaunchPlan({self._name} -> workflow {self._workflow.name})"


def _parameters(
    ctx: FlyteContext, name: str, workflow: WorkflowBase, default_inputs: dict[str, Any]
) -> interface_pb2.ParameterMap:
    """The workflow's inputs as launch-plan parameters; ``default_inputs`` take precedence over the signature.

    A default becomes the parameter's literal; an Optional input without one defaults to None; any other
    input is required.
    """
    from flyte_core.types.type_engine import TypeEngine
    from flyte_core.types.union import UnionTransformer

    inputs = workflow.python_interface.inputs_with_defaults
    unknown = [key for key in default_inputs if key not in inputs]
    if unknown:
        raise _UnknownInputError(
            f"launch plan '{name}': default input '{unknown[0]}' is not an input of workflow '{workflow.name}' "
            f"(its inputs: {', '.join(inputs) or 'none'})"
        )
    variables = workflow.interface.inputs.variables
    parameters = interface_pb2.ParameterMap()
    for key, (python_type, default) in inputs.items():
        parameter = parameters.parameters[key]
        parameter.var.CopyFrom(variables[key])
        value = default_inputs.get(key, default)
        if value is None:
            if UnionTransformer.is_optional_type(python_type):
                parameter.default.scalar.none_type.SetInParent()
            else:
                parameter.required = True
            continue
        try:
            parameter.default.CopyFrom(TypeEngine.to_literal(ctx, value, python_type, variables[key].type))
        except Exception as exc:
            kind, owner = ("launch plan", name) if key in default_inputs else ("workflow", workflow.name)
            raise input_error(kind, owner, key, python_type, value, exc) from exc
    return parameters


class _UnknownInputError(KeyError):
    """A default input the workflow does not have (a ``KeyError``, as in flytekit, with a readable message)."""

    def __str__(self) -> str:
        return str(self.args[0])


def _with_auth_role(
    auth_role: AuthRole | None, security_context: SecurityContext | None, conflict_is_error: bool
) -> SecurityContext | None:
    """The security context, built from the deprecated ``auth_role`` when only that is given."""
    if not auth_role:
        return security_context
    if security_context:
        if conflict_is_error:
            raise ValueError("Use of AuthRole is deprecated. You cannot specify both AuthRole and SecurityContext")
        return security_context
    return SecurityContext(
        run_as=Identity(
            iam_role=auth_role.assumable_iam_role,
            k8s_service_account=auth_role.kubernetes_service_account,
        )
    )


def _check_same(cached: LaunchPlan, name: str, workflow: WorkflowBase, wanted: dict[str, Any]) -> None:
    """flytekit's rule: a launch plan name means one workflow and one set of parameters."""
    if workflow is not cached.workflow:
        raise AssertionError(
            f"Trying to create two launch plans both named '{name}' for the workflows '{workflow.name}' "
            f"and '{cached.workflow.name}' - please ensure unique names."
        )
    current = {
        "schedule": cached.schedule,
        "notifications": cached.notifications,
        "default_inputs": cached.saved_inputs,
        "fixed_inputs": cached.raw_fixed_inputs,
        "labels": cached.labels,
        "annotations": cached.annotations,
        "raw_output_data_config": cached.raw_output_data_config,
        "max_parallelism": cached.max_parallelism,
        "security_context": cached.security_context,
        "overwrite_cache": cached.overwrite_cache,
        "auto_activate": cached.should_auto_activate,
        "concurrency": cached.concurrency,
    }
    for arg_name, new in wanted.items():
        if new != current[arg_name]:
            raise AssertionError(
                f"Trying to create two launch plans for workflow '{workflow.name}' both named '{name}' "
                f"but with different values for '{arg_name}' - please use different launch plan names "
                f"(existing: {current[arg_name]!r}, new: {new!r})."
            )


def _merge_security_context(entity: SecurityContext | None, options: SecurityContext | None) -> SecurityContext | None:
    """Registration options override the launch plan's security context field by field."""
    if options is None:
        return entity
    if entity is None:
        return options
    return SecurityContext(
        run_as=options.run_as or entity.run_as,
        secrets=options.secrets or entity.secrets,
        tokens=options.tokens or entity.tokens,
    )


def security_context_to_idl(sc: SecurityContext | None) -> Any:
    """``flyteidl.core.SecurityContext`` of a security context (None when it sets nothing)."""
    if sc is None or (sc.run_as is None and not sc.secrets and not sc.tokens):
        return None
    from flyteidl.core import security_pb2

    message = security_pb2.SecurityContext()
    run_as = sc.run_as
    if run_as is not None:
        message.run_as.SetInParent()
        if run_as.iam_role:
            message.run_as.iam_role = run_as.iam_role
        if run_as.k8s_service_account:
            message.run_as.k8s_service_account = run_as.k8s_service_account
        if run_as.execution_identity:
            message.run_as.execution_identity = run_as.execution_identity
        client = run_as.oauth2_client
        if client:
            message.run_as.oauth2_client.client_id = getattr(client, "client_id", client)
    for secret in sc.secrets or []:
        message.secrets.add(
            group=secret.group,
            group_version=secret.group_version,
            key=secret.key,
            mount_requirement=secret.mount_requirement.value,
            env_var=secret.env_var,
        )
    for token in sc.tokens or []:
        entry = message.tokens.add(
            name=token.name,
            type=token.type,
            idp_discovery_endpoint=token.idp_discovery_endpoint,
            token_endpoint=token.token_endpoint,
        )
        entry.client.client_id = token.client
    return message


def __getattr__(name: str) -> Any:
    """flytekit's ``flytekit.core.launch_plan.ReferenceLaunchPlan`` / ``reference_launch_plan`` paths."""
    if name in ("ReferenceLaunchPlan", "reference_launch_plan"):
        from flyte_core.sdk import reference

        return getattr(reference, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""How inputs are checked and merged: a launch plan's expected inputs from its workflow's interface (defaults,
fixed inputs, required free inputs), an execution's inputs from the user's, the defaults and the fixed ones, and
the conservative type check of a value against a declared type that both use (and the signal service too).
"""

from __future__ import annotations

from dataclasses import dataclass

from flyteidl.admin import launch_plan_pb2
from flyteidl.core import identifier_pb2, interface_pb2, literals_pb2, types_pb2

from flyte_core.sandbox.control_plane.records import describe
from flyte_core.sandbox.errors import InvalidArgument


@dataclass(frozen=True)
class ExecutionInputs:
    """The inputs an execution runs with (defaults, fixed and given merged) and the ones the user gave."""

    inputs: literals_pb2.LiteralMap
    user_inputs: literals_pb2.LiteralMap


def _expected_launch_plan_inputs(
    identifier: identifier_pb2.Identifier,
    workflow_inputs: interface_pb2.VariableMap,
    fixed: literals_pb2.LiteralMap,
    defaults: interface_pb2.ParameterMap,
) -> interface_pb2.ParameterMap:
    """flyteadmin's ``checkAndFetchExpectedInputForLaunchPlan``: defaults, plus every free workflow input required."""
    variables = workflow_inputs.variables
    if not variables:
        if defaults.parameters:
            raise InvalidArgument(
                f"invalid launch plan default inputs, expected none but found {len(defaults.parameters)} "
                f"(launch plan {describe(identifier)})"
            )
        if fixed.literals:
            raise InvalidArgument(
                f"invalid launch plan fixed inputs, expected none but found {len(fixed.literals)} "
                f"(launch plan {describe(identifier)})"
            )
        return interface_pb2.ParameterMap()
    for name, parameter in defaults.parameters.items():
        if name not in variables:
            raise InvalidArgument(f"unexpected default_input {name} (launch plan {describe(identifier)})")
        if parameter.HasField("default") and not literal_matches(parameter.default, variables[name].type):
            raise InvalidArgument(f"invalid default_input wrong type {name} (launch plan {describe(identifier)})")
    for name, literal in fixed.literals.items():
        if name not in variables:
            raise InvalidArgument(f"unexpected fixed_input {name} (launch plan {describe(identifier)})")
        if not literal_matches(literal, variables[name].type):
            raise InvalidArgument(f"invalid fixed_input wrong type {name} (launch plan {describe(identifier)})")
    expected = interface_pb2.ParameterMap()
    for name, variable in variables.items():
        if name in defaults.parameters:
            expected.parameters[name].CopyFrom(defaults.parameters[name])
        elif name not in fixed.literals:
            parameter = expected.parameters[name]
            parameter.var.type.CopyFrom(variable.type)
            parameter.var.description = variable.description
            parameter.required = True
    return expected


def _execution_inputs(
    user_inputs: literals_pb2.LiteralMap, launch_plan: launch_plan_pb2.LaunchPlan
) -> literals_pb2.LiteralMap:
    """flyteadmin's ``CheckAndFetchInputsForExecution``: given inputs, then defaults; fixed inputs cannot be given."""
    expected = launch_plan.closure.expected_inputs.parameters
    merged = literals_pb2.LiteralMap()
    for name, value in user_inputs.literals.items():
        if name in launch_plan.spec.fixed_inputs.literals:
            raise InvalidArgument(
                f"invalid input {name}: launch plan {describe(launch_plan.id)} fixes it (fixed_inputs), it cannot "
                "be overridden"
            )
        if name not in expected:
            raise InvalidArgument(
                f"invalid input {name}: launch plan {describe(launch_plan.id)} takes "
                f"{', '.join(sorted(expected)) or 'no inputs'}"
            )
        if not literal_matches(value, expected[name].var.type):
            raise InvalidArgument(f"invalid {name} input wrong type (launch plan {describe(launch_plan.id)})")
        merged.literals[name].CopyFrom(value)
    for name, parameter in expected.items():
        if name in merged.literals:
            continue
        if parameter.required:
            raise InvalidArgument(
                f"expected_inputs {name} missing: launch plan {describe(launch_plan.id)} requires input '{name}'"
            )
        merged.literals[name].CopyFrom(parameter.default)
    for name, value in launch_plan.spec.fixed_inputs.literals.items():
        if name in merged.literals:
            raise InvalidArgument(
                f"fixed_inputs {name} cannot be overridden: launch plan {describe(launch_plan.id)} fixes it"
            )
        merged.literals[name].CopyFrom(value)
    return merged


def literal_matches(literal: literals_pb2.Literal, expected: types_pb2.LiteralType) -> bool:
    """A conservative type check of a value against a declared type: False only when they clearly disagree.

    It compares shapes (scalar / collection / map) and, for primitives, the simple type; anything it cannot
    judge (unions, blobs, structured types, offloaded values) is accepted and left to the task to reject.
    """
    kind = expected.WhichOneof("type")
    value = literal.WhichOneof("value")
    if kind in (None, "union_type") or value in (None, "offloaded_metadata"):
        return True
    if value == "scalar" and literal.scalar.WhichOneof("value") == "none_type":
        return True
    if kind == "collection_type":
        return value == "collection" and all(
            literal_matches(item, expected.collection_type) for item in literal.collection.literals
        )
    if kind == "map_value_type":
        return value == "map" and all(
            literal_matches(item, expected.map_value_type) for item in literal.map.literals.values()
        )
    if value in ("collection", "map"):
        return False
    if kind == "simple" and value == "scalar" and literal.scalar.WhichOneof("value") == "primitive":
        primitive = literal.scalar.primitive.WhichOneof("value")
        allowed = {
            types_pb2.INTEGER: {"integer"},
            types_pb2.FLOAT: {"float_value", "integer"},
            types_pb2.STRING: {"string_value"},
            types_pb2.BOOLEAN: {"boolean"},
            types_pb2.DATETIME: {"datetime"},
            types_pb2.DURATION: {"duration"},
        }.get(expected.simple)
        return allowed is None or primitive in allowed
    return True

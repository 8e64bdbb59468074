"""flytekit 1.16.31's public API at the renamed paths: every public module and name of the inventory
(expected/flytekit_api.json, written by generate/api_inventory.py) imports from ``flyte_core``.

Three lists decide what is checked: the inventory; EXCLUDED (api_exclusions.py: never offered, with the
reason); PENDING below: modules with names still missing, the work list of issue 17. PENDING is a ratchet: a
module listed there that has become complete fails the test until it is taken off the list, so the list only
shrinks and always tells the truth.
"""

from __future__ import annotations

import fnmatch
import importlib
import json
import pathlib
import warnings

import pytest

from tests.compat.api_exclusions import EXCLUDED

INVENTORY = json.loads((pathlib.Path(__file__).parent / "expected" / "flytekit_api.json").read_text())

PENDING: frozenset[str] = frozenset(
    {
        "flytekit",  # 15 names missing
        "flytekit.clients",  # module missing
        "flytekit.clients.auth",  # module missing
        "flytekit.clients.auth.auth_client",  # module missing
        "flytekit.clients.auth.authenticator",  # module missing
        "flytekit.clients.auth.default_html",  # module missing
        "flytekit.clients.auth.exceptions",  # module missing
        "flytekit.clients.auth.keyring",  # module missing
        "flytekit.clients.auth.token_client",  # module missing
        "flytekit.clients.auth_helper",  # module missing
        "flytekit.clients.friendly",  # module missing
        "flytekit.clients.grpc_utils",  # module missing
        "flytekit.clients.grpc_utils.auth_interceptor",  # module missing
        "flytekit.clients.grpc_utils.deadline_interceptor",  # module missing
        "flytekit.clients.grpc_utils.default_metadata_interceptor",  # module missing
        "flytekit.clients.grpc_utils.wrap_exception_interceptor",  # module missing
        "flytekit.clients.helpers",  # module missing
        "flytekit.clients.raw",  # module missing
        "flytekit.configuration.default_images",  # module missing
        "flytekit.configuration.feature_flags",  # module missing
        "flytekit.configuration.file",  # module missing
        "flytekit.configuration.internal",  # module missing
        "flytekit.configuration.plugin",  # module missing
        "flytekit.constants",  # module missing
        "flytekit.core.artifact",  # module missing
        "flytekit.core.artifact_utils",  # module missing
        "flytekit.core.base_task",  # 4 names missing
        "flytekit.core.class_based_resolver",  # module missing
        "flytekit.core.condition",  # 9 names missing
        "flytekit.core.constants",  # module missing
        "flytekit.core.container_task",  # 1 names missing
        "flytekit.core.context_manager",  # 3 names missing
        "flytekit.core.data_persistence",  # 4 names missing
        "flytekit.core.interface",  # 7 names missing
        "flytekit.core.legacy_map_task",  # module missing
        "flytekit.core.local_fsspec",  # module missing
        "flytekit.core.node",  # 2 names missing
        "flytekit.core.promise",  # 13 names missing
        "flytekit.core.python_auto_container",  # 5 names missing
        "flytekit.core.python_customized_container_task",  # module missing
        "flytekit.core.python_function_task",  # 2 names missing
        "flytekit.core.reference_entity",  # 2 names missing
        "flytekit.core.resources",  # 5 names missing
        "flytekit.core.sentinel",  # module missing
        "flytekit.core.shim_task",  # module missing
        "flytekit.core.task",  # 3 names missing
        "flytekit.core.tracker",  # module missing
        "flytekit.core.type_engine",  # 15 names missing
        "flytekit.core.type_helpers",  # module missing
        "flytekit.core.type_match_checking",  # module missing
        "flytekit.core.utils",  # module missing
        "flytekit.core.workflow",  # 2 names missing
        "flytekit.deck.deck",  # module missing
        "flytekit.deck.html",  # module missing
        "flytekit.exceptions.scopes",  # module missing
        "flytekit.exceptions.system",  # 2 names missing
        "flytekit.exceptions.utils",  # module missing
        "flytekit.experimental",  # module missing
        "flytekit.experimental.eager_function",  # module missing
        "flytekit.extend",  # 10 names missing
        "flytekit.extend.backend",  # module missing
        "flytekit.extend.backend.base_agent",  # module missing
        "flytekit.extend.backend.base_connector",  # module missing
        "flytekit.extend.backend.connector_service",  # module missing
        "flytekit.extend.backend.utils",  # module missing
        "flytekit.extras.cloud_pickle_resolver",  # module missing
        "flytekit.extras.pydantic_transformer",  # module missing
        "flytekit.extras.pydantic_transformer.decorator",  # module missing
        "flytekit.extras.pydantic_transformer.transformer",  # module missing
        "flytekit.extras.pytorch",  # module missing
        "flytekit.extras.pytorch.checkpoint",  # module missing
        "flytekit.extras.pytorch.native",  # module missing
        "flytekit.extras.sklearn",  # module missing
        "flytekit.extras.sklearn.native",  # module missing
        "flytekit.extras.sqlite3",  # module missing
        "flytekit.extras.sqlite3.task",  # module missing
        "flytekit.extras.tensorflow",  # module missing
        "flytekit.extras.tensorflow.model",  # module missing
        "flytekit.extras.tensorflow.record",  # module missing
        "flytekit.extras.webhook",  # module missing
        "flytekit.image_spec.default_builder",  # module missing
        "flytekit.interactive",  # module missing
        "flytekit.interactive.constants",  # module missing
        "flytekit.interactive.utils",  # module missing
        "flytekit.interactive.vscode_lib",  # module missing
        "flytekit.interactive.vscode_lib.config",  # module missing
        "flytekit.interactive.vscode_lib.decorator",  # module missing
        "flytekit.interactive.vscode_lib.vscode_constants",  # module missing
        "flytekit.interfaces",  # module missing
        "flytekit.interfaces.cli_identifiers",  # module missing
        "flytekit.interfaces.random",  # module missing
        "flytekit.models.admin",  # module missing
        "flytekit.models.admin.common",  # module missing
        "flytekit.models.admin.task_execution",  # module missing
        "flytekit.models.admin.workflow",  # module missing
        "flytekit.models.array_job",  # module missing
        "flytekit.models.common",  # 6 names missing
        "flytekit.models.core.catalog",  # module missing
        "flytekit.models.core.compiler",  # module missing
        "flytekit.models.core.condition",  # module missing
        "flytekit.models.core.errors",  # module missing
        "flytekit.models.core.execution",  # 2 names missing
        "flytekit.models.core.identifier",  # 3 names missing
        "flytekit.models.core.workflow",  # module missing
        "flytekit.models.documentation",  # module missing
        "flytekit.models.domain",  # module missing
        "flytekit.models.dynamic_job",  # module missing
        "flytekit.models.event",  # module missing
        "flytekit.models.execution",  # module missing
        "flytekit.models.filters",  # module missing
        "flytekit.models.interface",  # module missing
        "flytekit.models.launch_plan",  # module missing
        "flytekit.models.matchable_resource",  # module missing
        "flytekit.models.named_entity",  # module missing
        "flytekit.models.node_execution",  # module missing
        "flytekit.models.presto",  # module missing
        "flytekit.models.project",  # module missing
        "flytekit.models.qubole",  # module missing
        "flytekit.models.security",  # 1 names missing
        "flytekit.models.task",  # module missing
        "flytekit.models.workflow_closure",  # module missing
        "flytekit.remote",  # 4 names missing
        "flytekit.remote.backfill",  # module missing
        "flytekit.remote.data",  # 1 names missing
        "flytekit.remote.entities",  # 6 names missing
        "flytekit.remote.executions",  # 1 names missing
        "flytekit.remote.interface",  # module missing
        "flytekit.remote.lazy_entity",  # module missing
        "flytekit.remote.metrics",  # module missing
        "flytekit.remote.remote",  # 4 names missing
        "flytekit.remote.remote_callable",  # module missing
        "flytekit.remote.remote_fs",  # module missing
        "flytekit.sensor",  # module missing
        "flytekit.sensor.base_sensor",  # module missing
        "flytekit.sensor.file_sensor",  # module missing
        "flytekit.sensor.sensor_engine",  # module missing
        "flytekit.tools.fast_registration",  # module missing
        "flytekit.tools.ignore",  # module missing
        "flytekit.tools.interactive",  # module missing
        "flytekit.tools.module_loader",  # module missing
        "flytekit.tools.repo",  # module missing
        "flytekit.tools.script_mode",  # module missing
        "flytekit.tools.serialize_helpers",  # module missing
        "flytekit.tools.subprocess",  # module missing
        "flytekit.tools.translator",  # 15 names missing
        "flytekit.types.file.image",  # module missing
        "flytekit.types.numpy.ndarray",  # module missing
        "flytekit.types.schema",  # module missing
        "flytekit.types.schema.types",  # module missing
        "flytekit.types.schema.types_pandas",  # module missing
        "flytekit.types.structured",  # 3 names missing
        "flytekit.types.structured.basic_dfs",  # 1 names missing
        "flytekit.types.structured.bigquery",  # module missing
        "flytekit.types.structured.snowflake",  # module missing
        "flytekit.types.structured.structured_dataset",  # 2 names missing
        "flytekit.utils",  # module missing
        "flytekit.utils.asyn",  # module missing
        "flytekit.utils.dict_formatter",  # module missing
        "flytekit.utils.pbhash",  # module missing
        "flytekit.utils.rate_limiter",  # module missing
    }
)


def _excluded(key: str) -> bool:
    return any(fnmatch.fnmatchcase(key, pattern) for pattern in EXCLUDED)


def _ours(module: str) -> str:
    return "flyte_core" + module[len("flytekit") :]


def _missing(module: str, names: list[str]) -> list[str]:
    """What of ``module`` (flytekit's path) flyte_core lacks: ``["<module>"]`` when the module itself is missing."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ours = importlib.import_module(_ours(module))
        except ImportError:
            return ["<module>"]
    return [name for name in names if not _excluded(f"{module}:{name}") and not hasattr(ours, name)]


MODULES = {
    **{module: list(names) for module, names in INVENTORY["modules"].items()},
    **{module: [] for module in INVENTORY["unimportable"]},  # only the path: flytekit lacks their libraries here
}
CHECKED = sorted(module for module in MODULES if not _excluded(module))


@pytest.mark.parametrize("module", [m for m in CHECKED if m not in PENDING])
def test_flytekit_module_and_its_names_exist_under_flyte_core(module: str) -> None:
    missing = _missing(module, MODULES[module])
    assert not missing, f"{_ours(module)} lacks {', '.join(missing)} (flytekit's {module} has them)"


@pytest.mark.parametrize("module", sorted(PENDING))
def test_pending_modules_are_still_incomplete(module: str) -> None:
    assert module in MODULES, f"{module} is not in flytekit's inventory: take it off PENDING"
    assert _missing(module, MODULES[module]), f"{_ours(module)} is complete now: take {module} off PENDING"


def test_exclusions_name_what_the_inventory_has_and_say_why() -> None:
    keys = set(MODULES) | {f"{m}:{n}" for m, names in MODULES.items() for n in names}
    for pattern, reason in EXCLUDED.items():
        assert any(fnmatch.fnmatchcase(key, pattern) for key in keys), f"exclusion {pattern!r} matches nothing"
        assert len(reason) > 20, f"exclusion {pattern!r} needs a real reason"


def test_the_inventory_is_flytekits_whole_public_api() -> None:
    assert INVENTORY["flytekit_version"] == "1.16.31"
    assert len(MODULES) > 200 and sum(len(n) for n in MODULES.values()) > 1000
    assert {"task", "workflow", "FlyteFile", "ImageSpec"} <= set(MODULES["flytekit"])

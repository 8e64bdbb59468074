"""Conditionals, gates and launch plans compile, serialize and run like flytekit 1.16.31's.

Expected values: tests/compat/expected/control_flow.json, written by tests/compat/generate/control_flow.py
from the modules in control_flow_cases.py; and, when present, the shared goldens of
/work/shared/compat (what ``pyflyte serialize`` writes for the shared examples).
"""

from __future__ import annotations

import datetime
import json
import pathlib
import re
import shutil
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from flyteidl.admin import launch_plan_pb2
from flyteidl.core import identifier_pb2, literals_pb2, workflow_pb2
from google.protobuf import json_format

from flyte_core.sdk.launch_plan import LaunchPlan

COMPAT = pathlib.Path(__file__).parents[2] / "compat"
sys.path.insert(0, str(COMPAT / "generate"))
from control_flow_cases import LAUNCH_PLANS, LOCAL_RUNS, SETTINGS, WORKFLOWS, load_package, node_idl  # noqa: E402

EXPECTED = json.loads((COMPAT / "expected" / "control_flow.json").read_text())
SHARED = pathlib.Path(__file__).parents[3].parent / "shared" / "compat"


@pytest.fixture(autouse=True)
def _no_local_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_ENABLED", "false")


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    saved = dict(LaunchPlan.CACHE)
    LaunchPlan.CACHE.clear()
    yield load_package(str(tmp_path_factory.mktemp("control_flow")), "flyte_core")
    LaunchPlan.CACHE.clear()
    LaunchPlan.CACHE.update(saved)


def _identifier(kind: int, name: str) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(
        resource_type=kind,
        project=SETTINGS["project"],
        domain=SETTINGS["domain"],
        name=name,
        version=SETTINGS["version"],
    )


def _node(data: dict[str, Any]) -> workflow_pb2.Node:
    return json_format.ParseDict(data, workflow_pb2.Node())


def _canonical(node: workflow_pb2.Node) -> workflow_pb2.Node:
    """Upstream ids are a set: flytekit's order is not stable."""
    clone = workflow_pb2.Node()
    clone.CopyFrom(node)
    ids = sorted(clone.upstream_node_ids)
    del clone.upstream_node_ids[:]
    clone.upstream_node_ids.extend(ids)
    return clone


def _readable(message: Any) -> str:
    return json_format.MessageToJson(message, sort_keys=True)


@pytest.mark.parametrize("case", WORKFLOWS, ids=[f"{m}.{w}" for m, w in WORKFLOWS])
def test_workflow_nodes_match_flytekit(case: tuple[str, str], modules: dict[str, ModuleType]) -> None:
    module, name = case
    wf = getattr(modules[module], name)
    expected = EXPECTED["workflows"][f"{module}.{name}"]
    ours = [_canonical(node_idl(n)) for n in wf.nodes]
    theirs = [_canonical(_node(n)) for n in expected["nodes"]]
    assert [_readable(n) for n in ours] == [_readable(n) for n in theirs]
    assert [_readable(b) for b in wf.output_bindings] == [
        _readable(json_format.ParseDict(b, literals_pb2.Binding())) for b in expected["outputs"]
    ]


@pytest.mark.parametrize("case", LAUNCH_PLANS, ids=[f"{m}.{a}" for m, a in LAUNCH_PLANS])
def test_launch_plans_serialize_like_flytekit(case: tuple[str, str], modules: dict[str, ModuleType]) -> None:
    module, attr = case
    lp = getattr(modules[module], attr)
    ours = lp.to_flyte_idl(
        _identifier(identifier_pb2.LAUNCH_PLAN, lp.name), _identifier(identifier_pb2.WORKFLOW, lp.workflow.name)
    )
    theirs = json_format.ParseDict(EXPECTED["launch_plans"][f"{module}.{attr}"], launch_plan_pb2.LaunchPlan())
    assert _readable(ours) == _readable(theirs)
    assert ours == theirs


@pytest.mark.parametrize(
    "run", EXPECTED["local_runs"], ids=[f"{r['module']}:{r['expression']}" for r in EXPECTED["local_runs"]]
)
def test_local_runs_match_flytekit(run: dict[str, str], modules: dict[str, ModuleType]) -> None:
    namespace = {**vars(modules[run["module"]]), "datetime": datetime}
    if "error" in run:
        with pytest.raises(Exception) as info:
            eval(run["expression"], namespace)
        assert type(info.value).__name__ == run["error"]
        assert str(info.value) == run["message"]
    else:
        assert repr(eval(run["expression"], namespace)) == run["repr"]


def test_every_case_has_an_expected_run() -> None:
    assert [(r["module"], r["expression"]) for r in EXPECTED["local_runs"]] == LOCAL_RUNS


# ----------------------------------------------------------------------------------------------
# The shared goldens (pyflyte serialize of the shared examples)
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_examples(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Import a shared example (renamed to flyte_core) as ``shared_examples.<name>``."""
    if not (SHARED / "examples").is_dir():
        pytest.skip(f"the shared compat examples are not available at {SHARED}")
    root = tmp_path_factory.mktemp("shared_examples")
    package = root / "shared_examples"
    package.mkdir()
    (package / "__init__.py").write_text("")
    saved = dict(LaunchPlan.CACHE)
    LaunchPlan.CACHE.clear()
    sys.path.insert(0, str(root))

    def load(name: str) -> ModuleType:
        source = (SHARED / "examples" / f"{name}.py").read_text()
        (package / f"{name}.py").write_text(re.sub(r"\bflytekit\b", "flyte_core", source))
        import importlib

        return importlib.import_module(f"shared_examples.{name}")

    yield load
    sys.path.remove(str(root))
    for name in [m for m in sys.modules if m == "shared_examples" or m.startswith("shared_examples.")]:
        del sys.modules[name]
    shutil.rmtree(root, ignore_errors=True)
    LaunchPlan.CACHE.clear()
    LaunchPlan.CACHE.update(saved)


def _golden(folder: str, suffix: str, example: str) -> dict[str, Any]:
    names = (f"examples.{example}.{suffix}.json", f"{suffix}.json")
    path = next(p for p in (SHARED / "golden" / folder).glob("*.json") if p.name.split("_", 1)[1] in names)
    text = path.read_text().replace(f'"examples.{example}.', f'"shared_examples.{example}.')
    return json.loads(text)


@pytest.mark.parametrize("wf_name", ["cond_wf", "bool_cond_wf"])
def test_branch_nodes_match_the_shared_goldens(wf_name: str, shared_examples: Any) -> None:
    wf = getattr(shared_examples("conditional"), wf_name)
    golden = _golden("conditional", f"{wf_name}_2", "conditional")["template"]["nodes"]
    assert [_readable(_canonical(node_idl(n))) for n in wf.nodes] == [_readable(_canonical(_node(n))) for n in golden]


@pytest.mark.parametrize(
    ("example", "attr", "suffix"),
    [
        ("launch_plans", "cron_lp", "lp_wf_cron_3"),
        ("launch_plans", "kickoff_lp", "kickoff_wf_cron_3"),
        ("launch_plans", "rate_lp", "lp_wf_rate_3"),
        ("subworkflow", "inner_lp", "inner_lp_3"),
    ],
)
def test_launch_plans_match_the_shared_goldens(example: str, attr: str, suffix: str, shared_examples: Any) -> None:
    lp = getattr(shared_examples(example), attr)
    golden = json_format.ParseDict(_golden(example, suffix, example), launch_plan_pb2.LaunchPlan())
    ours = lp.to_flyte_idl(golden.id, golden.spec.workflow_id)
    assert _readable(ours) == _readable(golden)


@pytest.mark.parametrize(("example", "wf_name"), [("launch_plans", "lp_wf"), ("launch_plans", "kickoff_wf")])
def test_default_launch_plans_match_the_shared_goldens(example: str, wf_name: str, shared_examples: Any) -> None:
    wf = getattr(shared_examples(example), wf_name)
    lp = LaunchPlan.get_or_create(wf)
    golden = json_format.ParseDict(_golden(example, f"{wf_name}_3", example), launch_plan_pb2.LaunchPlan())
    assert _readable(lp.to_flyte_idl(golden.id, golden.spec.workflow_id)) == _readable(golden)


def test_launch_plan_node_of_the_subworkflow_example_matches_the_shared_golden(shared_examples: Any) -> None:
    wf = shared_examples("subworkflow").outer_wf
    golden = _golden("subworkflow", "outer_wf_2", "subworkflow")["template"]["nodes"][1]
    assert _readable(_canonical(node_idl(wf.nodes[1]))) == _readable(_canonical(_node(golden)))

"""ImageSpec ids, tags and image names are the ones flytekit 1.16.31 computes for the same spec.

Expected values: tests/compat/expected/image_spec.json (tests/compat/generate/image_spec.py writes it).
"""

from __future__ import annotations

import json
import pathlib
import sys

import pytest

from flyte_core.sdk.image_spec import CopyFileDetection, ImageSpec

COMPAT = pathlib.Path(__file__).parents[2] / "compat"
sys.path.insert(0, str(COMPAT / "generate"))
from image_spec_cases import CASES, PATH_DEPENDENT_ID, TREE  # noqa: E402

EXPECTED = {case["id"]: case for case in json.loads((COMPAT / "expected" / "image_spec.json").read_text())}


@pytest.fixture(scope="module", autouse=True)
def _tree_module_loaded() -> None:
    """The source files of ``source_copy_mode=auto`` are the imported modules under the source root."""
    sys.path.insert(0, str(TREE))
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        __import__("wfmod")
    finally:
        sys.dont_write_bytecode = dont_write
    yield
    sys.path.remove(str(TREE))
    sys.modules.pop("wfmod", None)


def test_every_case_has_an_expected_value() -> None:
    assert [case_id for case_id, _ in CASES] == list(EXPECTED)


@pytest.mark.parametrize(("case_id", "expression"), CASES, ids=[case_id for case_id, _ in CASES])
def test_image_name_tag_and_id_equal_flytekits(case_id: str, expression: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(TREE)
    spec = eval(expression, {"ImageSpec": ImageSpec, "CopyFileDetection": CopyFileDetection, "TREE": TREE})
    expected = EXPECTED[case_id]
    assert (spec.image_name(), spec.tag, spec.builder, spec.platform) == (
        expected["image_name"],
        expected["tag"],
        expected["builder"],
        expected["platform"],
    )
    if case_id not in PATH_DEPENDENT_ID:
        assert spec.id == expected["spec_id"]

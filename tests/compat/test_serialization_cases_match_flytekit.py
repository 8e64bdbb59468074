"""Beyond the shared goldens: overrides, failure nodes, gates, array nodes, imperative workflows, container,
shell and eager tasks, and fast registration serialize as flytekit 1.16.31 serializes them.

Expected: tests/compat/expected/serialization.json, written by generate/serialization.py with flytekit from
the modules of generate/serialization_cases.py; compared as the shared ``compare_golden.py --sdk-neutral``
compares (its canonical JSON of each file).
"""

from __future__ import annotations

import json
import os
import pathlib
import sys

import pytest

from flyte_core.context import FlyteEntities
from flyte_core.sdk.launch_plan import LaunchPlan
from tests.compat.conftest import EXAMPLES

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE / "generate"))
from serialization_cases import SETTINGS, load_package  # noqa: E402

EXPECTED = json.loads((HERE / "expected" / "serialization.json").read_text())


@pytest.fixture(scope="module")
def compare_golden():
    if not (EXAMPLES.parent / "compare_golden.py").exists():
        pytest.skip("the shared compat folder (compare_golden.py) is not available")
    sys.path.insert(0, str(EXAMPLES.parent))
    import compare_golden

    compare_golden.SDK_NEUTRAL = True
    yield compare_golden
    sys.path.remove(str(EXAMPLES.parent))


@pytest.fixture
def fresh_package(tmp_path):
    """Load the cases anew: serializing changes some entities (default resources), as in flytekit."""
    saved_entities, saved_cache = list(FlyteEntities.entities), dict(LaunchPlan.CACHE)
    FlyteEntities.entities.clear()
    LaunchPlan.CACHE.clear()
    yield load_package(str(tmp_path / "package"), "flyte_core")
    FlyteEntities.entities[:] = saved_entities
    LaunchPlan.CACHE.clear()
    LaunchPlan.CACHE.update(saved_cache)


def _settings(variant: dict):
    from flyte_core.config.images import ImageConfig
    from flyte_core.config.serialization import FastSerializationSettings, SerializationSettings
    from flyte_core.sdk.resources import Resources, ResourceSpec

    images = [f"{name}={uri}" for name, uri in variant.get("images", {}).items()]
    resources = variant.get("default_resources")
    return SerializationSettings(
        image_config=ImageConfig.validate_image(None, "image", (variant["image"], *images)),
        project=variant["project"],
        domain=variant["domain"],
        version=variant["version"],
        env=variant.get("env"),
        default_resources=ResourceSpec(
            requests=Resources(**resources["requests"]), limits=Resources(**resources["limits"])
        )
        if resources
        else None,
        fast_serialization_settings=FastSerializationSettings(
            enabled="fast_destination_dir" in variant,
            destination_dir=variant.get("fast_destination_dir"),
            distribution_location=variant.get("fast_distribution"),
        ),
    )


@pytest.mark.parametrize("variant", sorted(SETTINGS))
def test_registrable_entities_match_flytekit(variant: str, fresh_package, compare_golden, tmp_path) -> None:
    from flyte_core.idl.translator import registrable_entities
    from flyte_core.packaging.entities import write_entities

    out = tmp_path / "out"
    out.mkdir()
    write_entities(registrable_entities(_settings(SETTINGS[variant])), out)
    ours = {
        f: compare_golden.canonical_json(compare_golden.load_canonical(os.path.join(out, f), True))
        for f in sorted(os.listdir(out))
    }
    expected = EXPECTED[variant]
    assert sorted(ours) == sorted(expected)
    for name in expected:
        assert _without_known_differences(name, ours[name]) == _without_known_differences(name, expected[name]), name


# Deliberate differences: the docstring of the function behind ShellTask's inner task is our own wording.
_KNOWN_DIFFERENCES = {"._bash.": ("description", "shortDescription")}


def _without_known_differences(file_name: str, canonical: str) -> dict:
    data = json.loads(canonical)
    for marker, (field, key) in _KNOWN_DIFFERENCES.items():
        if marker in file_name:
            data.get(field, {}).pop(key, None)
    return data

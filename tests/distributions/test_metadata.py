"""The distributions' metadata: one version for all five, and the Pythons they claim are the ones the matrix runs."""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import flyte_core

ROOT = Path(__file__).parents[2]
DISTRIBUTIONS = {
    "flyte-core": "flyte_core",
    "flyte-plugin-k8s-pod": "flyte_plugin_k8s_pod",
    "flyte-plugin-ray": "flyte_plugin_ray",
    "flyte-plugin-s3": "flyte_plugin_s3",
    "flyte-plugin-spark": "flyte_plugin_spark",
}


def _matrix_pythons() -> tuple[str, ...]:
    sys.path.insert(0, str(ROOT))
    try:
        return importlib.import_module("noxfile").SUPPORTED
    finally:
        sys.path.remove(str(ROOT))


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_every_distribution_has_flyte_cores_version_from_its_one_file(distribution: str) -> None:
    assert importlib.metadata.version(distribution) == flyte_core.__version__
    package = DISTRIBUTIONS[distribution]
    if package != "flyte_core":
        link = ROOT / "plugins" / package / package / "_version.py"
        assert link.is_symlink() and link.resolve() == ROOT / "core" / "flyte_core" / "_version.py"


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_the_pythons_a_distribution_claims_are_those_the_matrix_tests(distribution: str) -> None:
    metadata = importlib.metadata.metadata(distribution)
    tested = _matrix_pythons()
    claimed = [
        classifier.rsplit(" :: ", 1)[1]
        for classifier in metadata.get_all("Classifier") or []
        if classifier.startswith("Programming Language :: Python :: 3.")
    ]
    assert claimed == list(tested)
    assert metadata["Requires-Python"] == f">={tested[0]}"


def test_the_extras_name_the_plugin_distributions() -> None:
    extras = {}
    for line in importlib.metadata.requires("flyte-core") or []:
        requirement = Requirement(line)
        if requirement.name.startswith("flyte-") and requirement.marker is not None:
            extra = next(
                extra for extra in ("s3", "ray", "spark", "pod", "all") if requirement.marker.evaluate({"extra": extra})
            )
            extras[extra] = f"{requirement.name}{sorted(requirement.extras) or ''}"
    assert extras == {
        "s3": "flyte-plugin-s3",
        "ray": "flyte-plugin-ray",
        "spark": "flyte-plugin-spark",
        "pod": "flyte-plugin-k8s-pod",
        "all": "flyte-core['pod', 'ray', 's3', 'spark']",
    }
